"""Helpers for the quote suites: inputs the editor would hand over, and snapshots of what a
quote looks like in the database so failure tests can prove nothing changed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from quotery.accounts.models import Company, User
from quotery.catalog.models import Product
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.models import Client, Contact
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import (
    DeliveryNote,
    Line,
    NumberSequence,
    Quote,
    QuoteRevision,
    Section,
)


def issue_today() -> dt.date:
    """Today where the factory companies are (Europe/Berlin): inputs are open whatever the
    date the suite runs on. Tests about particular dates pass their own or pin the clock."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo("Europe/Berlin"))


def quote_input(
    client: Client | None,
    contact: Contact | None = None,
    *,
    lines: list[list[LineInput]] | None = None,
    **header: Any,
) -> QuoteInput:
    """A valid two-section input; `lines` replaces the sections' lines, `header` any field."""
    sections = lines or [
        [
            LineInput(
                "Standing desk", Decimal("4"), Decimal("499.00"), Decimal("10"), Decimal("20")
            ),
            LineInput("Desk lamp", Decimal("4"), Decimal("39.90"), Decimal("0"), Decimal("20")),
        ],
        [LineInput("Installation", Decimal("6.5"), Decimal("65"), Decimal("0"), Decimal("7"))],
    ]
    values: dict[str, Any] = {
        "client": client,
        "contact": contact,
        "title": "Office fit-out",
        "currency": "EUR",
        "issue_date": issue_today(),
        "valid_until": issue_today() + dt.timedelta(days=28),
        "notes": "Delivery within two weeks.",
        "internal_notes": "Margin 22 %.",
        "sections": [
            SectionInput(title=f"Section {i + 1}", lines=list(section))
            for i, section in enumerate(sections)
        ],
    }
    values.update(header)
    return QuoteInput(**values)


def quote_snapshot(quote: Quote) -> dict[str, Any]:
    """Everything a save could touch, read fresh from the database."""
    fresh = Quote.objects.get(pk=quote.pk)
    header = {
        name: getattr(fresh, name)
        for name in (
            "title", "currency", "issue_date", "valid_until", "notes", "internal_notes",
            "client_id", "contact_id", "owner_id", "state", "revision_number", "line_count",
            "subtotal", "discount_total", "tax_total", "total", "updated_at", "first_shared_at",
        )
    }  # fmt: skip
    return {
        "header": header,
        "sections": list(
            Section.objects.filter(quote=quote).order_by("position").values_list("pk", "title")
        ),
        "lines": list(
            Line.objects.filter(quote=quote)
            .order_by("section__position", "position")
            .values_list(
                "pk",
                "section_id",
                "position",
                "description",
                "quantity",
                "unit_price",
                "discount_percent",
                "tax_rate",
                "net_amount",
                "product_id",
            )
        ),
        "revisions": list(
            QuoteRevision.objects.filter(quote=quote).values_list("number", "content_hash")
        ),
    }


def row_counts() -> dict[str, int]:
    models = (Quote, Section, Line, QuoteRevision, NumberSequence, Client, Contact, DeliveryNote)
    return {model.__name__: model.objects.count() for model in models}


def force_state(quote: Quote, state: str) -> Quote:
    """Puts a quote in `state` for a test's starting point (the portal's services that lead
    there come later). Returns a fresh copy."""
    Quote.objects.filter(pk=quote.pk).update(state=state)
    return Quote.objects.get(pk=quote.pk)


@pytest.fixture
def acme(company: Company) -> Client:
    return ClientFactory(company=company, name="Acme Office GmbH")


@pytest.fixture
def acme_contact(acme: Client) -> Contact:
    return ContactFactory(client=acme, company=acme.company, name="Ada Buyer")


@pytest.fixture
def new_quote(
    rep: User, company: Company, acme: Client, acme_contact: Contact
) -> Callable[..., Quote]:
    """new_quote(**header) creates a draft through quote_create."""
    from quotery.quotes.services.quotes import quote_create

    def make(owner: User | None = None, **header: Any) -> Quote:
        return quote_create(
            company=company, owner=owner or rep, data=quote_input(acme, acme_contact, **header)
        )

    return make


@pytest.fixture
def product(company: Company) -> Product:
    from quotery.catalog.factories import ProductFactory

    return ProductFactory(company=company, sku="DESK-01", name="Standing desk")
