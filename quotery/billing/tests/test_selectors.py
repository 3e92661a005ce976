"""The finance list and the client's payment notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.selectors import (
    RECENTLY_PAID,
    PaymentNotice,
    payment_notice_for,
    payments_for_finance,
)
from quotery.billing.services import (
    InstructionsInput,
    payment_instructions_update,
    payment_status_set,
)
from quotery.billing.tests.conftest import accept_behind_gate
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote

pytestmark = pytest.mark.django_db

S = PaymentStatus


@pytest.fixture
def three(rep, finance):
    """Three accepted quotes behind the gate: one pending, one under review, one paid."""
    pending = accept_behind_gate(rep, email="a@client.test")
    review = accept_behind_gate(rep, email="b@client.test")
    paid = accept_behind_gate(rep, email="c@client.test")
    payment_status_set(payment=review.payment, status=S.UNDER_REVIEW, user=finance)
    payment_status_set(payment=paid.payment, status=S.PAID, user=finance)
    return pending, review, paid


def quote_ids(payments) -> list[int]:  # type: ignore[no-untyped-def]
    return [payment.quote_id for payment in payments]


def test_the_list_shows_open_payments_first_then_recently_paid(finance, three):
    pending, review, paid = three
    listed = payments_for_finance(membership=finance.membership)
    assert quote_ids(listed) == [
        pending.payment.quote_id,
        review.payment.quote_id,
        paid.payment.quote_id,
    ]


@pytest.mark.parametrize(("status", "expected"), [(S.PENDING, 0), (S.UNDER_REVIEW, 1), (S.PAID, 2)])
def test_the_list_filters_by_status(finance, three, status, expected):
    listed = payments_for_finance(membership=finance.membership, status=status)
    assert quote_ids(listed) == [three[expected].payment.quote_id]


def test_an_unknown_status_filter_shows_everything(finance, three):
    assert len(payments_for_finance(membership=finance.membership, status="bogus")) == 3


def test_paid_payments_leave_the_list_after_a_while(finance, three):
    later = timezone.now() + RECENTLY_PAID + dt.timedelta(minutes=1)
    listed = payments_for_finance(membership=finance.membership, now=later)
    assert three[2].payment.quote_id not in quote_ids(listed)
    assert len(listed) == 2


def test_admins_see_the_list_and_other_roles_see_nothing(three, admin_user, rep, manager):
    assert len(payments_for_finance(membership=admin_user.membership)) == 3
    assert len(payments_for_finance(membership=rep.membership)) == 0
    assert len(payments_for_finance(membership=manager.membership)) == 0


def test_security_23_the_list_never_shows_another_companys_payments(three, other_company):
    foreign_rep = member(other_company, Role.REP)
    foreign = accept_behind_gate(foreign_rep)
    foreign_finance = member(other_company, Role.FINANCE)
    assert quote_ids(payments_for_finance(membership=foreign_finance.membership)) == [
        foreign.payment.quote_id
    ]


def test_the_list_reads_in_one_query(finance, three, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(payments_for_finance(membership=finance.membership))
        assert [row.quote.client.name for row in rows]
        assert [row.quote.owner.full_name for row in rows]
        assert [row.quote.acceptance.accepted_at for row in rows]


def test_no_notice_without_a_payment(rep):
    shared = share_quote(rep)
    assert payment_notice_for(shared.quote) is None
    accept_shared(shared)  # gate off: the quote closes and has no payment
    assert payment_notice_for(shared.quote) is None


def test_the_notice_follows_the_status_in_plain_words(rep, finance):
    billed = accept_behind_gate(rep)
    quote = billed.shared.quote
    notice = payment_notice_for(quote)
    # no payment instructions saved yet: the amount and reference, and the invoice to come
    assert notice == PaymentNotice(
        status="pending",
        label="Pending",
        sentence="Thank you for accepting. We are preparing your invoice; it will say how to pay.",
        amount_due="€21.39",
        due_label="Amount due",
        reference=quote.number,
    )
    payment_status_set(payment=billed.payment, status=S.UNDER_REVIEW, user=finance)
    notice = payment_notice_for(quote)
    assert notice is not None
    assert notice.label == "Under review"
    assert "being reviewed" in notice.sentence
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    notice = payment_notice_for(quote)
    assert notice is not None
    assert (notice.status, notice.label, notice.sentence, notice.is_paid) == (
        "paid",
        "Paid",
        "We have received your payment. Thank you.",
        True,
    )
    assert Payment.objects.count() == 1


def test_the_notice_carries_the_deposit_reference_and_bank_details(rep, admin_user):
    # given payment instructions, and a quote asking for a 30 % deposit
    payment_instructions_update(
        company=rep.membership.company,
        data=InstructionsInput(
            account_holder="Northwind Office Supply GmbH",
            iban="de89 3704 0044 0532 0130 00",
            bic="cobadeffxxx",
            reference_format="INV-{quote_number}",
            terms="Payable within 14 days.",
        ),
        user=admin_user,
    )
    billed = accept_behind_gate(rep, deposit_percent="30")
    quote = billed.shared.quote

    # then the client is told the deposit (30 % of 21.39 = 6.417, rounded half-up), where
    # to send it and what to write
    assert payment_notice_for(quote) == PaymentNotice(
        status="pending",
        label="Pending",
        sentence="Thank you for accepting. Please pay the amount due by bank transfer, quoting "
        "the reference below; we will confirm here once it has arrived.",
        amount_due="€6.42",
        due_label="Deposit due (30 %)",
        reference=f"INV-{quote.number}",
        account_holder="Northwind Office Supply GmbH",
        iban="DE89 3704 0044 0532 0130 00",
        bic="COBADEFFXXX",
        terms="Payable within 14 days.",
    )


def test_a_payment_keeps_its_reference_when_the_format_changes_later(rep, admin_user):
    billed = accept_behind_gate(rep)
    payment_instructions_update(
        company=rep.membership.company,
        data=InstructionsInput(reference_format="NEW {quote_number}"),
        user=admin_user,
    )
    notice = payment_notice_for(billed.shared.quote)
    assert notice is not None
    assert notice.reference == billed.shared.quote.number


def test_a_payment_opened_before_amounts_were_kept_shows_the_accepted_total(rep):
    billed = accept_behind_gate(rep)
    Payment.objects.filter(pk=billed.payment.pk).update(amount_due="", currency="", reference="")
    notice = payment_notice_for(billed.shared.quote)
    assert notice is not None
    assert (notice.amount_due, notice.due_label, notice.reference) == ("€21.39", "Amount due", "")
