"""Making in-app notifications and outbox emails in tests: through the same services the
product uses."""

from __future__ import annotations

import itertools

from quotery.accounts.models import User
from quotery.notifications.models import Notification, NotificationKind, OutboxEmail
from quotery.notifications.services import notification_add, outbox_email_add
from quotery.quotes.models import Quote

_keys = itertools.count(1)


def notify(
    user: User,
    quote: Quote,
    text: str = "Anna Client accepted the quote.",
    kind: str = NotificationKind.QUOTE_ACCEPTED,
) -> Notification:
    return notification_add(
        user=user, quote=quote, kind=kind, text=text, dedupe_key=f"test-{next(_keys)}"
    )


def read_times(*users: User) -> list[tuple[int, object]]:
    """(pk, read_at) of the users' notifications (everyone's when no user is given)."""
    rows = Notification.objects.order_by("pk")
    if users:
        rows = rows.filter(user__in=users)
    return list(rows.values_list("pk", "read_at"))


def add(company, key: str = "k1", kind: str = "no_such_kind") -> OutboxEmail:  # type: ignore[no-untyped-def]
    return outbox_email_add(
        company=company, kind=kind, dedupe_key=key, to_email="anna@example.com", context={}
    )
