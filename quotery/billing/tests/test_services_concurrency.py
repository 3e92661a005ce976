"""Payment status changes under real concurrency on PostgreSQL: threads with their own
connections set the status of one payment at the same moment."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.db import connection

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.billing.tests.conftest import accept_behind_gate
from quotery.core.exceptions import IllegalTransition
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import Notification, NotificationKind
from quotery.quotes.models import Quote, QuoteState
from tests.concurrency import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are a PostgreSQL concern; SQLite's IMMEDIATE transactions admit "
        "one writer at a time",
    ),
]

S = PaymentStatus


def test_security_18_many_paid_clicks_at_once_close_the_quote_once():
    # given a payment under review, and finance and an admin with the page open in tabs
    company = CompanyFactory()
    billed = accept_behind_gate(member(company, Role.REP))
    finance = member(company, Role.FINANCE)
    admin = member(company, Role.ADMIN)
    payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)
    stale = [Payment.objects.get(pk=billed.payment.pk) for _ in range(10)]

    # when ten tabs submit: eight say paid, two say pending
    targets = [S.PAID] * 8 + [S.PENDING] * 2
    users = [finance, admin] * 5

    def setting(payment: Payment, status: str, user: object) -> Callable[[], object]:
        return lambda: payment_status_set(payment=payment, status=status, user=user)  # type: ignore[arg-type]

    _, errors = run_at_once(
        [setting(p, t, u) for p, t, u in zip(stale, targets, users, strict=True)]
    )

    # then the payment is paid and the quote closed, each exactly once
    assert all(isinstance(error, IllegalTransition) for error in errors), errors
    assert Payment.objects.get(pk=billed.payment.pk).status == S.PAID
    assert Quote.objects.get(pk=billed.payment.quote_id).state == QuoteState.CLOSED
    changes = list(
        QuoteEvent.objects.filter(
            quote_id=billed.payment.quote_id, kind=EventKind.PAYMENT_STATUS_CHANGED
        )
        .order_by("sequence")
        .values_list("data", flat=True)
    )
    assert [change["to"] for change in changes].count(S.PAID) == 1
    assert changes[-1]["to"] == S.PAID
    # every event follows from the one before it: no change was lost or doubled
    for before, after in itertools.pairwise(changes):
        assert after["from"] == before["to"]
    notes = Notification.objects.filter(kind=NotificationKind.PAYMENT_STATUS_CHANGED).count()
    assert notes == len(changes)
    assert verify_quote_chain(billed.payment.quote_id).ok
