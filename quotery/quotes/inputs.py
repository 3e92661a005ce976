"""Validated input for the quote services: what the editor (or the API) hands over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from quotery.catalog.models import Product
from quotery.clients.models import Client, Contact


@dataclass
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)
    product: Product | None = None
    # Options the client chooses (quotery.quotes.options).
    optional: bool = False
    included_by_default: bool = False
    min_quantity: Decimal | None = None
    max_quantity: Decimal | None = None


@dataclass
class SectionInput:
    title: str
    lines: list[LineInput] = field(default_factory=list)
    choose_one: bool = False


@dataclass
class NewClientInput:
    """A client typed into the editor instead of picked: created with the quote."""

    name: str
    contact_name: str = ""
    contact_email: str = ""


@dataclass
class QuoteInput:
    client: Client | None
    contact: Contact | None
    title: str
    currency: str
    issue_date: dt.date
    valid_until: dt.date
    notes: str = ""
    internal_notes: str = ""
    deposit_percent: Decimal = Decimal(0)
    sections: list[SectionInput] = field(default_factory=list)
    new_client: NewClientInput | None = None

    def all_lines(self) -> list[LineInput]:
        return [line for section in self.sections for line in section.lines]
