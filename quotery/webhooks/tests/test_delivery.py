"""The retry schedule, Retry-After, the stale-claim rule and the Host a delivery names."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from quotery.portal.tests.portal_fixtures import share_quote
from quotery.webhooks.delivery import (
    CLAIM_TIMEOUT,
    SCHEDULE,
    TIMEOUT_SECONDS,
    parse_retry_after,
    post_to_target,
    retry_delay,
    webhook_deliveries_claim,
    webhook_delivery_claim,
)
from quotery.webhooks.event_types import ALL_EVENT_TYPES
from quotery.webhooks.models import DeliveryStatus, WebhookDelivery
from quotery.webhooks.services.endpoints import webhook_endpoint_create
from quotery.webhooks.signing import delivery_headers, secret_new
from quotery.webhooks.targets import Target
from tests.network import free_port

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


class Fixed(random.Random):
    """A random source that always draws the same fraction of the range."""

    def __init__(self, fraction: float) -> None:
        super().__init__()
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction


def test_the_schedule_is_the_standard_webhooks_one():
    assert SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    assert TIMEOUT_SECONDS == 15


def test_waits_follow_the_schedule_with_up_to_20_percent_jitter():
    low = [retry_delay(n, rng=Fixed(0.0)) for n in range(1, 8)]
    high = [retry_delay(n, rng=Fixed(1.0)) for n in range(1, 8)]
    assert low == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert high == [6, 360, 2160, 8640, 21600, 43200, 43200]
    assert retry_delay(8) is None  # the eighth failure ends it


def test_retry_after_is_honoured_when_longer_and_capped_at_a_day():
    assert retry_delay(1, retry_after=120, rng=Fixed(0.0)) == 120
    assert retry_delay(3, retry_after=120, rng=Fixed(0.0)) == 1800  # the schedule is longer
    assert retry_delay(1, retry_after=10**7, rng=Fixed(0.0)) == 24 * 3600


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Tue, 10 Mar 2026 09:05:00 GMT", 300.0),
        ("Tue, 10 Mar 2026 08:00:00 GMT", 0.0),  # in the past: now
        ("soon", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.django_db
def test_a_claim_is_exclusive_until_it_goes_stale(rep, company):
    webhook_endpoint_create(
        company=company, url="https://crm.example.com/in", event_types=ALL_EVENT_TYPES
    )
    share_quote(rep)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=NOW)
    assert webhook_deliveries_claim(limit=10, now=NOW - dt.timedelta(seconds=1)) == []
    assert webhook_deliveries_claim(limit=10, now=NOW) == [delivery]
    # a second worker gets nothing while the first is sending
    assert webhook_delivery_claim(delivery_id=delivery.pk, now=NOW) is None
    assert webhook_deliveries_claim(limit=10, now=NOW + CLAIM_TIMEOUT) == []
    # a worker that died mid-send: its claim is taken over after the timeout
    later = NOW + CLAIM_TIMEOUT + dt.timedelta(seconds=1)
    assert webhook_deliveries_claim(limit=10, now=later) == [delivery]
    again = later + CLAIM_TIMEOUT + dt.timedelta(seconds=1)
    assert webhook_delivery_claim(delivery_id=delivery.pk, now=again) is not None
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SENDING


@pytest.mark.django_db
def test_the_delivery_names_the_urls_host_while_connecting_to_its_checked_address(
    rep, company, receiver, django_capture_on_commit_callbacks
):
    created = webhook_endpoint_create(
        company=company,
        url=f"http://localhost:{receiver.port}{receiver.path}",
        event_types=["quote.shared"],
    )
    receiver.secrets = [created.secret]
    with django_capture_on_commit_callbacks(execute=True):
        share_quote(rep)
    (request,) = receiver.requests
    assert request.verified
    assert request.headers["host"] == f"localhost:{receiver.port}"
    assert request.headers["user-agent"] == "Quotery-Webhooks/1.0"


def test_a_refused_connection_tries_the_hosts_next_checked_address(receiver):
    # given a host that resolved to two addresses, the first of which takes no connection
    target = Target(
        scheme="http",
        host="receiver.test",
        port=receiver.port,
        addresses=("127.0.0.2", "127.0.0.1"),
        path=receiver.path,
    )
    receiver.secrets = [secret := secret_new()]
    body = b'{"type":"quote.shared"}'
    headers = delivery_headers(
        secrets_in_use=[secret], msg_id="msg_1", timestamp=dt.datetime.now(dt.UTC), body=body
    )

    answer = post_to_target(target=target, headers=headers, body=body)

    assert (answer.status_code, answer.delivered) == (204, True)
    (request,) = receiver.requests
    assert request.verified and request.headers["host"] == f"receiver.test:{receiver.port}"
    # and when no address takes it, the answer says so
    nowhere = Target("http", "receiver.test", free_port(), ("127.0.0.1",), "/")
    refused = post_to_target(target=nowhere, headers=headers, body=body)
    assert (refused.status_code, refused.delivered) == (None, False)
    assert refused.note == "Could not connect: the receiver did not take the connection."
