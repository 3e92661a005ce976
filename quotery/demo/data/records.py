"""The shapes of the demo data: plain frozen records, no rows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    unit_price: str
    tax_rate: str
    stock: int | None  # None: a service, which does not track stock
    description: str = ""


@dataclass(frozen=True)
class DemoClient:
    name: str
    address: str
    vat_number: str
    contacts: tuple[tuple[str, str], ...]  # (name, email); the first is the main contact


@dataclass(frozen=True)
class LineOptions:
    """What the client may change on a line (quotery.quotes.options): an optional line
    (`included`: whether it starts in; in a choose-one section, the line chosen at first),
    and a quantity between `min_quantity` and `max_quantity` ("" for a fixed one)."""

    optional: bool = False
    included: bool = False
    min_quantity: str = ""
    max_quantity: str = ""


@dataclass(frozen=True)
class FreeLine:
    """A line typed by hand rather than picked from the catalog."""

    description: str
    quantity: str
    unit_price: str
    tax_rate: str
    options: LineOptions = LineOptions()


@dataclass(frozen=True)
class ProductLine:
    sku: str
    quantity: str
    discount_percent: str = "0"
    options: LineOptions = LineOptions()


@dataclass(frozen=True)
class DemoSection:
    title: str
    lines: tuple[ProductLine | FreeLine, ...]
    choose_one: bool = False  # the client picks exactly one of its lines


@dataclass(frozen=True)
class DemoQuote:
    """`story` names the path the quote has taken; see quotery.demo.stories.STORIES."""

    story: str
    owner_role: str
    client: int  # index into the company's clients
    title: str
    issued_days_ago: int
    sections: tuple[DemoSection, ...]
    deposit_percent: str = "0"  # the share of the total payable on acceptance


@dataclass(frozen=True)
class DemoPayment:
    """How the company's clients pay (Settings -> Payment instructions)."""

    account_holder: str
    iban: str
    bic: str
    reference_format: str
    terms: str


@dataclass(frozen=True)
class DemoCompany:
    name: str
    slug: str
    domain: str
    plan: str
    finance_gate: bool
    currency: str
    time_zone: str
    default_tax_rate: str
    validity_days: int
    brand_colour: str
    portal_text: str
    notes: str
    people: dict[str, str]  # role -> full name
    products: tuple[DemoProduct, ...]
    clients: tuple[DemoClient, ...]
    quotes: tuple[DemoQuote, ...] = field(default=())
    payment: DemoPayment | None = None

    def email(self, role: str) -> str:
        return f"{role}@{self.domain}"
