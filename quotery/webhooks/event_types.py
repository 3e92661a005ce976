"""The webhook event types a receiver can subscribe to (Standard Webhooks `type`), and which
engagement event kind each one reports. The kinds are written out as strings: this app sits
below the engagement log and never imports it."""

from __future__ import annotations

from django.db import models


class EventType(models.TextChoices):
    QUOTE_SHARED = "quote.shared", "A quote was shared or re-shared with a client"
    QUOTE_VIEWED = "quote.viewed", "The client viewed the quote (counted views only)"
    QUOTE_PDF_DOWNLOADED = "quote.pdf_downloaded", "The client downloaded the PDF"
    QUOTE_CHANGES_REQUESTED = "quote.changes_requested", "The client asked for changes"
    QUOTE_MESSAGE_RECEIVED = "quote.message_received", "The client wrote a message"
    QUOTE_ACCEPTED = "quote.accepted", "The client accepted the quote"
    QUOTE_DECLINED = "quote.declined", "The client declined the quote"
    QUOTE_EXPIRED = "quote.expired", "The quote expired unanswered"
    PAYMENT_STATUS_CHANGED = "payment.status_changed", "Finance changed a payment's status"
    DELIVERY_NOTE_CREATED = "delivery_note.created", "A delivery note was created"


ALL_EVENT_TYPES: tuple[str, ...] = tuple(EventType.values)

# What "Send test event" sends to one endpoint, whatever it subscribes to: nothing happened,
# so receivers can check their URL, signature check and answer without touching real data.
TEST_EVENT_TYPE = "webhook.test"

# Engagement event kind (quotery.engagement.models.EventKind value) -> webhook type. Kinds
# not listed (a link opened by a scanner or a preview, a revoked link) send nothing. A view
# is only ever recorded as `quote_viewed` once the page's script confirmed a visible
# browser, and never for the company's own staff (SECURITY.md 10).
TYPE_OF_KIND: dict[str, str] = {
    "quote_shared": EventType.QUOTE_SHARED,
    "quote_viewed": EventType.QUOTE_VIEWED,
    "pdf_downloaded": EventType.QUOTE_PDF_DOWNLOADED,
    "changes_requested": EventType.QUOTE_CHANGES_REQUESTED,
    "message_posted": EventType.QUOTE_MESSAGE_RECEIVED,  # only the client's (see payloads)
    "quote_accepted": EventType.QUOTE_ACCEPTED,
    "quote_declined": EventType.QUOTE_DECLINED,
    "quote_expired": EventType.QUOTE_EXPIRED,
    "payment_status_changed": EventType.PAYMENT_STATUS_CHANGED,
}
