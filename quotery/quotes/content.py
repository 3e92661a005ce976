"""The client-visible content of a quote as canonical data: what a revision hashes.

Internal notes, the owner's private data and database ids stay out, so the hash changes
exactly when something the client can see changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quotery.core.canonical import canonical_hash, canonical_json
from quotery.core.money import deposit_amount, money_str
from quotery.quotes.models import Line, Quote, Section
from quotery.quotes.options import counts_by_default, totals_content
from quotery.quotes.totals import line_amounts, quote_totals

CONTENT_VERSION = 1


def client_visible_content(
    quote: Quote, sections: Sequence[Section], lines: Sequence[Line]
) -> dict[str, Any]:
    currency = quote.currency
    choose_one = {section.pk for section in sections if section.choose_one}
    # The totals are those of the rep's default configuration: without options, every line.
    totals = quote_totals(
        [line for line in lines if _counts_by_default(line, choose_one)], currency
    )
    amounts = {line.pk: line_amounts(line, currency) for line in lines}
    lines_by_section: dict[int, list[Line]] = {}
    for line in lines:
        lines_by_section.setdefault(line.section_id, []).append(line)
    content: dict[str, Any] = {
        "content_version": CONTENT_VERSION,
        "company": quote.company.name,
        "number": quote.number,
        "title": quote.title,
        "currency": currency,
        "issue_date": quote.issue_date,
        "valid_until": quote.valid_until,
        "client": quote.client.name,
        "contact": (
            {"name": quote.contact.name, "email": quote.contact.email} if quote.contact else None
        ),
        "prepared_by": {"name": quote.owner.full_name, "email": quote.owner.email},
        "notes": quote.notes,
        "sections": [
            _section_content(
                section,
                [
                    _line_content(line, section, money_str(amounts[line.pk].net, currency))
                    for line in lines_by_section.get(section.pk, [])
                ],
            )
            for section in sections
        ],
        "totals": totals_content(totals, currency),
    }
    # Only with a deposit: a quote without one hashes as it did before deposits existed, so
    # saving it again makes no new revision.
    if quote.deposit_percent:
        content["deposit"] = {
            "percent": f"{quote.deposit_percent.normalize():f}",
            "amount": money_str(
                deposit_amount(totals.total, quote.deposit_percent, currency), currency
            ),
        }
    return content


def _counts_by_default(line: Line, choose_one: set[int]) -> bool:
    return counts_by_default(
        optional=line.optional,
        included_by_default=line.included_by_default,
        choose_one=line.section_id in choose_one,
    )


# The option keys appear only where an option is used: a quote without options hashes as it
# did before options existed (old revisions still verify, an unchanged save makes no new one).
def _section_content(section: Section, lines: list[dict[str, Any]]) -> dict[str, Any]:
    content: dict[str, Any] = {"title": section.title, "lines": lines}
    if section.choose_one:
        content["choose_one"] = True
    return content


def _line_content(line: Line, section: Section, net: str) -> dict[str, Any]:
    content: dict[str, Any] = {
        "sku": line.sku,
        "description": line.description,
        "quantity": f"{line.quantity.normalize():f}",
        "unit_price": f"{line.unit_price.normalize():f}",
        "discount_percent": f"{line.discount_percent.normalize():f}",
        "tax_rate": f"{line.tax_rate.normalize():f}",
        "net": net,
    }
    if line.optional and not section.choose_one:
        content["optional"] = True
    if line.optional or section.choose_one:
        content["included"] = line.included_by_default
    if line.min_quantity is not None and line.max_quantity is not None:
        content["min_quantity"] = f"{line.min_quantity.normalize():f}"
        content["max_quantity"] = f"{line.max_quantity.normalize():f}"
    return content


def content_bytes_and_hash(content: dict[str, Any]) -> tuple[bytes, str]:
    return canonical_json(content), canonical_hash(content)
