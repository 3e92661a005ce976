"""factory_boy factories for tests and benchmarks. Every object belongs to a company."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from quotery.accounts.models import Company, Membership, Role, User
from quotery.catalog.models import Product, StockLevel
from quotery.clients.models import Client, Contact
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import Quote
from quotery.quotes.services.quotes import quote_create

DEFAULT_PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (test accounts only)


class CompanyFactory(DjangoModelFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    time_zone = "Europe/Berlin"
    default_currency = "EUR"
    default_tax_rate = Decimal("20")
    plan = "pro"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Role.REP


class ClientFactory(DjangoModelFactory[Client]):
    class Meta:
        model = Client

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Client {n} GmbH")


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    company = factory.SelfAttribute("client.company")
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@client.test")


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    unit_price = Decimal("49.90")
    tax_rate = Decimal("20")
    tracks_stock = True

    @factory.post_generation
    def stock(self, create: bool, extracted: Decimal | None, **kwargs: object) -> None:
        if create:
            StockLevel.objects.create(
                company=self.company, product=self, on_hand=extracted or Decimal(0)
            )


def member(company: Company | None = None, role: Role = Role.REP, **user_fields: object) -> User:
    """A user with a membership in `company` (a new company when None)."""
    membership = MembershipFactory(
        company=company or CompanyFactory(), role=role, user=UserFactory(**user_fields)
    )
    return membership.user


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
