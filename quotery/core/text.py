"""Checks on single-line text that ends up in headers, names and emails."""

from __future__ import annotations

import unicodedata

# Marks that reorder how the rest of a line reads ("Anna\u202eevil"): in a name they only
# ever disguise what follows.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_control_characters(text: str) -> bool:
    """Line breaks (also NEL, U+2028 and U+2029), NUL, the other C0 and C1 control characters,
    and bidirectional overrides: never in a one-line value. Line breaks are how header
    injection starts, and Python's email refuses them in headers."""
    return any(unicodedata.category(ch) in {"Cc", "Zl", "Zp"} or ch in BIDI_CONTROLS for ch in text)
