"""`seed_demo`'s work: one demo company turned into rows through the services.

Company and user creation are the tenant provisioning that no service covers yet, so they are
written here; products, clients and quotes go through the services the app uses.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from quotery.accounts.models import Company, Membership, Role, User
from quotery.billing.services import InstructionsInput, payment_instructions_update
from quotery.catalog.models import Product
from quotery.catalog.services import ProductInput, product_create
from quotery.clients.models import Client
from quotery.clients.services import client_create, contact_create
from quotery.demo.data.companies import DEMO_COMPANIES, DEMO_PASSWORDS
from quotery.demo.data.records import DemoCompany
from quotery.demo.stories import DemoTenant, seed_quote
from quotery.quotes.services.quotes import quote_expire_due

ROLES = (Role.REP, Role.MANAGER, Role.FINANCE, Role.ADMIN)


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(company, role, email, password) for every demo user, in a stable order."""
    return [
        (company.name, Role(role).label, company.email(role), DEMO_PASSWORDS[role])
        for company in DEMO_COMPANIES
        for role in ROLES
    ]


def seed_company(demo: DemoCompany) -> Company:
    """Creates one demo company with its people, catalog, clients and quotes."""
    company = _company_create(demo)
    people = _people_create(demo, company)
    if demo.payment is not None:
        # Before the quotes: the accepted ones open their payments with this reference format.
        payment_instructions_update(
            company=company,
            data=InstructionsInput(
                account_holder=demo.payment.account_holder,
                iban=demo.payment.iban,
                bic=demo.payment.bic,
                reference_format=demo.payment.reference_format,
                terms=demo.payment.terms,
            ),
            user=people[Role.ADMIN],
        )
    tenant = DemoTenant(
        company=company,
        demo=demo,
        people=people,
        products=_catalog_create(demo, company, admin=people[Role.ADMIN]),
        clients=_clients_create(demo, company),
        today=timezone.localdate(timezone=company.zone),
    )
    # Oldest first, so quote numbers rise with the issue date as they would in real use.
    for spec in sorted(demo.quotes, key=lambda q: -q.issued_days_ago):
        seed_quote(tenant, spec)
    # Quotes issued long enough ago run past their validity: expire them as the periodic
    # task would.
    quote_expire_due()
    return company


def _company_create(demo: DemoCompany) -> Company:
    return Company.objects.create(
        name=demo.name,
        slug=demo.slug,
        brand_colour=demo.brand_colour,
        portal_text=demo.portal_text,
        time_zone=demo.time_zone,
        default_currency=demo.currency,
        default_tax_rate=Decimal(demo.default_tax_rate),
        default_validity_days=demo.validity_days,
        plan=demo.plan,
        finance_gate=demo.finance_gate,
    )


def _people_create(demo: DemoCompany, company: Company) -> dict[str, User]:
    """One member per role; create_user hashes the fixed demo password (which the password
    validators need not approve)."""
    people: dict[str, User] = {}
    for role in ROLES:
        user = User.objects.create_user(
            email=demo.email(role), password=DEMO_PASSWORDS[role], full_name=demo.people[role]
        )
        Membership.objects.create(user=user, company=company, role=role)
        people[role] = user
    return people


def _catalog_create(demo: DemoCompany, company: Company, *, admin: User) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for item in demo.products:
        products[item.sku] = product_create(
            company=company,
            data=ProductInput(
                sku=item.sku,
                name=item.name,
                description=item.description,
                unit_price=Decimal(item.unit_price),
                tax_rate=Decimal(item.tax_rate),
                tracks_stock=item.stock is not None,
            ),
            initial_stock=Decimal(item.stock or 0),
            user=admin,
        )
    return products


def _clients_create(demo: DemoCompany, company: Company) -> list[Client]:
    clients: list[Client] = []
    for demo_client in demo.clients:
        (first_name, first_email), *more = demo_client.contacts
        client = client_create(
            company=company,
            name=demo_client.name,
            address=demo_client.address,
            vat_number=demo_client.vat_number,
            contact_name=first_name,
            contact_email=first_email,
        )
        for name, email in more:
            contact_create(client=client, name=name, email=email)
        clients.append(client)
    return clients
