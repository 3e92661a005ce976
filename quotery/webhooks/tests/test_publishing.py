"""Which changes write a webhook event, and for whom: in the business transaction, only
for enabled endpoints that want the type, never for scanners' opens or staff visits."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.engagement.chain import pending_opens_fold
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.services.answers import (
    client_message_post,
    quote_decline,
    quote_request_changes,
)
from quotery.portal.tests.portal_fixtures import CLIENT_META, accept_shared, share_quote
from quotery.quotes.factories import make_quote
from quotery.quotes.models import QuoteState
from quotery.quotes.services.quotes import quote_mark_sent
from quotery.reminders.tasks import expire_due_quotes
from quotery.webhooks.event_types import ALL_EVENT_TYPES
from quotery.webhooks.models import WebhookDelivery, WebhookEvent
from quotery.webhooks.services.endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_disable,
)

pytestmark = pytest.mark.django_db


def types_written() -> list[str]:
    return list(WebhookEvent.objects.order_by("pk").values_list("type", flat=True))


def test_no_endpoint_writes_nothing(rep):
    share_quote(rep)
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_one_delivery_per_enabled_endpoint_that_wants_the_type(rep, company, other_company):
    wants = webhook_endpoint_create(
        company=company, url="https://crm.example.com/in", event_types=["quote.shared"]
    )
    webhook_endpoint_create(
        company=company, url="https://erp.example.com/in", event_types=["quote.accepted"]
    )
    off = webhook_endpoint_create(
        company=company, url="https://old.example.com/in", event_types=["quote.shared"]
    )
    webhook_endpoint_disable(endpoint=off.endpoint)
    webhook_endpoint_create(
        company=other_company, url="https://other.example.com/in", event_types=["quote.shared"]
    )

    share_quote(rep)

    event = WebhookEvent.objects.get()
    assert event.type == "quote.shared" and event.company_id == company.pk
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [
        wants.endpoint.pk
    ]


def test_a_rolled_back_change_writes_no_webhook(rep, company):
    webhook_endpoint_create(
        company=company, url="https://crm.example.com/in", event_types=["quote.shared"]
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        share_quote(rep)
        assert WebhookEvent.objects.count() == 1
        raise RuntimeError("the business change fails after its event")
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_security_10_scanner_opens_and_staff_visits_send_no_quote_viewed(client, rep, company):
    webhook_endpoint_create(
        company=company, url="https://crm.example.com/in", event_types=["quote.viewed"]
    )
    shared = share_quote(rep)
    # a link scanner fetches the page twice and never runs its script (no beacon)
    assert client.get(shared.url).status_code == 200
    assert client.get(shared.url).status_code == 200
    # staff of the company open the link and the preview, and their page sends a beacon
    client.force_login(member(company, Role.MANAGER))
    staff_page = client.get(shared.url)
    assert 'data-open="' not in staff_page.content.decode()
    assert client.post(shared.seen_url, {"open": "anything"}).status_code == 204
    assert client.get(reverse("portal:preview", args=[shared.quote.pk])).status_code == 200
    # the scanner's opens join the chain as opens, never as views
    pending_opens_fold(shared.quote.pk)
    kinds = list(QuoteEvent.objects.filter(quote=shared.quote).values_list("kind", flat=True))
    assert kinds == [
        EventKind.QUOTE_SHARED,
        EventKind.MESSAGE_POSTED,  # the rep's message with the share: not the client's
        EventKind.LINK_OPENED,
        EventKind.LINK_OPENED,
    ]
    assert types_written() == []


def test_a_counted_view_sends_quote_viewed_once(client, rep, company):
    webhook_endpoint_create(
        company=company, url="https://crm.example.com/in", event_types=["quote.viewed"]
    )
    shared = share_quote(rep)
    page = client.get(shared.url)
    found = re.search(r'data-open="([^"]+)"', page.content.decode())
    assert found is not None
    token = found.group(1)
    client.post(shared.seen_url, {"open": token})
    client.post(shared.seen_url, {"open": token})  # a repeat beacon counts once
    assert types_written() == ["quote.viewed"]
    body = json.loads(WebhookEvent.objects.get().body)
    assert body["data"]["event_sequence"] == 4  # shared, the rep's message, opened, viewed


def test_the_scheduler_expiring_a_quote_sends_quote_expired(rep, company, settings):
    settings.BASE_URL = "https://quotes.example.com"
    webhook_endpoint_create(
        company=company, url="https://crm.example.com/in", event_types=["quote.expired"]
    )
    with time_machine.travel(dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC), tick=False):
        overdue = make_quote(owner=rep, issue_date=dt.date(2026, 4, 1), valid_days=14)
        quote_mark_sent(quote=overdue, user=rep)
        current = make_quote(owner=rep, issue_date=dt.date(2026, 5, 1), valid_days=30)
        quote_mark_sent(quote=current, user=rep)
        assert expire_due_quotes.call() == 1
        assert expire_due_quotes.call() == 0  # a second run expires (and sends) nothing
    overdue.refresh_from_db()
    assert overdue.state == QuoteState.EXPIRED
    assert list(QuoteEvent.objects.filter(quote=overdue).values_list("kind", flat=True)) == [
        EventKind.QUOTE_EXPIRED
    ]
    event = WebhookEvent.objects.get()
    assert json.loads(event.body) == {
        "type": "quote.expired",
        "timestamp": "2026-05-04T12:00:00Z",
        "data": {
            "quote_id": overdue.pk,
            "quote_url": f"https://quotes.example.com/api/v1/quotes/{overdue.pk}",
            "revision": overdue.revision_number,
            "event_sequence": 1,
        },
    }


def test_the_clients_answers_and_finance_send_their_types(rep, company, finance, settings):
    settings.BASE_URL = "https://quotes.example.com"
    company.finance_gate = True
    company.save()
    webhook_endpoint_create(
        company=company, url="https://crm.example.com/in", event_types=ALL_EVENT_TYPES
    )
    first = share_quote(rep)
    client_message_post(share=first.share, body="Can you deliver in May?", request_meta=CLIENT_META)
    quote_request_changes(
        share=first.share, message="Split the delivery.", request_meta=CLIENT_META
    )
    second = share_quote(rep, email="bob@client.test", title="Second offer")
    quote_decline(share=second.share, reason="price", detail="", request_meta=CLIENT_META)
    third = share_quote(rep, email="cy@client.test", title="Third offer")
    accept_shared(third, email="cy@client.test")
    payment = Payment.objects.get(quote=third.quote)
    payment_status_set(payment=payment, status=PaymentStatus.PAID, user=finance)

    assert types_written() == [
        "quote.shared",
        "quote.message_received",
        "quote.changes_requested",
        "quote.shared",
        "quote.declined",
        "quote.shared",
        "quote.accepted",
        "delivery_note.created",
        "payment.status_changed",
    ]
    bodies = [
        json.loads(body)
        for body in WebhookEvent.objects.order_by("pk").values_list("body", flat=True)
    ]
    assert bodies[4]["data"]["reason"] == "price"
    assert bodies[8]["data"] == {
        "quote_id": third.quote.pk,
        "quote_url": f"https://quotes.example.com/api/v1/quotes/{third.quote.pk}",
        "revision": 1,
        "event_sequence": bodies[8]["data"]["event_sequence"],
        "previous_status": "pending",
        "status": "paid",
        "payment_url": f"https://quotes.example.com/api/v1/quotes/{third.quote.pk}/payment",
    }
    # every body is thin: no names, emails or amounts
    for body in bodies:
        text = json.dumps(body)
        assert "@" not in text and "Anna" not in text and "Split the delivery" not in text
