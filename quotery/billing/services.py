"""Every write of the finance approval gate."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from quotery.accounts.models import Company, Membership, Role, User
from quotery.billing.bank_details import bic_normalized, bic_problem, iban_normalized, iban_problem
from quotery.billing.models import Payment, PaymentInstructions, PaymentStatus
from quotery.billing.references import (
    DEFAULT_FORMAT,
    payment_reference,
    reference_format_problem,
)
from quotery.core.exceptions import IllegalTransition, PermissionDenied, ValidationFailed
from quotery.core.text import name_problem
from quotery.engagement.events import event_payment_status_changed
from quotery.notifications.models import NotificationKind
from quotery.notifications.services import notification_add, outbox_email_add
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import Quote
from quotery.quotes.services.quotes import quote_mark_closed
from quotery.sharing.models import Acceptance

# Who may set a payment status: finance, and admins (who run the company's settings).
FINANCE_ROLES = frozenset({Role.FINANCE, Role.ADMIN})
# The outbox kind of the client's email about a payment status change (its builder is the
# portal's, which owns the client's emails and their layout).
PAYMENT_STATUS_EMAIL = "payment_status_client"
ACCOUNT_HOLDER_MAX = 70
TERMS_MAX = 1000


def payment_open(*, quote: Quote, acceptance: Acceptance) -> Payment:
    """The payment row of a quote that just became ready for billing: pending, with what
    is due (the agreed deposit, or the total) and the payment reference, both fixed now.
    Runs in the acceptance's transaction; a second call returns the same row."""
    due = acceptance.deposit_amount if acceptance.has_deposit else acceptance.total
    instructions = PaymentInstructions.objects.filter(company_id=quote.company_id).first()
    accepted_on = timezone.localtime(acceptance.accepted_at, quote.company.zone).date()
    reference = payment_reference(
        instructions.reference_format if instructions else DEFAULT_FORMAT,
        {"quote_number": quote.number, "client": quote.client.name, "year": str(accepted_on.year)},
    )
    payment, _created = Payment.objects.get_or_create(
        quote=quote,
        defaults={
            "company_id": quote.company_id,
            "status": PaymentStatus.PENDING,
            "amount_due": due,
            "currency": acceptance.currency,
            "is_deposit": acceptance.has_deposit,
            "reference": reference,
        },
    )
    return payment


@dataclass(frozen=True)
class InstructionsInput:
    account_holder: str = ""
    iban: str = ""
    bic: str = ""
    reference_format: str = DEFAULT_FORMAT
    terms: str = ""


def payment_instructions_errors(data: InstructionsInput) -> dict[str, list[str]]:
    """Every problem with the payment instructions at once, keyed by field."""
    errors: dict[str, list[str]] = {}
    holder = data.account_holder.strip()
    if len(holder) > ACCOUNT_HOLDER_MAX:
        errors["account_holder"] = [
            f"Keep the account holder under {ACCOUNT_HOLDER_MAX} characters, as banks do."
        ]
    elif holder and (problem := name_problem(holder, whose="the account holder's")):
        errors["account_holder"] = [problem]
    for key, problem in (
        ("iban", iban_problem(data.iban)),
        ("bic", bic_problem(data.bic)),
        ("reference_format", reference_format_problem(data.reference_format.strip())),
    ):
        if problem:
            errors[key] = [problem]
    if iban_normalized(data.iban) and not holder and "account_holder" not in errors:
        errors["account_holder"] = ["Name the account holder: banks check it against the IBAN."]
    if bic_normalized(data.bic) and not iban_normalized(data.iban) and "iban" not in errors:
        errors["iban"] = ["Enter the IBAN the BIC belongs to."]
    if len(data.terms) > TERMS_MAX:
        errors["terms"] = [f"Keep the payment terms under {TERMS_MAX:,} characters."]
    return errors


def payment_instructions_update(
    *, company: Company, data: InstructionsInput, user: User
) -> PaymentInstructions:
    """Saves how the company's clients pay. Only an active admin of the company may
    (PermissionDenied); any invalid field refuses the whole save (ValidationFailed, with
    every field's problem) and nothing is written. The IBAN and BIC are stored without
    spaces, in upper case. Payments already opened keep their reference."""
    if not (
        user.is_active
        and Membership.objects.filter(
            user_id=user.pk, company_id=company.pk, role=Role.ADMIN
        ).exists()
    ):
        raise PermissionDenied("Only an admin of this company can change its payment details.")
    errors = payment_instructions_errors(data)
    if errors:
        raise ValidationFailed("Nothing was saved: some fields need a look.", field_errors=errors)
    instructions, _created = PaymentInstructions.objects.update_or_create(
        company=company,
        defaults={
            "account_holder": data.account_holder.strip(),
            "iban": iban_normalized(data.iban),
            "bic": bic_normalized(data.bic),
            "reference_format": data.reference_format.strip(),
            "terms": data.terms.strip(),
            "updated_at": timezone.now(),
            "updated_by": user,
        },
    )
    return instructions


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
    notification for the quote's owner, one email to the client who accepted (outbox,
    keyed by the event, so one per change), and with paid the quote's move from ready for
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
        _client_tell(current, previous=previous, event_sequence=event.sequence)
    payment.status = current.status
    payment.updated_at = current.updated_at
    payment.updated_by = current.updated_by
    return current


def _client_tell(payment: Payment, *, previous: str, event_sequence: int) -> None:
    """The email to the client who accepted, about this change (outbox, in the caller's
    transaction). A quote accepted before acceptances were kept has nobody to tell."""
    acceptance = (
        Acceptance.objects.filter(quote_id=payment.quote_id)
        .only("pk", "signer_email", "signer_name", "share_id")
        .first()
    )
    if acceptance is None:
        return
    outbox_email_add(
        company=payment.quote.company,
        kind="payment_status_client",  # PAYMENT_STATUS_EMAIL, written out for the kinds test
        dedupe_key=f"{PAYMENT_STATUS_EMAIL}:{payment.pk}:event:{event_sequence}",
        to_email=acceptance.signer_email,
        to_name=acceptance.signer_name,
        context={
            "payment": payment.pk,
            "acceptance": acceptance.pk,
            "from": previous,
            "to": payment.status,
        },
    )


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
