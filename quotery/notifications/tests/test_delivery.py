"""Delivering the outbox (quotery.notifications.delivery): each email claimed by one worker,
retried with back-off, failed after the last attempt."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from quotery.notifications.delivery import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    outbox_due_ids,
    outbox_email_claim,
    outbox_email_deliver,
)
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.tests.notification_fixtures import add

pytestmark = pytest.mark.django_db


def test_only_one_worker_claims_a_row(company) -> None:
    email = add(company)
    assert outbox_email_claim(email_id=email.pk) is not None
    assert outbox_email_claim(email_id=email.pk) is None


def test_a_claim_left_by_a_crashed_worker_is_taken_again_after_the_timeout(company) -> None:
    email = add(company)
    outbox_email_claim(email_id=email.pk)
    later = timezone.now() + CLAIM_TIMEOUT + dt.timedelta(seconds=1)

    assert email.pk in outbox_due_ids(now=later)
    assert outbox_email_claim(email_id=email.pk, now=later) is not None


def test_security_20_a_failed_send_stays_pending_with_a_later_attempt(company) -> None:
    # given an email that cannot be built or sent (here: a kind nobody renders)
    email = add(company)
    before = timezone.now()

    # when the worker tries it
    status = outbox_email_deliver(email_id=email.pk)

    # then it waits for a retry with the error written down
    email.refresh_from_db()
    assert status == EmailStatus.PENDING == email.status
    assert email.attempts == 1
    assert email.next_attempt_at >= before + dt.timedelta(seconds=RETRY_DELAYS[0])
    assert "UnknownEmailKind" in email.last_error
    # and it is not due again before its time
    assert email.pk not in outbox_due_ids()
    assert outbox_email_deliver(email_id=email.pk) == EmailStatus.PENDING
    email.refresh_from_db()
    assert email.attempts == 1


def test_after_the_last_attempt_the_email_is_marked_failed(company) -> None:
    email = add(company)
    OutboxEmail.objects.filter(pk=email.pk).update(attempts=MAX_ATTEMPTS - 1)

    assert outbox_email_deliver(email_id=email.pk) == EmailStatus.FAILED
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED and email.attempts == MAX_ATTEMPTS


def test_an_email_whose_link_was_revoked_fails_at_once_and_is_never_retried(company) -> None:
    from quotery.accounts.factories import member
    from quotery.accounts.models import Role
    from quotery.portal.services.sharing import share_revoke, share_send
    from quotery.quotes.factories import make_quote

    # given a share email still waiting in the outbox when the rep revokes the link
    rep = member(company, Role.REP)
    share = share_send(
        quote=make_quote(owner=rep),
        user=rep,
        recipient_name="Anna",
        recipient_email="anna@example.com",
    )
    share_revoke(share=share, user=rep)
    email = OutboxEmail.objects.get()

    # when the worker gets to it
    status = outbox_email_deliver(email_id=email.pk)

    # then it is given up with the reason, and nothing is due for a retry
    email.refresh_from_db()
    assert status == EmailStatus.FAILED == email.status, email.last_error
    assert email.last_error == "Not sent: the link was revoked before this email went out."
    assert email.pk not in outbox_due_ids(now=timezone.now() + dt.timedelta(days=2))
