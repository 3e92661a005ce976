"""The sharing parts of the rep's quote page: the Share action and the conversation."""

from __future__ import annotations

from typing import Any

from django import template

from quotery.quotes.models import Quote

register = template.Library()


@register.inclusion_tag("portal/rep/_share_actions.html", takes_context=True)
def share_actions(context: template.Context, quote: Quote) -> dict[str, Any]:
    return {"quote": quote, "request": context.get("request")}


@register.inclusion_tag("portal/rep/_conversation.html", takes_context=True)
def quote_conversation(context: template.Context, quote: Quote) -> dict[str, Any]:
    return {"quote": quote, "request": context.get("request")}
