"""Every write of the finance approval gate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from quotery.accounts.models import Membership, Role, User
from quotery.billing.models import Payment, PaymentStatus
from quotery.core.exceptions import IllegalTransition, PermissionDenied, ValidationFailed
from quotery.engagement.events import event_payment_status_changed
from quotery.notifications.models import NotificationKind
from quotery.notifications.services import notification_add
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import Quote
from quotery.quotes.services.quotes import quote_mark_closed

# Who may set a payment status: finance, and admins (who run the company's settings).
FINANCE_ROLES = frozenset({Role.FINANCE, Role.ADMIN})


def payment_open(*, quote: Quote) -> Payment:
    """The payment row of a quote that just became ready for billing: pending. Runs in the
    acceptance's transaction; a second call returns the same row."""
    payment, _created = Payment.objects.get_or_create(
        quote=quote, defaults={"company_id": quote.company_id, "status": PaymentStatus.PENDING}
    )
    return payment


def can_set_payment_status(*, user: User, company_id: int) -> bool:
    """An active finance or admin member of that company."""
    return (
        user.is_active
        and Membership.objects.filter(
            user_id=user.pk, company_id=company_id, role__in=FINANCE_ROLES
        ).exists()
    )


def payment_status_set(*, payment: Payment, status: str, user: User) -> Payment:
    """Finance sets the payment status of a quote that is ready for billing.

    Guarantees: only an active finance or admin member of the payment's company may do it
    (PermissionDenied otherwise); an unknown status is refused (ValidationFailed); a paid
    payment never changes again (IllegalTransition). Any refusal writes nothing. Setting
    the status it already has is a no-op: no event, no notification.

    A real change happens in one transaction that holds the quote's row lock
    (`quotery.quotes.locks.quote_lock`) from the read to the last write: the status by
    compare-and-set, the chained "payment status changed" event (from/to), one
    notification for the quote's owner, and with paid the quote's move from ready for
    billing to closed.
    """
    if status not in PaymentStatus.values:
        raise ValidationFailed(
            "Choose a payment status: pending, under review or paid.",
            field_errors={"status": ["Choose pending, under review or paid."]},
        )
    if not can_set_payment_status(user=user, company_id=payment.company_id):
        raise PermissionDenied("Only finance or an admin of this company can set payment status.")
    with transaction.atomic():
        quote_lock(payment.quote_id)
        current = Payment.objects.select_related("quote__owner", "quote__company").get(
            pk=payment.pk
        )
        if current.status == status:
            return current
        quote = current.quote
        previous = _status_compare_and_set(current, status=status, user=user)
        if status == PaymentStatus.PAID:
            quote_mark_closed(quote=quote)
        event = event_payment_status_changed(
            quote=quote, actor=user, previous=previous, status=status
        )
        label = PaymentStatus(status).label.lower()
        closed = " The quote is now closed." if status == PaymentStatus.PAID else ""
        notification_add(
            user=quote.owner,
            quote=quote,
            kind=NotificationKind.PAYMENT_STATUS_CHANGED,
            text=f"Payment for {quote.number} is now {label} (set by {user}).{closed}",
            dedupe_key=f"payment:{current.pk}:event:{event.sequence}",
        )
    payment.status = current.status
    payment.updated_at = current.updated_at
    payment.updated_by = current.updated_by
    return current


def _status_compare_and_set(current: Payment, *, status: str, user: User) -> str:
    """Moves the locked payment `current` to `status` by compare-and-set, in the database
    and on `current`, and returns the status it had. A paid payment stays paid."""
    if current.status == PaymentStatus.PAID:
        raise IllegalTransition(
            f"Quote {current.quote.number} is already paid and closed, so its payment status "
            "can no longer change."
        )
    now = timezone.now()
    changed = Payment.objects.filter(pk=current.pk, status=current.status).update(
        status=status, updated_at=now, updated_by=user
    )
    if changed != 1:  # cannot happen under the lock; refuse rather than guess
        raise IllegalTransition("This payment changed meanwhile. Reload the page and try again.")
    previous = current.status
    current.status, current.updated_at, current.updated_by = status, now, user
    return previous
