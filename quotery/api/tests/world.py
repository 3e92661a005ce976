"""A company with one of everything the API serves: a product with stock, a client with a
contact, a quote shared and accepted behind the finance gate (so it has an acceptance, a
payment and a delivery note)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.billing.models import Payment
from quotery.catalog.models import Product
from quotery.catalog.services import ProductInput, product_create
from quotery.clients.models import Client, Contact
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import DeliveryNote, Quote
from quotery.sharing.models import Acceptance, PortalShare
from quotery.webhooks.event_types import ALL_EVENT_TYPES
from quotery.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from quotery.webhooks.services.endpoints import webhook_endpoint_create


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
    webhook: WebhookEndpoint
    delivery: WebhookDelivery

    def ids(self) -> dict[str, int]:
        """The id each path parameter names, by parameter and resource."""
        return {
            "quotes": self.quote.pk,
            "clients": self.client.pk,
            "products": self.product.pk,
            "delivery-notes": self.note.pk,
            "share_id": self.share.pk,
            "contact_id": self.contact.pk,
            "webhooks": self.webhook.pk,
            "delivery_id": self.delivery.pk,
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
    webhook = webhook_endpoint_create(
        company=company,
        url=f"https://hooks.example.com/{sku.lower()}",
        event_types=ALL_EVENT_TYPES,
        description="CRM",
        user=admin,
    ).endpoint
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
        webhook=webhook,
        delivery=delivery_of(webhook, "quote.shared"),
    )


def delivery_of(endpoint: WebhookEndpoint, event_type: str) -> WebhookDelivery:
    """An event already sent once to `endpoint`, as its delivery log shows it."""
    now = timezone.now()
    event = WebhookEvent.objects.create(
        company_id=endpoint.company_id,
        msg_id=f"msg_{uuid.uuid4().hex}",
        type=event_type,
        occurred_at=now,
        body=json.dumps({"type": event_type, "timestamp": now.isoformat(), "data": {}}),
    )
    return WebhookDelivery.objects.create(
        company_id=endpoint.company_id,
        event=event,
        endpoint=endpoint,
        status=DeliveryStatus.SUCCEEDED,
        attempts=1,
        last_attempt_at=now,
        last_status_code=200,
        delivered_at=now,
    )
