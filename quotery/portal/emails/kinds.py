"""The portal's kinds of email and the builder of each, registered with the outbox (which
knows no kind of its own) by `PortalConfig.ready()`. A kind the portal's services write
must be here: a test reads every `outbox_email_add` call to check it. The portal also
builds the client's email about a payment status change, which the billing service writes
(the client's emails share one layout, the portal's)."""

from __future__ import annotations

from collections.abc import Mapping

from quotery.billing.services import PAYMENT_STATUS_EMAIL
from quotery.notifications.rendering import EmailBuilder, email_builders_register
from quotery.portal.emails import acceptance, answers, payment, share

PORTAL_EMAIL_BUILDERS: Mapping[str, EmailBuilder] = {
    "portal_share": share.share_email,
    "acceptance_rep": acceptance.acceptance_rep_email,
    "acceptance_client": acceptance.acceptance_client_email,
    "changes_requested_rep": answers.changes_requested_email,
    "declined_rep": answers.declined_email,
    "client_message_rep": answers.client_message_email,
    "rep_message_client": answers.rep_message_email,
    PAYMENT_STATUS_EMAIL: payment.payment_status_client_email,
}


def portal_emails_register() -> None:
    email_builders_register(PORTAL_EMAIL_BUILDERS)
