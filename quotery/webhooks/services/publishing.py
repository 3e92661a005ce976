"""Writing webhook events into the outbox, inside the caller's transaction.

Called by the named engagement event functions (`quotery.engagement.events`) and by the
services whose change is not an engagement event (a delivery note's creation). With no
enabled endpoint of the company wanting the type, nothing is written: one indexed read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from quotery.webhooks.event_types import EventType
from quotery.webhooks.models import DisabledReason, WebhookDelivery, WebhookEndpoint, WebhookEvent
from quotery.webhooks.payloads import (
    ChainedEvent,
    body_for,
    data_for_delivery_note,
    data_for_quote_event,
)
from quotery.webhooks.signing import message_id_new
from quotery.webhooks.tasks import deliver_webhook


def webhook_event_publish(
    *, company_id: int, webhook_type: str, occurred_at: dt.datetime, data: dict[str, Any]
) -> WebhookEvent | None:
    """Writes the event and one pending delivery per enabled endpoint of the company that
    wants `webhook_type`, in the caller's transaction (outbox: SECURITY.md 20), and asks
    the worker to send each once that transaction commits. None when no endpoint wants it."""
    endpoints = [
        endpoint_id
        for endpoint_id, wanted in WebhookEndpoint.objects.filter(
            company_id=company_id, disabled_reason=DisabledReason.NONE
        ).values_list("pk", "event_types")
        if isinstance(wanted, list) and webhook_type in wanted
    ]
    if not endpoints:
        return None
    event = WebhookEvent.objects.create(
        company_id=company_id,
        msg_id=message_id_new(),
        type=webhook_type,
        occurred_at=occurred_at,
        body=body_for(webhook_type=webhook_type, occurred_at=occurred_at, data=data),
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            company_id=company_id,
            event=event,
            endpoint_id=endpoint_id,
            next_attempt_at=occurred_at,
            created_at=occurred_at,
        )
        for endpoint_id in endpoints
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))
    return event


def _enqueue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        deliver_webhook.enqueue(delivery_id=delivery_id)


def webhook_publish_quote_event(event: ChainedEvent) -> WebhookEvent | None:
    """The webhook an engagement event sends, if its kind sends one (see
    `quotery.webhooks.event_types.TYPE_OF_KIND`). Call it right after appending the event,
    in the same transaction."""
    found = data_for_quote_event(event)
    if found is None:
        return None
    webhook_type, data = found
    return webhook_event_publish(
        company_id=event.company_id,
        webhook_type=webhook_type,
        occurred_at=event.occurred_at,
        data=data,
    )


def webhook_publish_delivery_note_created(
    *, company_id: int, delivery_note_id: int, quote_id: int, created_at: dt.datetime
) -> WebhookEvent | None:
    return webhook_event_publish(
        company_id=company_id,
        webhook_type=EventType.DELIVERY_NOTE_CREATED,
        occurred_at=created_at,
        data=data_for_delivery_note(delivery_note_id=delivery_note_id, quote_id=quote_id),
    )
