"""The Engagement section of the rep's quote page."""

from __future__ import annotations

from typing import Any

from django import template

from quotery.quotes.models import Quote

register = template.Library()


@register.inclusion_tag("engagement/_quote_engagement.html", takes_context=True)
def quote_engagement(context: template.Context, quote: Quote) -> dict[str, Any]:
    return {"quote": quote, "request": context.get("request")}
