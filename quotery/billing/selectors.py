"""Reads of the finance approval gate: the finance page's list and the client's banner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quotery.accounts.models import Company, Membership
from quotery.billing.bank_details import iban_grouped
from quotery.billing.models import Payment, PaymentInstructions, PaymentStatus
from quotery.billing.services import FINANCE_ROLES
from quotery.core.money import format_money
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.models import Acceptance

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


def payment_instructions_for(company: Company) -> PaymentInstructions:
    """The company's payment instructions; unsaved defaults (nothing set, the reference
    format "{quote_number}") when none were saved yet."""
    found = PaymentInstructions.objects.filter(company_id=company.pk).first()
    return found or PaymentInstructions(company=company)


@dataclass(frozen=True)
class PaymentNotice:
    """The payment status of an accepted quote in the client's words, with what to pay,
    the reference to quote and how. Hashable: the client page is kept by what it shows."""

    status: str
    label: str
    sentence: str
    amount_due: str = ""  # formatted, "€300.00"; empty when not known
    due_label: str = ""  # "Deposit due (30 %)" or "Amount due"
    # The amount due is a deposit, not the total (told by `due_label` too, in words).
    is_deposit: bool = field(default=False, compare=False)
    reference: str = ""
    account_holder: str = ""
    iban: str = ""  # grouped by four
    bic: str = ""
    terms: str = ""

    @property
    def is_paid(self) -> bool:
        return self.status == PaymentStatus.PAID

    @property
    def has_bank_details(self) -> bool:
        return bool(self.iban)


# In the client's language (the portal activates it; the texts are lazy).
CLIENT_SENTENCES = {
    PaymentStatus.PENDING: gettext_lazy(
        "Thank you for accepting. Please pay the amount due by bank transfer, quoting the "
        "reference below; we will confirm here once it has arrived."
    ),
    PaymentStatus.UNDER_REVIEW: gettext_lazy(
        "Thank you. Your payment is being reviewed by our finance team; "
        "we will confirm here once it is complete."
    ),
    PaymentStatus.PAID: gettext_lazy("We have received your payment. Thank you."),
}
# Pending, when the company has not said how to pay yet.
PENDING_WITHOUT_DETAILS = gettext_lazy(
    "Thank you for accepting. We are preparing your invoice; it will say how to pay."
)


def _due(payment: Payment, quote: Quote) -> tuple[str, str]:
    """The amount due, formatted, and its label. Payments opened before amounts were
    recorded fall back to the acceptance's total."""
    amount, currency = payment.amount_due, payment.currency
    if not amount:
        accepted = Acceptance.objects.filter(quote_id=quote.pk).values("total", "currency").first()
        if accepted is None:
            return "", ""
        amount, currency = accepted["total"], accepted["currency"]
    formatted = format_money(Decimal(amount), currency)
    if payment.is_deposit:
        return formatted, _("Deposit due (%(percent)s %%)") % {
            "percent": _plain_percent(quote.deposit_percent)
        }
    return formatted, _("Amount due")


def _plain_percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


def payment_notice_for(quote: Quote) -> PaymentNotice | None:
    """The client page's payment banner, or None when the quote has no payment (it was
    accepted with the finance gate off, or not accepted at all). Bank details and terms are
    the company's current ones; the amount and the reference were fixed when the payment
    opened."""
    payment = Payment.objects.filter(quote_id=quote.pk).first()
    if payment is None:
        return None
    value = PaymentStatus(payment.status)
    amount, due_label = _due(payment, quote)
    instructions = payment_instructions_for(quote.company)
    sentence = CLIENT_SENTENCES[value]
    if value == PaymentStatus.PENDING and not instructions.iban:
        sentence = PENDING_WITHOUT_DETAILS
    return PaymentNotice(
        status=value.value,
        label=str(value.label),
        sentence=str(sentence),
        amount_due=amount,
        due_label=due_label,
        is_deposit=payment.is_deposit,
        reference=payment.reference,
        account_holder=instructions.account_holder,
        iban=iban_grouped(instructions.iban),
        bic=instructions.bic,
        terms=instructions.terms,
    )
