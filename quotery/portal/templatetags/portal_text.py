"""How the client's pages set text that must not break mid-word."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def email_breaks(address: str) -> SafeString:
    """An email address that may break only after its @ and before its dots (hyphens
    break by themselves), never inside a word: escaped, with <wbr> at those places."""
    escaped = str(escape(address))
    local, at, domain = escaped.partition("@")
    marked = (
        local.replace(".", "<wbr>.") + (at + "<wbr>" if at else "") + domain.replace(".", "<wbr>.")
    )
    return SafeString(marked)
