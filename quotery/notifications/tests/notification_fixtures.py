"""Making in-app notifications in tests: through the same service the product uses."""

from __future__ import annotations

import itertools

from quotery.accounts.models import User
from quotery.notifications.models import Notification, NotificationKind
from quotery.notifications.services import notification_add
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
