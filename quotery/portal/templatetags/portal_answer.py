"""The client's answer on the rep's quote page: who accepted (with the evidence) or why
they declined."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import template

from quotery.core.money import format_money
from quotery.portal.services.acceptance import accepted_configuration
from quotery.quotes.models import Quote
from quotery.quotes.options import configured_content
from quotery.sharing.models import Acceptance, Decline

register = template.Library()


@register.inclusion_tag("portal/rep/_answer.html")
def quote_answer(quote: Quote) -> dict[str, Any]:
    acceptance = Acceptance.objects.filter(quote=quote, company_id=quote.company_id).first()
    return {
        "quote": quote,
        "zone": quote.company.zone,
        "acceptance": acceptance,
        "accepted_choices": accepted_choices(acceptance) if acceptance else None,
        "decline": Decline.objects.filter(quote=quote, company_id=quote.company_id).first(),
    }


def accepted_choices(acceptance: Acceptance) -> dict[str, Any] | None:
    """What a client took of a quote with options: the lines (with their quantities), the
    total accepted, and the options not taken; None without options."""
    configuration = accepted_configuration(acceptance)
    if configuration is None:
        return None
    content = configured_content(json.loads(acceptance.revision.content), configuration)
    currency = content["currency"]
    return {
        "lines": [
            {"description": line["description"], "quantity": line["quantity"]}
            for section in content["sections"]
            for line in section["lines"]
        ],
        "total": format_money(Decimal(acceptance.total), currency),
        "not_taken": content["options_not_taken"],
    }
