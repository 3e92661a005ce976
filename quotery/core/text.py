"""Checks on single-line text that ends up in headers, names and emails."""

from __future__ import annotations


def has_control_characters(text: str) -> bool:
    """Line breaks, NUL and the other ASCII control characters: never in a one-line value
    (they are how header injection starts)."""
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)
