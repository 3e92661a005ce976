"""Building an outbox row into the email to send, at send time, by its kind."""

from __future__ import annotations

from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives

from quotery.notifications.models import OutboxEmail


class UnknownEmailKind(Exception):
    pass


class EmailNotSendable(Exception):
    """The email must never go out (its link was revoked, its subject is gone): the outbox
    marks it failed at once instead of retrying. The message says why, for the row."""


EmailBuilder = Callable[[OutboxEmail], EmailMultiAlternatives]


def _builders() -> dict[str, EmailBuilder]:
    # Imported here: the portal's email modules import this module (EmailNotSendable).
    from quotery.portal.emails import acceptance, answers, share

    return {
        "portal_share": share.share_email,
        "acceptance_rep": acceptance.acceptance_rep_email,
        "acceptance_client": acceptance.acceptance_client_email,
        "changes_requested_rep": answers.changes_requested_email,
        "declined_rep": answers.declined_email,
        "client_message_rep": answers.client_message_email,
        "rep_message_client": answers.rep_message_email,
    }


def render_outbox_email(email: OutboxEmail) -> EmailMultiAlternatives:
    builder = _builders().get(email.kind)
    if builder is None:
        raise UnknownEmailKind(f"No email is defined for kind {email.kind!r}")
    return builder(email)
