"""Every payment status change emails the client who accepted, through the outbox written
in the change's transaction: exactly one email per change, none for a no-op or a refusal.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from quotery.billing.models import PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.billing.tests.conftest import Billed, written
from quotery.core.exceptions import IllegalTransition
from quotery.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

S = PaymentStatus


def client_emails() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="payment_status_client").order_by("pk"))


def test_each_change_enqueues_exactly_one_email_to_the_signer(billed: Billed, finance) -> None:
    # given an acceptance and its confirmation in the outbox, and no payment email yet
    assert client_emails() == []

    # when finance moves the payment pending -> under review -> pending -> paid
    for status in (S.UNDER_REVIEW, S.PENDING, S.PAID):
        payment_status_set(payment=billed.payment, status=status, user=finance)

    # then one email per change, to the client who accepted, each naming its change
    emails = client_emails()
    assert [(e.to_email, e.to_name) for e in emails] == [("anna@client.test", "Anna Client")] * 3
    assert [(e.context["from"], e.context["to"]) for e in emails] == [
        ("pending", "under_review"),
        ("under_review", "pending"),
        ("pending", "paid"),
    ]
    assert len({e.dedupe_key for e in emails}) == 3
    assert all(e.context["payment"] == billed.payment.pk for e in emails)


@pytest.mark.parametrize("status", [S.PENDING, S.UNDER_REVIEW])
def test_setting_the_status_it_has_sends_nothing_more(billed: Billed, finance, status) -> None:
    payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)
    before = written()

    payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)

    assert written() == before
    assert len(client_emails()) == 1


def test_a_refused_change_emails_nobody(billed: Billed, finance) -> None:
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    before = written()

    with pytest.raises(IllegalTransition):
        payment_status_set(payment=billed.payment, status=S.PENDING, user=finance)

    assert written() == before
    assert len(client_emails()) == 1


def test_the_email_is_written_in_the_change_s_transaction(
    billed: Billed, finance, django_capture_on_commit_callbacks
) -> None:
    # the outbox row exists before commit; the worker is asked once the transaction commits
    with django_capture_on_commit_callbacks() as callbacks:
        payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)
        assert len(client_emails()) == 1
    assert len(callbacks) == 1
