"""The thin JSON body of each webhook type: ids and API URLs, nothing personal."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest

from quotery.webhooks.payloads import body_for, data_for_delivery_note, data_for_quote_event

AT = dt.datetime(2026, 3, 10, 9, 30, 15, 250000, tzinfo=dt.UTC)
API = "https://quotes.example.com/api/v1"


@dataclass
class Event:
    kind: str
    data: Any
    company_id: int = 3
    quote_id: int = 42
    sequence: int = 7
    occurred_at: dt.datetime = AT
    revision_number: int = 2


BASE = {"quote_id": 42, "quote_url": f"{API}/quotes/42", "revision": 2, "event_sequence": 7}


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = "https://quotes.example.com"


@pytest.mark.parametrize(
    ("kind", "stored", "webhook_type", "extra"),
    [
        ("quote_shared", {"resend": True, "send": 2}, "quote.shared", {"resend": True}),
        ("quote_viewed", {"open": 6}, "quote.viewed", {}),
        (
            "pdf_downloaded",
            {"accepted_copy": False},
            "quote.pdf_downloaded",
            {"accepted_copy": False},
        ),
        ("changes_requested", {"message": 9}, "quote.changes_requested", {"message_id": 9}),
        (
            "message_posted",
            {"message": 11, "author": "client"},
            "quote.message_received",
            {"message_id": 11},
        ),
        (
            "quote_accepted",
            {"acceptance": 5, "signature_hash": "ab" * 32},
            "quote.accepted",
            {"acceptance_id": 5, "acceptance_url": f"{API}/quotes/42/acceptance"},
        ),
        (
            "quote_declined",
            {"reason": "price", "with_detail": True},
            "quote.declined",
            {"reason": "price"},
        ),
        ("quote_expired", {}, "quote.expired", {}),
        (
            "payment_status_changed",
            {"from": "pending", "to": "paid"},
            "payment.status_changed",
            {
                "previous_status": "pending",
                "status": "paid",
                "payment_url": f"{API}/quotes/42/payment",
            },
        ),
    ],
)
def test_each_kind_sends_its_type_with_ids_and_urls(kind, stored, webhook_type, extra):
    assert data_for_quote_event(Event(kind, stored)) == (webhook_type, {**BASE, **extra})


@pytest.mark.parametrize(
    ("kind", "stored"),
    [
        ("link_opened", {}),  # a scanner's or preview's open: never a view
        ("link_revoked", {}),
        ("message_posted", {"message": 3, "author": "rep"}),  # the rep's own message
        ("unknown_kind", {}),
    ],
)
def test_kinds_that_send_nothing(kind, stored):
    assert data_for_quote_event(Event(kind, stored)) is None


def test_delivery_note_data():
    assert data_for_delivery_note(delivery_note_id=8, quote_id=42) == {
        "delivery_note_id": 8,
        "delivery_note_url": f"{API}/delivery-notes/8",
        "quote_id": 42,
        "quote_url": f"{API}/quotes/42",
    }


def test_the_body_is_compact_json_type_timestamp_data():
    body = body_for(webhook_type="quote.viewed", occurred_at=AT, data={"quote_id": 42})
    assert body == (
        '{"type":"quote.viewed","timestamp":"2026-03-10T09:30:15.250000Z","data":{"quote_id":42}}'
    )
    assert json.loads(body)["data"] == {"quote_id": 42}
