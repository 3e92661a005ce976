"""Evidence in templates: a short reference for a long hash, the browser a user agent names,
and both with the full value one click away (quotery.core.evidence_text)."""

from __future__ import annotations

from typing import Any

from django import template

from quotery.core.evidence_text import describe_user_agent, short_reference

register = template.Library()


@register.filter
def short_ref(value: object) -> str:
    """{{ acceptance.signature_hash|short_ref }} -> "3F9A·C21B·77D0"."""
    return short_reference(value)


@register.filter
def browser(user_agent: str | None) -> str:
    """{{ acceptance.user_agent|browser }} -> "Chrome on Windows"."""
    return describe_user_agent(user_agent)


@register.inclusion_tag("core/_evidence_hash.html")
def evidence_hash(value: str, what: str = "signature hash") -> dict[str, Any]:
    """The short reference, and the full hash behind a disclosure named after `what`."""
    return {"reference": short_reference(value), "value": value, "what": what}


@register.inclusion_tag("core/_evidence_browser.html")
def evidence_browser(user_agent: str | None) -> dict[str, Any]:
    """'Chrome on Windows', and the raw user agent behind a disclosure."""
    return {"described": describe_user_agent(user_agent), "value": user_agent or ""}
