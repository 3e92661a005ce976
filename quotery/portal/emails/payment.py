"""The client's email when finance changes the payment status of their accepted quote,
built at send time from an outbox row that the billing service wrote in the change's
transaction (`quotery.billing.services.payment_status_set`).

It names the status the row was written for (a later change has its own email), the amount
due and the reference, and links to the same client page as every other email to them
(SECURITY.md 6: from BASE_URL); the page shows the bank details and terms.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.selectors import payment_notice_for
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable
from quotery.portal.emails.layout import PortalEmail, build_email, greeting, one_line
from quotery.quotes.selectors import quote_language
from quotery.sharing.links import share_url
from quotery.sharing.models import Acceptance

LEADS = {
    PaymentStatus.PENDING: gettext_lazy(
        "The payment for quote %(number)s (%(title)s) is pending again: we have not "
        "received it yet."
    ),
    PaymentStatus.UNDER_REVIEW: gettext_lazy(
        "Our finance team is reviewing your payment for quote %(number)s (%(title)s). We "
        "will write again once it is complete."
    ),
    PaymentStatus.PAID: gettext_lazy(
        "We have received your payment for quote %(number)s (%(title)s). Thank you."
    ),
}
SUBJECTS = {
    PaymentStatus.PENDING: gettext_lazy("Payment pending: quote %(number)s from %(company)s"),
    PaymentStatus.UNDER_REVIEW: gettext_lazy(
        "Payment under review: quote %(number)s from %(company)s"
    ),
    PaymentStatus.PAID: gettext_lazy("Payment paid: quote %(number)s from %(company)s"),
}


def payment_status_client_email(email: OutboxEmail) -> EmailMultiAlternatives:
    payment = (
        Payment.objects.select_related("quote", "quote__company", "quote__owner")
        .filter(pk=email.context["payment"], company_id=email.company_id)
        .first()
    )
    acceptance = (
        Acceptance.objects.select_related("share")
        .filter(pk=email.context["acceptance"], company_id=email.company_id)
        .first()
    )
    if payment is None or acceptance is None:
        raise EmailNotSendable("Not sent: the payment behind this email no longer exists.")
    with translation.override(acceptance.language or quote_language(payment.quote)):
        return _payment_status_client_email(email, payment, acceptance)


def _payment_status_client_email(
    email: OutboxEmail, payment: Payment, acceptance: Acceptance
) -> EmailMultiAlternatives:
    quote = payment.quote
    company = quote.company
    owner = quote.owner
    status = PaymentStatus(email.context["to"])
    notice = payment_notice_for(quote)
    share = acceptance.share
    link = (
        ""
        if share.is_revoked
        else share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    )
    details = [(_("Payment"), str(status.label)), (_("Quote"), quote.number)]
    if notice is not None and notice.amount_due:
        paid = status == PaymentStatus.PAID
        label = _("Amount") if paid else notice.due_label
        details.append((label, notice.amount_due))
    if payment.reference:
        details.append((_("Payment reference"), payment.reference))
    words = {
        "number": quote.number,
        "title": quote.title,
        "company": company.sender_name,
        "owner": owner.full_name or owner.email,
    }
    footnote = (
        _(
            "Your quote page always shows the payment's current status. Questions? Reply to "
            "this email to reach %(owner)s."
        )
        if status == PaymentStatus.PAID
        else _(
            "Your quote page always shows the payment's current status, the amount due and "
            "how to pay. Questions? Reply to this email to reach %(owner)s."
        )
    )
    return build_email(
        email,
        PortalEmail(
            company=company,
            subject=str(SUBJECTS[status]) % words,
            greeting=greeting(one_line(acceptance.signer_name)),
            lead=str(LEADS[status]) % words,
            details=details,
            link=link,
            button=_("See the payment details"),
            footnote=footnote % words,
        ),
        reply_to=(owner.full_name, owner.email),
    )
