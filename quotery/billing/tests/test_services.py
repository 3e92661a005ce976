"""payment_status_set: the finance gate's transitions and what each one writes, or not."""

from __future__ import annotations

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.billing.tests.conftest import Billed, written
from quotery.core.exceptions import IllegalTransition, PermissionDenied, ValidationFailed
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import Notification, NotificationKind
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db

S = PaymentStatus


def payment_events(billed: Billed) -> list[QuoteEvent]:
    return list(
        QuoteEvent.objects.filter(
            quote_id=billed.payment.quote_id, kind=EventKind.PAYMENT_STATUS_CHANGED
        ).order_by("sequence")
    )


def test_accepting_behind_the_gate_opens_a_pending_payment(billed):
    assert billed.payment.status == S.PENDING
    assert billed.quote.state == QuoteState.READY_FOR_BILLING


def test_under_review_records_the_change_and_notifies_the_owner_once(billed, finance, rep):
    # when finance sets the payment under review
    payment = payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)

    # then the status is stored with who set it, and the quote still waits for billing
    stored = Payment.objects.get(pk=billed.payment.pk)
    assert (payment.status, stored.status) == (S.UNDER_REVIEW, S.UNDER_REVIEW)
    assert stored.updated_by == finance
    assert billed.quote.state == QuoteState.READY_FOR_BILLING
    # one chained event with from and to, by finance
    [event] = payment_events(billed)
    assert event.data == {"from": "pending", "to": "under_review"}
    assert event.actor == finance
    assert verify_quote_chain(billed.payment.quote_id).ok
    # one notification for the quote's owner
    [note] = Notification.objects.filter(kind=NotificationKind.PAYMENT_STATUS_CHANGED)
    assert note.user == rep
    assert note.quote_id == billed.payment.quote_id
    assert "under review" in note.text
    assert billed.quote.number in note.text


def test_paid_closes_the_quote(billed, finance):
    payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)

    assert billed.quote.state == QuoteState.CLOSED
    assert Payment.objects.get(pk=billed.payment.pk).status == S.PAID
    assert [e.data for e in payment_events(billed)] == [
        {"from": "pending", "to": "under_review"},
        {"from": "under_review", "to": "paid"},
    ]
    assert Notification.objects.filter(kind=NotificationKind.PAYMENT_STATUS_CHANGED).count() == 2
    assert verify_quote_chain(billed.payment.quote_id).ok


def test_pending_straight_to_paid_closes_the_quote(billed, finance):
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    assert billed.quote.state == QuoteState.CLOSED


def test_under_review_can_go_back_to_pending(billed, finance):
    payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)
    payment_status_set(payment=billed.payment, status=S.PENDING, user=finance)
    assert Payment.objects.get(pk=billed.payment.pk).status == S.PENDING
    assert [e.data["to"] for e in payment_events(billed)] == ["under_review", "pending"]
    assert billed.quote.state == QuoteState.READY_FOR_BILLING


def test_an_admin_may_set_the_status(billed, admin_user):
    payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=admin_user)
    assert Payment.objects.get(pk=billed.payment.pk).status == S.UNDER_REVIEW


@pytest.mark.parametrize("status", [S.PENDING, S.UNDER_REVIEW])
def test_setting_the_same_status_again_writes_nothing(billed, finance, status):
    if status != S.PENDING:
        payment_status_set(payment=billed.payment, status=status, user=finance)
    before = written()
    payment = payment_status_set(payment=billed.payment, status=status, user=finance)
    assert payment.status == status
    assert written() == before


def test_a_stale_payment_object_is_compared_with_the_stored_status(billed, finance):
    # two finance tabs: the second submits under review from a page that still said pending
    stale = Payment.objects.get(pk=billed.payment.pk)
    payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)
    before = written()
    payment_status_set(payment=stale, status=S.UNDER_REVIEW, user=finance)
    assert written() == before


@pytest.mark.parametrize("target", [S.PENDING, S.UNDER_REVIEW])
def test_a_paid_payment_never_changes_and_nothing_is_written(billed, finance, target):
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    before = written()
    with pytest.raises(IllegalTransition) as refused:
        payment_status_set(payment=billed.payment, status=target, user=finance)
    assert "already paid" in refused.value.message
    assert written() == before
    assert billed.quote.state == QuoteState.CLOSED


def test_paid_again_is_a_no_op(billed, finance):
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    before = written()
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    assert written() == before


@pytest.mark.parametrize("status", ["", "refunded", "PAID", "paid ", "closed"])
def test_an_unknown_status_is_refused_and_nothing_is_written(billed, finance, status):
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        payment_status_set(payment=billed.payment, status=status, user=finance)
    assert refused.value.field_errors["status"]
    assert "pending, under review or paid" in refused.value.message
    assert written() == before


@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER])
def test_other_roles_may_not_set_the_status(billed, company, role):
    someone = member(company, role)
    before = written()
    with pytest.raises(PermissionDenied):
        payment_status_set(payment=billed.payment, status=S.PAID, user=someone)
    assert written() == before
    assert billed.quote.state == QuoteState.READY_FOR_BILLING


def test_an_inactive_finance_user_may_not_set_the_status(billed, finance):
    finance.is_active = False
    finance.save()
    before = written()
    with pytest.raises(PermissionDenied):
        payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    assert written() == before


def test_security_23_finance_of_another_company_may_not_set_the_status(billed, other_company):
    foreign_finance = member(other_company, Role.FINANCE)
    before = written()
    with pytest.raises(PermissionDenied):
        payment_status_set(payment=billed.payment, status=S.PAID, user=foreign_finance)
    assert written() == before
    assert billed.quote.state == QuoteState.READY_FOR_BILLING


def test_paid_on_a_quote_that_is_no_longer_ready_for_billing_rolls_everything_back(billed, finance):
    # a quote that somehow left ready for billing (here: written directly) cannot close
    Quote.objects.filter(pk=billed.payment.quote_id).update(state=QuoteState.DECLINED)
    before = written()
    with pytest.raises(IllegalTransition):
        payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    assert written() == before
    assert billed.quote.state == QuoteState.DECLINED


def test_each_change_gets_its_own_notification(billed, finance):
    # pending -> under review -> pending -> under review: three changes, three notifications
    for status in (S.UNDER_REVIEW, S.PENDING, S.UNDER_REVIEW):
        payment_status_set(payment=billed.payment, status=status, user=finance)
    keys = set(
        Notification.objects.filter(kind=NotificationKind.PAYMENT_STATUS_CHANGED).values_list(
            "dedupe_key", flat=True
        )
    )
    assert len(keys) == 3


def test_without_the_gate_an_accepted_quote_has_no_payment_and_closes(rep):
    shared = share_quote(rep)
    accept_shared(shared)
    assert not Payment.objects.filter(quote=shared.quote).exists()
    assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.CLOSED
