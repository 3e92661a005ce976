"""The JSON body of each webhook: `{"type", "timestamp", "data"}`, thin: ids and the API URLs
to fetch the rest with a key (`/api/v1/...`), never names, emails or amounts, so a body that
reaches the wrong place tells little and a receiver always reads the current state.

URLs are absolute, built from `BASE_URL` as the links in emails are (SECURITY.md 6).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

from django.conf import settings

from quotery.webhooks.event_types import TYPE_OF_KIND, EventType

API_PREFIX = "/api/v1"
CLIENT_AUTHOR = "client"  # quotery.sharing.models.AuthorKind.CLIENT


class ChainedEvent(Protocol):
    """What this app reads of an engagement event (quotery.engagement.models.QuoteEvent)."""

    company_id: int
    quote_id: int
    sequence: int
    kind: str
    occurred_at: dt.datetime
    revision_number: int
    data: Any


def api_url(path: str) -> str:
    return f"{settings.BASE_URL}{API_PREFIX}{path}"


def quote_fields(quote_id: int) -> dict[str, Any]:
    return {"quote_id": quote_id, "quote_url": api_url(f"/quotes/{quote_id}")}


def data_for_quote_event(event: ChainedEvent) -> tuple[str, dict[str, Any]] | None:
    """(type, data) of the webhook an engagement event sends, or None for one that sends
    nothing (a scanner's open, a revoked link, a message written by the rep)."""
    webhook_type = TYPE_OF_KIND.get(event.kind)
    if webhook_type is None:
        return None
    stored = event.data if isinstance(event.data, dict) else {}
    data = {
        **quote_fields(event.quote_id),
        "revision": event.revision_number,
        "event_sequence": event.sequence,
    }
    if webhook_type == EventType.QUOTE_SHARED:
        data["resend"] = bool(stored.get("resend"))
    elif webhook_type == EventType.QUOTE_PDF_DOWNLOADED:
        data["accepted_copy"] = bool(stored.get("accepted_copy"))
    elif webhook_type == EventType.QUOTE_MESSAGE_RECEIVED:
        if stored.get("author") != CLIENT_AUTHOR:
            return None
        data["message_id"] = stored.get("message")
    elif webhook_type == EventType.QUOTE_CHANGES_REQUESTED:
        data["message_id"] = stored.get("message")
    elif webhook_type == EventType.QUOTE_ACCEPTED:
        data["acceptance_id"] = stored.get("acceptance")
        data["acceptance_url"] = api_url(f"/quotes/{event.quote_id}/acceptance")
    elif webhook_type == EventType.QUOTE_DECLINED:
        data["reason"] = stored.get("reason", "")
    elif webhook_type == EventType.PAYMENT_STATUS_CHANGED:
        data["previous_status"] = stored.get("from")
        data["status"] = stored.get("to")
        data["payment_url"] = api_url(f"/quotes/{event.quote_id}/payment")
    return webhook_type, data


def data_for_delivery_note(*, delivery_note_id: int, quote_id: int) -> dict[str, Any]:
    return {
        "delivery_note_id": delivery_note_id,
        "delivery_note_url": api_url(f"/delivery-notes/{delivery_note_id}"),
        **quote_fields(quote_id),
    }


def body_for(*, webhook_type: str, occurred_at: dt.datetime, data: dict[str, Any]) -> str:
    """The body, compact JSON with keys in a fixed order; stored once and sent as is."""
    timestamp = occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return json.dumps(
        {"type": webhook_type, "timestamp": timestamp, "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
    )
