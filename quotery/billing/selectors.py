"""Reads of the finance approval gate: the finance page's list and the client's banner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from quotery.accounts.models import Membership
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import FINANCE_ROLES
from quotery.quotes.models import Quote, QuoteState

# Paid quotes stay on the finance page this long after they were marked paid.
RECENTLY_PAID = dt.timedelta(days=30)


def _payments_of(membership: Membership) -> QuerySet[Payment]:
    if membership.role not in FINANCE_ROLES:
        return Payment.objects.none()
    return Payment.objects.filter(company_id=membership.company_id)


def payments_for_finance(
    *, membership: Membership, status: str = "", now: dt.datetime | None = None
) -> QuerySet[Payment]:
    """The finance page: payments of the company's quotes that are ready for billing, plus
    those paid in the last RECENTLY_PAID; with `status`, only that status. Open ones first,
    the longest waiting at the top; then paid ones, the latest first. One query (quote,
    client, owner and acceptance joined)."""
    since = (now or timezone.now()) - RECENTLY_PAID
    payments = _payments_of(membership).filter(
        Q(quote__state=QuoteState.READY_FOR_BILLING)
        | Q(status=PaymentStatus.PAID, updated_at__gte=since)
    )
    if status in PaymentStatus.values:
        payments = payments.filter(status=status)
    paid = Q(status=PaymentStatus.PAID)
    return (
        payments.select_related("quote__client", "quote__owner", "quote__acceptance")
        .annotate(
            is_paid=Case(When(paid, then=Value(1)), default=Value(0), output_field=IntegerField()),
            paid_at=Case(When(paid, then=F("updated_at")), default=None),
        )
        .order_by("is_paid", F("paid_at").desc(nulls_first=True), "quote__state_changed_at", "pk")
    )


def payment_for_finance(*, membership: Membership, pk: int) -> Payment:
    """One payment of the member's company, or 404 (another company's, or a role that does
    not work with payments)."""
    payment = _payments_of(membership).select_related("quote").filter(pk=pk).first()
    if payment is None:
        raise Http404("No such payment.")
    return payment


@dataclass(frozen=True)
class PaymentNotice:
    """The payment status of an accepted quote in the client's words."""

    status: str
    label: str
    sentence: str


CLIENT_SENTENCES = {
    PaymentStatus.PENDING: (
        "Thank you for accepting. We are preparing your invoice; payment is pending."
    ),
    PaymentStatus.UNDER_REVIEW: (
        "Thank you. Your payment is being reviewed by our finance team; "
        "we will confirm here once it is complete."
    ),
    PaymentStatus.PAID: "We have received your payment. Thank you.",
}


def payment_notice_for(quote: Quote) -> PaymentNotice | None:
    """The client page's payment banner, or None when the quote has no payment (it was
    accepted with the finance gate off, or not accepted at all)."""
    status = Payment.objects.filter(quote_id=quote.pk).values_list("status", flat=True).first()
    if status is None:
        return None
    value = PaymentStatus(status)
    return PaymentNotice(status=value.value, label=value.label, sentence=CLIENT_SENTENCES[value])
