"""A company with one of everything the API serves: a product with stock, a client with a
contact, a quote shared and accepted behind the finance gate (so it has an acceptance, a
payment and a delivery note)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.billing.models import Payment
from quotery.catalog.models import Product
from quotery.catalog.services import ProductInput, product_create
from quotery.clients.models import Client, Contact
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import DeliveryNote, Quote
from quotery.sharing.models import Acceptance, PortalShare


@dataclass
class World:
    company: Company
    admin: User
    product: Product
    quote: Quote
    share: PortalShare
    acceptance: Acceptance
    payment: Payment
    note: DeliveryNote
    client: Client
    contact: Contact

    def ids(self) -> dict[str, int]:
        """The id each path parameter names, by parameter and resource."""
        return {
            "quotes": self.quote.pk,
            "clients": self.client.pk,
            "products": self.product.pk,
            "delivery-notes": self.note.pk,
            "share_id": self.share.pk,
            "contact_id": self.contact.pk,
        }


def build_world(company: Company, *, sku: str = "DESK-1") -> World:
    company.finance_gate = True
    company.save(update_fields=["finance_gate"])
    admin = member(company, Role.ADMIN)
    product = product_create(
        company=company,
        data=ProductInput(
            sku=sku, name="Standing desk", unit_price=Decimal("450"), tax_rate=Decimal("20")
        ),
        initial_stock=Decimal(5),
        user=admin,
    )
    shared = share_quote(admin, products=[product, None], quantities=[2, 1])
    acceptance = accept_shared(shared)
    quote = Quote.objects.get(pk=shared.quote.pk)
    client = quote.client
    contact = client.contacts.first()
    assert contact is not None
    return World(
        company=company,
        admin=admin,
        product=product,
        quote=quote,
        share=shared.share,
        acceptance=acceptance,
        payment=Payment.objects.get(quote=quote),
        note=DeliveryNote.objects.get(quote=quote),
        client=client,
        contact=contact,
    )
