"""Building an outbox row into the email to send, at send time, by its kind.

The outbox knows no kind of email. Each app that writes outbox rows registers the builder
of each of its kinds from its `AppConfig.ready()` (the portal's are in
`quotery.portal.emails.kinds`), so this floor never imports the apps above it. A row of a
kind nobody registered raises UnknownEmailKind, which the outbox treats like any failed
attempt: retried later, with the error written on the row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives

from quotery.notifications.models import OutboxEmail


class UnknownEmailKind(Exception):
    pass


class EmailNotSendable(Exception):
    """The email must never go out (its link was revoked, its subject is gone): the outbox
    marks it failed at once instead of retrying. The message says why, for the row."""


EmailBuilder = Callable[[OutboxEmail], EmailMultiAlternatives]

_builders: dict[str, EmailBuilder] = {}


def email_builders_register(builders: Mapping[str, EmailBuilder]) -> None:
    """Makes each kind's builder the one that renders its outbox rows. Registering the same
    builder again changes nothing; a kind that already has another builder raises
    ImproperlyConfigured and registers none of `builders`, so two apps cannot claim one kind
    with one of them silently losing."""
    taken = sorted(
        kind for kind, builder in builders.items() if _builders.get(kind, builder) is not builder
    )
    if taken:
        raise ImproperlyConfigured(f"Email kinds registered twice: {', '.join(taken)}")
    _builders.update(builders)


def registered_email_kinds() -> frozenset[str]:
    return frozenset(_builders)


def render_outbox_email(email: OutboxEmail) -> EmailMultiAlternatives:
    builder = _builders.get(email.kind)
    if builder is None:
        raise UnknownEmailKind(f"No email is defined for kind {email.kind!r}")
    return builder(email)
