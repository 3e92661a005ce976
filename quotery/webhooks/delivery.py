"""Delivering webhooks: a worker claims a delivery row, signs the event's body and POSTs it,
and records the answer. Only a 2xx answer delivers; 410 Gone disables the endpoint; any
other answer or failure schedules the next attempt on the Standard Webhooks schedule (with
jitter, and never sooner than a 429's or 5xx's `Retry-After`), until the eighth attempt
fails. Rows are written by `quotery.webhooks.services.publishing`; `quotery.webhooks.tasks`
runs this. At-least-once: a crash after the receiver answered and before the row was
updated sends the same `webhook-id` and body again, which receivers dedupe.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from quotery.webhooks.models import (
    DeliveryStatus,
    DisabledReason,
    WebhookDelivery,
    WebhookEndpoint,
)
from quotery.webhooks.signing import delivery_headers
from quotery.webhooks.targets import Target, TargetRefused, resolve_target

logger = logging.getLogger("quotery.webhooks")

# Seconds to wait before the 1st, 2nd, ... 8th attempt: the Standard Webhooks schedule
# (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), about 27.5 hours in all.
SCHEDULE = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
MAX_ATTEMPTS = len(SCHEDULE)
# Each wait grows by up to this fraction, at random, so retries after an outage spread out.
JITTER = 0.2
# A receiver's Retry-After is honoured up to this long.
RETRY_AFTER_MAX = 24 * 3600
TIMEOUT_SECONDS = 15.0
# A row claimed this long ago by a worker that never finished is claimed again.
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
# The sweep claims this many due deliveries at once, and stops sending a batch after this
# long (well inside CLAIM_TIMEOUT, even if each waits out the full timeout).
BATCH_SIZE = 50
BATCH_SECONDS = 120.0
# How much of a receiver's answer is read, and how much of it is kept (SECURITY.md 27).
READ_LIMIT = 4096
KEPT_LIMIT = 200
USER_AGENT = "Quotery-Webhooks/1.0"


def retry_delay(
    attempts_done: int, *, retry_after: float | None = None, rng: random.Random | None = None
) -> float | None:
    """Seconds until the next attempt after `attempts_done` attempts failed, or None when
    the schedule is over."""
    if attempts_done >= MAX_ATTEMPTS:
        return None
    base = SCHEDULE[attempts_done]
    delay = base * (1 + (rng or random).uniform(0, JITTER))
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_MAX))
    return delay


def parse_retry_after(value: str | None, *, now: dt.datetime) -> float | None:
    """Retry-After as seconds from `now`: delta-seconds or an HTTP date; None if absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value[:9]))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class Answer:
    """What one attempt got: the status code (None: no answer) and a short note."""

    status_code: int | None
    note: str = ""
    retry_after: str | None = None
    # Not sent at all: the endpoint was disabled after the delivery was written.
    endpoint_disabled: bool = False
    # The connection itself was refused (the next address may take it).
    refused: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _Clients:
    """One keep-alive HTTP client per (scheme, host name), so a TLS connection made with
    one host's SNI is never reused for another host at the same address."""

    SIZE = 64

    def __init__(self) -> None:
        self._clients: OrderedDict[tuple[str, str], httpx.Client] = OrderedDict()
        self._lock = threading.Lock()

    def for_target(self, target: Target) -> httpx.Client:
        key = (target.scheme, target.host)
        with self._lock:
            client = self._clients.get(key)
            if client is not None:
                self._clients.move_to_end(key)
                return client
            client = httpx.Client(
                timeout=httpx.Timeout(TIMEOUT_SECONDS),
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment: we connect where we checked
            )
            self._clients[key] = client
            while len(self._clients) > self.SIZE:
                _, oldest = self._clients.popitem(last=False)
                oldest.close()
            return client


_clients = _Clients()


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def post_to_target(*, target: Target, headers: dict[str, str], body: bytes) -> Answer:
    """POSTs `body` to the checked addresses in turn until one takes the connection (a host
    may resolve to an IPv6 and an IPv4 address), naming the URL's host in Host and SNI.
    Reads at most READ_LIMIT bytes of the answer; never follows a redirect."""
    answer = Answer(None, "No address of the host took the connection.")
    for address in target.addresses:
        answer = _post_once(target, address, headers, body)
        if not answer.refused:
            break
    return answer


def _post_once(target: Target, address: str, headers: dict[str, str], body: bytes) -> Answer:
    client = _clients.for_target(target)
    try:
        with client.stream(
            "POST",
            target.connect_url_for(address),
            content=body,
            headers={**headers, "host": target.host_header, "user-agent": USER_AGENT},
            extensions={"sni_hostname": target.host},
        ) as response:
            read = b""
            for chunk in response.iter_bytes():
                read += chunk
                if len(read) >= READ_LIMIT:
                    break
            code = response.status_code
            retry_after = response.headers.get("retry-after")
    except httpx.TimeoutException:
        return Answer(None, f"No answer within {TIMEOUT_SECONDS:g} seconds.")
    except httpx.ConnectError:
        return Answer(
            None, "Could not connect: the receiver did not take the connection.", refused=True
        )
    except httpx.HTTPError as error:
        return Answer(None, f"Could not connect: {type(error).__name__}.")
    if 300 <= code < 400:
        return Answer(code, f"HTTP {code}: a redirect, which is not followed.")
    excerpt = _printable(read[:KEPT_LIMIT].decode("utf-8", "replace"))
    note = f"HTTP {code}" + (f": {excerpt}" if excerpt else "")
    return Answer(code, note[:KEPT_LIMIT], retry_after)


def webhook_delivery_claim(
    *, delivery_id: int, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """Compare-and-set: marks the row as being sent by this worker, or None when it is
    delivered, given up, not yet due, or being sent by another worker."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, claimed_at=now) or WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(claimed_at=now)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)


@dataclass(frozen=True)
class Outcome:
    """A delivery's status after an attempt, and when the next one is due (if any)."""

    status: str
    retry_at: dt.datetime | None = None


def webhook_delivery_attempt(*, delivery_id: int) -> Outcome:
    """Makes one attempt of a delivery if it is due; returns its status afterwards."""
    delivery = webhook_delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        status = (
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        )
        return Outcome(status or "")
    return _record(delivery, _send(delivery))


def _send(delivery: WebhookDelivery) -> Answer:
    """One attempt over the network; reads and writes no row."""
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        return Answer(None, "The endpoint is disabled.", endpoint_disabled=True)
    now = timezone.now()
    body = delivery.event.body.encode("utf-8")
    try:
        target = resolve_target(endpoint.url)
    except TargetRefused as refusal:
        return Answer(None, refusal.message[:KEPT_LIMIT])
    headers = delivery_headers(
        secrets_in_use=endpoint.signing_secrets(now),
        msg_id=delivery.event.msg_id,
        timestamp=now,
        body=body,
    )
    return post_to_target(target=target, headers=headers, body=body)


def webhook_deliveries_claim(
    *, limit: int, now: dt.datetime | None = None
) -> list[WebhookDelivery]:
    """Claims up to `limit` due deliveries (pending and due, or claimed by a worker that
    never finished) for this worker, oldest first, in one transaction: on PostgreSQL rows
    another worker is claiming are skipped (SKIP LOCKED); SQLite admits one writer."""
    now = now or timezone.now()
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENDING, claimed_at=now
        )
    return list(
        WebhookDelivery.objects.filter(pk__in=ids)
        .select_related("endpoint", "event")
        .order_by("next_attempt_at", "pk")
    )


def webhook_deliveries_attempt_due(*, limit: int = BATCH_SIZE) -> list[Outcome]:
    """Claims a batch of due deliveries, attempts each, and records the answers in one
    transaction (one commit for the batch, not two per delivery). A batch stops sending
    after BATCH_SECONDS and gives the rest back, so no claim outlives CLAIM_TIMEOUT. A
    crash mid-batch leaves its rows claimed; they are sent again after CLAIM_TIMEOUT with
    the same `webhook-id` (at-least-once)."""
    claimed = webhook_deliveries_claim(limit=limit)
    began = time.monotonic()
    answered: list[tuple[WebhookDelivery, Answer]] = []
    for delivery in claimed:
        if time.monotonic() - began > BATCH_SECONDS:
            break
        answered.append((delivery, _send(delivery)))
    unsent = [delivery.pk for delivery in claimed[len(answered) :]]
    with transaction.atomic():
        outcomes = [_record(delivery, answer) for delivery, answer in answered]
        if unsent:
            WebhookDelivery.objects.filter(pk__in=unsent, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.PENDING, claimed_at=None
            )
    return outcomes


def _record(delivery: WebhookDelivery, answer: Answer) -> Outcome:
    if answer.endpoint_disabled:
        _finish(delivery, DeliveryStatus.FAILED, answer)
        return Outcome(DeliveryStatus.FAILED)
    if answer.delivered:
        _finish(delivery, DeliveryStatus.SUCCEEDED, answer)
        return Outcome(DeliveryStatus.SUCCEEDED)
    if answer.status_code == 410:
        _finish(delivery, DeliveryStatus.FAILED, answer)
        webhook_endpoint_disable_gone(endpoint_id=delivery.endpoint_id)
        return Outcome(DeliveryStatus.FAILED)
    now = timezone.now()
    attempts = delivery.attempts + 1
    honours = answer.status_code == 429 or (answer.status_code or 0) >= 500
    delay = retry_delay(
        attempts,
        retry_after=parse_retry_after(answer.retry_after, now=now) if honours else None,
    )
    # The reason names the failure, not the receiver's URL (it may carry a token).
    logger.warning(
        "Webhook delivery %s (%s) attempt %s failed: %s",
        delivery.pk,
        delivery.event.type,
        attempts,
        answer.status_code or "no answer",
    )
    if delay is None:
        _finish(delivery, DeliveryStatus.FAILED, answer)
        return Outcome(DeliveryStatus.FAILED)
    next_attempt_at = now + dt.timedelta(seconds=delay)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        claimed_at=None,
        last_attempt_at=now,
        last_status_code=answer.status_code,
        last_error=answer.note[:KEPT_LIMIT],
    )
    return Outcome(DeliveryStatus.PENDING, next_attempt_at)


def _finish(delivery: WebhookDelivery, status: str, answer: Answer) -> None:
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=delivery.attempts + 1,
        claimed_at=None,
        last_attempt_at=now,
        last_status_code=answer.status_code,
        last_error="" if status == DeliveryStatus.SUCCEEDED else answer.note[:KEPT_LIMIT],
        delivered_at=now if status == DeliveryStatus.SUCCEEDED else None,
    )


def webhook_endpoint_disable_gone(*, endpoint_id: int) -> bool:
    """The receiver answered 410 Gone: the endpoint is disabled, as the spec asks, until an
    admin enables it again. Returns whether it changed."""
    now = timezone.now()
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint_id, disabled_reason=DisabledReason.NONE).update(
            disabled_reason=DisabledReason.GONE, disabled_at=now, updated_at=now
        )
    )
