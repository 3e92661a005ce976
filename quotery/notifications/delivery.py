"""Delivering the outbox: a worker claims a row, builds its email by kind, sends it, and
on failure schedules the next attempt with back-off. Rows are written by
`quotery.notifications.services.outbox_email_add`; `quotery.notifications.tasks` runs this."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.rendering import EmailNotSendable, render_outbox_email

logger = logging.getLogger("quotery.outbox")

MAX_ATTEMPTS = 8
# Waits after the 1st, 2nd, ... failed attempt: about a day of retries in all.
RETRY_DELAYS = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600]
# A row claimed this long ago by a worker that never finished is claimed again.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


def outbox_email_claim(*, email_id: int, now: dt.datetime | None = None) -> OutboxEmail | None:
    """Compare-and-set: marks the row as being sent by this worker, or returns None when it
    is sent, given up, not yet due, or being sent by another worker."""
    now = now or timezone.now()
    claimed = OutboxEmail.objects.filter(
        pk=email_id, status=EmailStatus.PENDING, next_attempt_at__lte=now
    ).update(status=EmailStatus.SENDING, claimed_at=now) or OutboxEmail.objects.filter(
        pk=email_id, status=EmailStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(claimed_at=now)
    if not claimed:
        return None
    return OutboxEmail.objects.select_related("company").get(pk=email_id)


def outbox_email_deliver(*, email_id: int) -> str:
    """Sends one outbox email if it is due; returns its status afterwards.

    Failure leaves it pending with a later attempt time (or failed after MAX_ATTEMPTS), so
    an SMTP outage delays mail and loses none. An email that must never go out
    (EmailNotSendable, e.g. its link was revoked) is marked failed at once. The Message-ID
    comes from the dedupe key, so in the rare case of a crash after the server took the mail
    and before we wrote it down, the second copy is recognisably the same message.
    """
    email = outbox_email_claim(email_id=email_id)
    if email is None:
        return (
            OutboxEmail.objects.filter(pk=email_id).values_list("status", flat=True).first() or ""
        )
    try:
        message = render_outbox_email(email)
        message.send()
    except EmailNotSendable as reason:
        OutboxEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.FAILED,
            attempts=email.attempts + 1,
            claimed_at=None,
            last_error=str(reason)[:500],
        )
        return EmailStatus.FAILED
    except Exception as error:  # any other failure: SMTP refused, server down, template bug
        attempts = email.attempts + 1
        given_up = attempts >= MAX_ATTEMPTS
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        OutboxEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.FAILED if given_up else EmailStatus.PENDING,
            attempts=attempts,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
            claimed_at=None,
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        # The error names the failure, not the recipient (SECURITY.md 24).
        logger.warning(
            "Outbox email %s (%s) attempt %s failed: %s",
            email.pk,
            email.kind,
            attempts,
            type(error).__name__,
        )
        return EmailStatus.FAILED if given_up else EmailStatus.PENDING
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENT,
        attempts=email.attempts + 1,
        sent_at=timezone.now(),
        claimed_at=None,
        last_error="",
    )
    return EmailStatus.SENT


def outbox_due_ids(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    """Pending rows whose time has come, and rows a crashed worker left half-claimed."""
    now = now or timezone.now()
    pending = OutboxEmail.objects.filter(status=EmailStatus.PENDING, next_attempt_at__lte=now)
    stale = OutboxEmail.objects.filter(
        status=EmailStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    return list((pending | stale).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
