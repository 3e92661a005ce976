"""Building an outbox row into the email to send, at send time, by its kind."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from quotery.notifications.models import OutboxEmail


class UnknownEmailKind(Exception):
    pass


class EmailNotSendable(Exception):
    """The email must never go out (its link was revoked, its subject is gone): the outbox
    marks it failed at once instead of retrying. The message says why, for the row."""


def render_outbox_email(email: OutboxEmail) -> EmailMultiAlternatives:
    if email.kind == "portal_share":
        from quotery.portal.emails import share_email

        return share_email(email)
    raise UnknownEmailKind(f"No email is defined for kind {email.kind!r}")
