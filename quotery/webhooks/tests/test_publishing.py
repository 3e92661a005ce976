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
from quotery.engagement.chain import pending_opens_fold
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.tasks import expire_due_quotes
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.quotes.factories import make_quote
from quotery.quotes.models import QuoteState
from quotery.quotes.services.quotes import quote_mark_sent
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
