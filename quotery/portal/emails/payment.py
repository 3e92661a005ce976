"""The client's email when finance changes the payment status of their accepted quote,
built at send time from an outbox row that the billing service wrote in the change's
transaction (`quotery.billing.services.payment_status_set`).

It names the status the row was written for (a later change has its own email), the amount
due and the reference, and links to the same client page as every other email to them
(SECURITY.md 6: from BASE_URL); the page shows the bank details and terms.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.selectors import payment_notice_for
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable
from quotery.portal.emails.layout import PortalEmail, build_email, one_line
from quotery.sharing.links import share_url
from quotery.sharing.models import Acceptance

LEADS = {
    PaymentStatus.PENDING: "The payment for quote {number} ({title}) is pending again: we "
    "have not received it yet.",
    PaymentStatus.UNDER_REVIEW: "Our finance team is reviewing your payment for quote "
    "{number} ({title}). We will write again once it is complete.",
    PaymentStatus.PAID: "We have received your payment for quote {number} ({title}). Thank you.",
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
    details = [("Payment", status.label), ("Quote", quote.number)]
    if notice is not None and notice.amount_due:
        paid = status == PaymentStatus.PAID
        label = "Amount" if paid else notice.due_label
        details.append((label, notice.amount_due))
    if payment.reference:
        details.append(("Payment reference", payment.reference))
    return build_email(
        email,
        PortalEmail(
            company=company,
            subject=f"Payment {status.label.lower()}: quote {quote.number} from "
            f"{company.sender_name}",
            greeting=f"Hello {one_line(acceptance.signer_name)},",
            lead=LEADS[status].format(number=quote.number, title=quote.title),
            details=details,
            link=link,
            button="See the payment details",
            footnote="Your quote page always shows the payment's current status"
            + ("" if status == PaymentStatus.PAID else ", the amount due and how to pay")
            + f". Questions? Reply to this email to reach {owner.full_name or owner.email}.",
        ),
        reply_to=(owner.full_name, owner.email),
    )
