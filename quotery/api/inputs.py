"""API bodies turned into the services' inputs: ids resolved within the key's company
(another company's id reads as "no such ..."), defaults filled in as the editor fills them,
and service field names mapped back to the body's JSON paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.utils import timezone

from quotery.accounts.models import Company, Membership, User
from quotery.api.schemas import LineIn, QuoteCreate, QuoteIn
from quotery.catalog.models import Product
from quotery.clients.models import Client, Contact
from quotery.core.exceptions import ValidationFailed
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput

# The services' field names that differ from the API's.
SERVICE_FIELDS = {"client": "client_id", "contact": "contact_id"}


def api_field_errors(field_errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Service field names ("client", "sections.0.lines.1.product") as body paths."""
    renamed: dict[str, list[str]] = {}
    for name, messages in field_errors.items():
        head, dot, rest = name.rpartition(".")
        if name in SERVICE_FIELDS:
            name = SERVICE_FIELDS[name]
        elif rest == "product" and dot:
            name = f"{head}.product_id"
        renamed.setdefault(name, []).extend(messages)
    return renamed


def _products(company: Company, body: QuoteIn) -> dict[int, Product]:
    ids = {line.product_id for s in body.sections for line in s.lines if line.product_id}
    return {p.pk: p for p in Product.objects.filter(company=company, pk__in=ids)}


def _line(line: LineIn, product: Product | None, company: Company) -> LineInput:
    def given(value: str | None, fallback: Decimal) -> Decimal:
        return Decimal(value) if value is not None else fallback

    return LineInput(
        description=line.description or (product.name if product else ""),
        quantity=Decimal(line.quantity),
        unit_price=given(line.unit_price, product.unit_price if product else Decimal(0)),
        discount_percent=Decimal(line.discount_percent),
        tax_rate=given(line.tax_rate, product.tax_rate if product else company.default_tax_rate),
        product=product,
        optional=line.optional,
        included_by_default=line.included_by_default,
        min_quantity=_decimal_or_none(line.min_quantity),
        max_quantity=_decimal_or_none(line.max_quantity),
    )


def _decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def quote_input(*, company: Company, body: QuoteIn) -> QuoteInput:
    """The body as a QuoteInput; a client, contact or product id that is not the company's
    is a field error (nothing is looked up outside the company)."""
    errors: dict[str, list[str]] = {}
    client = Client.objects.filter(company=company, pk=body.client_id).first()
    if client is None:
        errors["client_id"] = ["No such client."]
    contact = None
    if body.contact_id is not None and client is not None:
        contact = Contact.objects.filter(company=company, client=client, pk=body.contact_id).first()
        if contact is None:
            errors["contact_id"] = ["No such contact for this client."]
    products = _products(company, body)
    for i, section in enumerate(body.sections):
        for j, line in enumerate(section.lines):
            if line.product_id and line.product_id not in products:
                errors[f"sections.{i}.lines.{j}.product_id"] = ["No such product."]
    if errors:
        raise ValidationFailed(
            "Some fields need a look before the quote can be saved.", field_errors=errors
        )
    issue = body.issue_date or timezone.localdate(timezone=company.zone)
    valid_until = body.valid_until or issue + dt.timedelta(days=company.default_validity_days)
    return QuoteInput(
        client=client,
        contact=contact,
        title=body.title,
        currency=body.currency or company.default_currency,
        issue_date=issue,
        valid_until=valid_until,
        notes=body.notes,
        internal_notes=body.internal_notes,
        sections=[
            SectionInput(
                title=section.title,
                choose_one=section.choose_one,
                lines=[
                    _line(line, products.get(line.product_id or 0), company)
                    for line in section.lines
                ],
            )
            for section in body.sections
        ],
    )


def quote_owner(*, company: Company, body: QuoteCreate, default: User) -> User:
    """The owner a new quote gets: `owner_id` (an active member who edits quotes), else
    the key's creator."""
    if body.owner_id is None:
        return default
    membership = (
        Membership.objects.select_related("user")
        .filter(company=company, user_id=body.owner_id, user__is_active=True)
        .first()
    )
    if membership is None or not membership.can_edit_quotes:
        raise ValidationFailed(
            "Some fields need a look before the quote can be saved.",
            field_errors={"owner_id": ["Pick an active rep, manager or admin of your company."]},
        )
    return membership.user
