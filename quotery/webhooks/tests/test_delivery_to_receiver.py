"""Webhooks delivered to a real HTTP receiver on 127.0.0.1 that verifies each one with the
`standardwebhooks` package: what arrives, outages, 410, redirects, Retry-After, rotation,
and the SSRF guard (SECURITY.md 27)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import override_settings
from standardwebhooks import Webhook, WebhookVerificationError

from quotery.core.exceptions import ValidationFailed
from quotery.portal.services.sharing import share_send
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.webhooks.event_types import ALL_EVENT_TYPES
from quotery.webhooks.models import (
    DeliveryStatus,
    DisabledReason,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from quotery.webhooks.services.endpoints import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_send_test,
)
from quotery.webhooks.tasks import deliver_due_webhooks
from tests.webhook_receiver import Answer, WebhookReceiver, body_json

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def view_token(html: str) -> str:
    match = re.search(r'data-open="([^"]+)"', html)
    assert match
    return match.group(1)


def sweep() -> int:
    return deliver_due_webhooks.call()


def share_again(shared) -> None:
    share_send(
        quote=shared.quote,
        user=shared.quote.owner,
        recipient_name="Anna Client",
        recipient_email=shared.share.recipient_email,
        message="",
    )


def test_security_27_each_event_arrives_signed_with_the_standard_headers(
    client, rep, endpoint, receiver, django_capture_on_commit_callbacks, settings
):
    settings.BASE_URL = "https://quotes.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        shared = share_quote(rep)
    # a link scanner fetches the page: an open, no view, no webhook
    with django_capture_on_commit_callbacks(execute=True):
        scanner = client.get(shared.url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; Scanner)")
    # then a browser opens it and its beacon confirms the view
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(shared.url)
        assert (
            client.post(shared.seen_url, {"open": view_token(page.content.decode())}).status_code
            == 204
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(shared.pdf_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        acceptance = accept_shared(shared)

    assert scanner.status_code == 200
    assert receiver.types() == [
        "quote.shared",
        "quote.viewed",
        "quote.pdf_downloaded",
        "quote.accepted",
        "delivery_note.created",
    ]
    assert all(request.verified for request in receiver.requests)
    assert len(receiver.requests) == 5
    first = receiver.requests[0]
    assert re.fullmatch(r"msg_[0-9A-HJKMNP-TV-Z]{26}", first.headers["webhook-id"])
    assert re.fullmatch(r"\d{10}", first.headers["webhook-timestamp"])
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", first.headers["webhook-signature"])
    assert first.headers["content-type"] == "application/json"
    quote_id = shared.quote.pk
    assert body_json(first)["data"] == {
        "quote_id": quote_id,
        "quote_url": f"https://quotes.example.com/api/v1/quotes/{quote_id}",
        "revision": 1,
        "event_sequence": 1,
        "resend": False,
    }
    accepted = receiver.processed[receiver.requests[3].headers["webhook-id"]]
    assert accepted["data"]["acceptance_id"] == acceptance.pk
    assert accepted["data"]["acceptance_url"] == (
        f"https://quotes.example.com/api/v1/quotes/{quote_id}/acceptance"
    )
    note = receiver.processed[receiver.requests[4].headers["webhook-id"]]
    note_id = note["data"]["delivery_note_id"]
    assert note["data"]["delivery_note_url"] == (
        f"https://quotes.example.com/api/v1/delivery-notes/{note_id}"
    )
    assert set(WebhookDelivery.objects.values_list("status", "attempts", "last_status_code")) == {
        (DeliveryStatus.SUCCEEDED, 1, 204)
    }


def test_receiver_down_then_up_gets_every_event_at_least_once_and_processes_each_once(
    rep, company, admin_user, django_capture_on_commit_callbacks
):
    # given an endpoint whose receiver is down
    receiver = WebhookReceiver()
    created = webhook_endpoint_create(
        company=company, url=receiver.url, event_types=["quote.shared"], user=admin_user
    )
    receiver.secrets = [created.secret]
    with time_machine.travel(MOMENT, tick=True) as traveller:
        # when three shares happen while it is down
        with django_capture_on_commit_callbacks(execute=True):
            shared = share_quote(rep)
        with django_capture_on_commit_callbacks(execute=True):
            share_again(shared)
            share_again(shared)
        deliveries = WebhookDelivery.objects.order_by("pk")
        assert [(d.status, d.attempts, d.last_status_code) for d in deliveries] == [
            (DeliveryStatus.PENDING, 1, None)
        ] * 3
        # the second attempt is due 5 to 6 seconds later (5 s plus up to 20 % jitter)
        for delivery in deliveries:
            assert delivery.last_attempt_at is not None
            wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
            assert 5 <= wait <= 6
        traveller.shift(dt.timedelta(seconds=4))
        assert sweep() == 0  # nothing due yet
        assert set(deliveries.values_list("attempts", flat=True)) == {1}
        traveller.shift(dt.timedelta(seconds=3))
        assert sweep() == 0  # due, still down
        assert set(deliveries.values_list("attempts", flat=True)) == {2}

        # and it comes back up before the third attempt (5 minutes on)
        receiver.start()
        try:
            traveller.shift(dt.timedelta(minutes=7))
            assert sweep() == 3
            # a worker that crashed after the receiver answered sends the same event again
            again = deliveries.first()
            assert again is not None
            WebhookDelivery.objects.filter(pk=again.pk).update(status=DeliveryStatus.PENDING)
            assert sweep() == 1
        finally:
            receiver.stop()

    # then every event arrived, each processed once, every request verified
    ids = set(WebhookEvent.objects.values_list("msg_id", flat=True))
    assert len(ids) == 3
    assert set(receiver.processed) == ids
    assert all(request.verified for request in receiver.requests)
    arrivals = [request.headers["webhook-id"] for request in receiver.requests]
    assert sorted(arrivals.count(msg_id) for msg_id in ids) == [1, 1, 2]
    assert sum(request.duplicate for request in receiver.requests) == 1
    assert set(deliveries.values_list("status", "attempts")) == {
        (DeliveryStatus.SUCCEEDED, 3),
        (DeliveryStatus.SUCCEEDED, 4),
    }


def test_security_27_a_changed_byte_fails_verification(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        share_quote(rep)
    (delivered,) = receiver.requests
    verifier = Webhook(receiver.secrets[0])
    assert verifier.verify(delivered.body, delivered.headers)["type"] == "quote.shared"
    for position in (0, len(delivered.body) // 2, len(delivered.body) - 1):
        changed = bytearray(delivered.body)
        changed[position] ^= 0x01
        with pytest.raises(WebhookVerificationError):
            verifier.verify(bytes(changed), delivered.headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(delivered.body, {**delivered.headers, "webhook-id": "msg_other"})
    # and a receiver holding another secret refuses it
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(delivered.body, delivered.headers)


def test_410_gone_disables_the_endpoint_and_later_events_are_not_written(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer = Answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        shared = share_quote(rep)
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == DisabledReason.GONE
    assert list(WebhookDelivery.objects.values_list("status", "last_status_code")) == [
        (DeliveryStatus.FAILED, 410)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        share_again(shared)
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_5xx_and_429_wait_at_least_as_long_as_retry_after_says(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(MOMENT, tick=False):
        receiver.answer = Answer(503, headers={"Retry-After": "120"}, body=b"maintenance " * 100)
        with django_capture_on_commit_callbacks(execute=True):
            shared = share_quote(rep)
        delivery = WebhookDelivery.objects.get()
        assert delivery.next_attempt_at == MOMENT + dt.timedelta(seconds=120)
        # the receiver's answer is kept short (SECURITY.md 27)
        assert delivery.last_error.startswith("HTTP 503: maintenance maintenance")
        assert len(delivery.last_error) <= 200
        receiver.answer = Answer(429, headers={"Retry-After": "Tue, 10 Mar 2026 10:00:00 GMT"})
        with django_capture_on_commit_callbacks(execute=True):
            share_again(shared)
        second = WebhookDelivery.objects.order_by("pk").last()
        assert second is not None
        assert second.next_attempt_at == dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
        # a 400 with Retry-After keeps to the schedule: 5 to 6 seconds
        receiver.answer = Answer(400, headers={"Retry-After": "3600"})
        with django_capture_on_commit_callbacks(execute=True):
            share_again(shared)
        third = WebhookDelivery.objects.order_by("pk").last()
        assert third is not None
        assert MOMENT + dt.timedelta(seconds=5) <= third.next_attempt_at
        assert third.next_attempt_at <= MOMENT + dt.timedelta(seconds=6)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    elsewhere = WebhookReceiver().start()
    try:
        receiver.answer = Answer(307, headers={"Location": elsewhere.url})
        with django_capture_on_commit_callbacks(execute=True):
            share_quote(rep)
    finally:
        elsewhere.stop()
    assert elsewhere.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 307)
    assert "redirect" in delivery.last_error


def test_eight_failed_attempts_on_the_schedule_then_it_gives_up(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer = Answer(500)
    waits = []
    with time_machine.travel(MOMENT, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            share_quote(rep)
        delivery = WebhookDelivery.objects.get()
        while delivery.status == DeliveryStatus.PENDING:
            assert delivery.last_attempt_at is not None
            wait = delivery.next_attempt_at - delivery.last_attempt_at
            waits.append(wait.total_seconds())
            traveller.move_to(delivery.next_attempt_at)
            sweep()
            delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 8)
    schedule = [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert len(waits) == 7
    for waited, planned in zip(waits, schedule, strict=True):
        assert planned <= waited <= planned * 1.2
    assert len(receiver.requests) == 8


def test_security_27_rotation_signs_with_both_secrets_for_24_hours(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    old_secret = receiver.secrets[0]
    with time_machine.travel(MOMENT, tick=True) as traveller:
        rotated = webhook_endpoint_rotate_secret(endpoint=endpoint)
        assert rotated.secret != old_secret and rotated.secret.startswith("whsec_")
        # a receiver still holding the old secret verifies during the overlap
        with django_capture_on_commit_callbacks(execute=True):
            shared = share_quote(rep)
        request = receiver.requests[-1]
        assert request.verified
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        Webhook(rotated.secret).verify(request.body, request.headers)
        # after 24 hours only the new secret signs
        traveller.shift(dt.timedelta(hours=24, seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            share_again(shared)
        request = receiver.requests[-1]
        assert not request.verified
        assert len(request.headers["webhook-signature"].split(" ")) == 1
        Webhook(rotated.secret).verify(request.body, request.headers)


def test_replay_sends_the_same_webhook_id_and_body_again(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        share_quote(rep)
    first = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        replay = webhook_delivery_replay(delivery=first)
    replay.refresh_from_db()
    assert replay.pk != first.pk and replay.status == DeliveryStatus.SUCCEEDED
    one, two = receiver.requests
    assert one.headers["webhook-id"] == two.headers["webhook-id"]
    assert one.body == two.body
    assert two.duplicate


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_security_27_no_delivery_to_127_0_0_1_without_the_setting(
    rep, endpoint, receiver, company, django_capture_on_commit_callbacks
):
    # given an endpoint at 127.0.0.1 saved while private targets were allowed
    with django_capture_on_commit_callbacks(execute=True):
        share_quote(rep)
    # then nothing reached the receiver; the delivery says why and waits for a retry
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert (
        "private, loopback or link-local" in delivery.last_error
        or "https://" in delivery.last_error
    )
    # and such an endpoint cannot be saved now
    for url in (
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hook",
        "http://example.com/hook",
    ):
        with pytest.raises(ValidationFailed) as refused:
            webhook_endpoint_create(company=company, url=url, event_types=["quote.shared"])
        assert "url" in refused.value.field_errors, url


def test_security_27_a_test_event_reaches_only_its_endpoint_signed(
    company, admin_user, endpoint, receiver, django_capture_on_commit_callbacks, settings
):
    settings.BASE_URL = "https://quotes.example.com"
    # another endpoint of the company, wanting every event: a test is not sent to it
    other = webhook_endpoint_create(
        company=company,
        url="http://127.0.0.1:9/elsewhere",
        event_types=ALL_EVENT_TYPES,
        description="ERP",
        user=admin_user,
    ).endpoint
    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhook_endpoint_send_test(endpoint=endpoint)
    receiver.wait_for(1)
    (received,) = receiver.requests
    assert received.verified
    assert received.headers["webhook-id"] == delivery.event.msg_id
    assert body_json(received)["type"] == "webhook.test"
    assert body_json(received)["data"] == {
        "endpoint_id": endpoint.pk,
        "endpoint_url": f"https://quotes.example.com/api/v1/webhooks/{endpoint.pk}",
        "message": "A test event sent from Quotery. Nothing happened to any quote.",
    }
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.last_status_code == 204
    assert not WebhookDelivery.objects.filter(endpoint=other).exists()


def test_a_test_event_to_a_disabled_endpoint_is_refused_and_writes_nothing(endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_reason=DisabledReason.BY_USER)
    endpoint.refresh_from_db()
    with pytest.raises(ValidationFailed, match="Enable the endpoint first"):
        webhook_endpoint_send_test(endpoint=endpoint)
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()
