"""The client's answer on the rep's quote page: who accepted (with the evidence) or why
they declined."""

from __future__ import annotations

from typing import Any

from django import template

from quotery.quotes.models import Quote
from quotery.sharing.models import Acceptance, Decline

register = template.Library()


@register.inclusion_tag("portal/rep/_answer.html")
def quote_answer(quote: Quote) -> dict[str, Any]:
    return {
        "quote": quote,
        "zone": quote.company.zone,
        "acceptance": Acceptance.objects.filter(quote=quote, company_id=quote.company_id).first(),
        "decline": Decline.objects.filter(quote=quote, company_id=quote.company_id).first(),
    }
