"""Rows as the API shows them (plain dicts the schemas in `quotery.api.schemas` validate)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from quotery.accounts.models import User
from quotery.api.selectors import quote_row
from quotery.billing.models import Payment
from quotery.catalog.models import Product
from quotery.clients.models import Client, Contact
from quotery.core.money import money_str
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors.quote import kind_label
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, Quote
from quotery.quotes.options import counts_by_default
from quotery.quotes.selectors import DocumentSection, quote_document
from quotery.sharing.links import share_url
from quotery.sharing.models import Acceptance, PortalShare
from quotery.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def json_time(value: dt.datetime) -> str:
    """A time as the API's JSON encoder writes it (DjangoJSONEncoder: ISO 8601 to the
    millisecond, "Z" for UTC). The hot lists write their times as text themselves: the
    encoder's Python fallback, called once per value, cost more than the rest of the
    JSON."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def json_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": money_str(amount, currency), "currency": currency}


def price(amount: Decimal, currency: str) -> dict[str, str]:
    """A unit price keeps its own digits (up to 4), never rounded to the minor unit."""
    return {"amount": number(amount), "currency": currency}


def number(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or user.email, "email": user.email}


def quote_summary(row: Mapping[str, Any]) -> dict[str, Any]:
    """A quote's summary from its row (`quotery.api.selectors.quote_rows` / `quote_row`)."""
    return {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "status": row["state"],
        "client": {"id": row["client_id"], "name": row["client__name"]},
        "contact_id": row["contact_id"],
        "owner": {
            "id": row["owner_id"],
            "name": row["owner__full_name"] or row["owner__email"],
            "email": row["owner__email"],
        },
        "currency": row["currency"],
        "total": money(row["total"], row["currency"]),
        "issue_date": json_date(row["issue_date"]),
        "valid_until": json_date(row["valid_until"]),
        "revision_number": row["revision_number"],
        "line_count": row["line_count"],
        "created_at": json_time(row["created_at"]),
        "updated_at": json_time(row["updated_at"]),
    }


def quote_detail(quote: Quote, *, payment_status: str | None, accepted: bool) -> dict[str, Any]:
    """A quote read by `quotery.quotes.selectors.quote_detail` (sections and lines
    prefetched): no further queries but the caller's."""
    currency = quote.currency
    document = quote_document(quote)
    sections = [
        {
            "id": doc.section.pk,
            "position": doc.section.position,
            "title": doc.section.title,
            "choose_one": doc.section.choose_one,
            "subtotal": money(_default_subtotal(doc), currency),
            "lines": [
                {
                    "id": item.line.pk,
                    "position": item.line.position,
                    "product_id": item.line.product_id,
                    "sku": item.line.sku,
                    "description": item.line.description,
                    "quantity": number(item.line.quantity),
                    "unit_price": price(item.line.unit_price, currency),
                    "discount_percent": number(item.line.discount_percent),
                    "tax_rate": number(item.line.tax_rate),
                    "net_amount": money(item.net, currency),
                    "optional": item.line.optional,
                    "included_by_default": item.line.included_by_default,
                    "min_quantity": _bound(item.line.min_quantity),
                    "max_quantity": _bound(item.line.max_quantity),
                }
                for item in doc.lines
            ],
        }
        for doc in document["document_sections"]
    ]
    open_notes = [note for note in quote.delivery_notes.all() if note.state != "cancelled"]
    return quote_summary(quote_row(quote)) | {
        "notes": quote.notes,
        "internal_notes": quote.internal_notes,
        "subtotal": money(quote.subtotal, currency),
        "discount_total": money(quote.discount_total, currency),
        "tax_total": money(quote.tax_total, currency),
        "sections": sections,
        "first_shared_at": quote.first_shared_at,
        "delivery_note_id": open_notes[0].pk if open_notes else None,
        "accepted": accepted,
        "payment_status": payment_status,
    }


def _default_subtotal(doc: DocumentSection) -> Decimal:
    """The section's lines as the client first sees them (those the quote's total counts):
    an optional line left out, or a Choose one line not chosen at first, adds nothing."""
    return sum(
        (
            item.net
            for item in doc.lines
            if counts_by_default(
                optional=item.line.optional,
                included_by_default=item.line.included_by_default,
                choose_one=doc.section.choose_one,
            )
        ),
        Decimal(0),
    )


def _bound(value: Decimal | None) -> str | None:
    return None if value is None else number(value)


def share(share: PortalShare) -> dict[str, Any]:
    return {
        "id": share.pk,
        "recipient_name": share.recipient_name,
        "recipient_email": share.recipient_email,
        "created_at": share.created_at,
        "last_sent_at": share.last_sent_at,
        "send_count": share.send_count,
        "revoked_at": share.revoked_at,
        "last_viewed_revision": share.last_viewed_revision,
        "url": None
        if share.is_revoked
        else share_url(key=share.key, quote_id=share.quote_id, email=share.recipient_email),
    }


def event(row: QuoteEvent) -> dict[str, Any]:
    return {
        "sequence": row.sequence,
        "kind": row.kind,
        "label": kind_label(row.kind),
        "occurred_at": row.occurred_at,
        "revision_number": row.revision_number,
        "recipient_email": row.recipient_email,
        "actor": person(row.actor if row.actor_id else None),
        "counted_as_view": row.kind == EventKind.QUOTE_VIEWED,
        "hash": row.hash,
    }


def client(client: Client) -> dict[str, Any]:
    return {
        "id": client.pk,
        "name": client.name,
        "address": client.address,
        "vat_number": client.vat_number,
        "created_at": client.created_at,
        "updated_at": client.updated_at,
    }


def contact(contact: Contact) -> dict[str, Any]:
    return {"id": contact.pk, "name": contact.name, "email": contact.email, "phone": contact.phone}


def product(product: Product, *, currency: str) -> dict[str, Any]:
    """A product with its stock (products that track none: null); its price is in the
    company's currency."""
    level = getattr(product, "stock", None) if product.tracks_stock else None
    return {
        "id": product.pk,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "unit_price": price(product.unit_price, currency),
        "tax_rate": number(product.tax_rate),
        "tracks_stock": product.tracks_stock,
        "is_active": product.is_active,
        "stock": None
        if level is None
        else {
            "on_hand": number(level.on_hand),
            "reserved": number(level.reserved),
            "available": number(level.available),
        },
        "updated_at": product.updated_at,
    }


def acceptance(acceptance: Acceptance) -> dict[str, Any]:
    return {
        "quote_id": acceptance.quote_id,
        "signer_name": acceptance.signer_name,
        "signer_email": acceptance.signer_email,
        "accepted_at": acceptance.accepted_at,
        "revision_number": acceptance.revision_number,
        "content_hash": acceptance.content_hash,
        "signature_hash": acceptance.signature_hash,
        "consent_text": acceptance.consent_text,
        "consent_version": acceptance.consent_version,
        "ip": acceptance.ip,
        "user_agent": acceptance.user_agent,
        "total": {"amount": acceptance.total, "currency": acceptance.currency},
        "share_id": acceptance.share_id,
        "pdf_sha256": acceptance.pdf_sha256 or None,
        "configuration": accepted_configuration(acceptance),
    }


def accepted_configuration(acceptance: Acceptance) -> dict[str, Any] | None:
    """The choices an acceptance of a quote with options bound, as stored and signed."""
    if not acceptance.configuration_hash:
        return None
    return {
        "choices": json.loads(acceptance.configuration),
        "hash": acceptance.configuration_hash,
        "total": {"amount": acceptance.total, "currency": acceptance.currency},
    }


def payment(payment: Payment) -> dict[str, Any]:
    return {
        "quote_id": payment.quote_id,
        "status": payment.status,
        "updated_at": payment.updated_at,
        "updated_by": person(payment.updated_by),
    }


def delivery_note(note: DeliveryNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "number": note.number,
        "quote_id": note.quote_id,
        "status": note.state,
        "created_at": note.created_at,
        "first_shipped_at": note.first_shipped_at,
        "last_shipped_at": note.last_shipped_at,
        "cancelled_at": note.cancelled_at,
    }


def delivery_line(line: DeliveryNoteLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "position": line.position,
        "product_id": line.product_id,
        "sku": line.sku,
        "description": line.description,
        "quantity": number(line.quantity),
        "reserved_quantity": number(line.reserved_quantity),
        "backorder_quantity": number(line.backorder_quantity),
        "shipped_quantity": number(line.shipped_quantity),
    }


def webhook_endpoint(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """Never the secrets: those are shown once, by the answers that make them."""
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason or None,
        "disabled_at": endpoint.disabled_at,
        "previous_secret_valid_until": endpoint.previous_secret_expires_at
        if endpoint.previous_secret
        else None,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def webhook_delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    pending = delivery.status == DeliveryStatus.PENDING
    return {
        "id": delivery.pk,
        "event_type": delivery.event.type,
        "webhook_id": delivery.event.msg_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "last_attempt_at": delivery.last_attempt_at,
        "next_attempt_at": delivery.next_attempt_at if pending else None,
        "delivered_at": delivery.delivered_at,
    }
