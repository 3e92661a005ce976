"""The Engagement page's figures of what clients looked at (`company_attention`)."""

from __future__ import annotations

from django import template

from quotery.engagement.selectors.attention import CompanyAttention, company_attention

register = template.Library()


@register.simple_tag(takes_context=True)
def company_attention_figures(context: template.Context) -> CompanyAttention | None:
    """For the page's member and date range (its valid form); None without them."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    form = context.get("form")
    date_range = getattr(form, "date_range", None) if form is not None else None
    if membership is None or date_range is None:
        return None
    return company_attention(membership=membership, date_range=date_range)
