"""Quotes for tests and benchmarks, made through quote_create as the editor makes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from quotery.accounts.models import User
from quotery.catalog.models import Product
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.models import Client
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import Quote
from quotery.quotes.services.quotes import quote_create


def _nth[T](values: Sequence[T], index: int, default: T) -> T:
    return values[index] if index < len(values) else default


def make_quote(
    *,
    owner: User,
    client: Client | None = None,
    sections: int = 1,
    lines_per_section: int = 2,
    currency: str = "EUR",
    issue_date: dt.date | None = None,
    valid_days: int = 30,
    title: str = "Office fit-out",
    products: Sequence[Product | None] = (),
    quantities: Sequence[Decimal] = (),
    deposit_percent: Decimal = Decimal(0),
) -> Quote:
    """A draft quote made through quote_create, as the editor would.

    `products` and `quantities` apply to the lines in document order (section by section):
    the n-th line gets the n-th product (None: a free-text line) and the n-th quantity;
    lines beyond either list keep the defaults (no product; quantity 1, 2, 3... per section).
    """
    company = owner.membership.company
    client = client or ClientFactory(company=company)
    contact = client.contacts.first() or ContactFactory(client=client, company=company)
    # Today in the company's zone, so a factory quote is open whatever the date the suite
    # runs on; a test about particular dates passes its own or pins the clock.
    issue = issue_date or timezone.localdate(timezone=company.zone)
    data = QuoteInput(
        client=client,
        contact=contact,
        title=title,
        currency=currency,
        issue_date=issue,
        valid_until=issue + dt.timedelta(days=valid_days),
        notes="Delivery within two weeks of acceptance.",
        deposit_percent=deposit_percent,
        sections=[
            SectionInput(
                title=f"Section {i + 1}",
                lines=[
                    LineInput(
                        description=f"Item {i + 1}.{j + 1}",
                        quantity=_nth(quantities, i * lines_per_section + j, Decimal(j + 1)),
                        unit_price=Decimal("19.99"),
                        discount_percent=Decimal("5") if j % 2 else Decimal(0),
                        tax_rate=Decimal("20") if j % 3 else Decimal("7"),
                        product=_nth(products, i * lines_per_section + j, None),
                    )
                    for j in range(lines_per_section)
                ],
            )
            for i in range(sections)
        ],
    )
    return quote_create(company=company, owner=owner, data=data)
