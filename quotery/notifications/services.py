"""Writing to the outbox (delivery is in quotery.notifications.delivery); writing and reading
in-app notifications."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from quotery.accounts.models import Company, User
from quotery.core.exceptions import NotFound
from quotery.notifications.models import Notification, OutboxEmail
from quotery.notifications.tasks import deliver_email
from quotery.quotes.models import Quote


def outbox_email_add(
    *,
    company: Company,
    kind: str,
    dedupe_key: str,
    to_email: str,
    to_name: str = "",
    context: dict[str, Any],
) -> OutboxEmail:
    """Adds an email to the outbox inside the caller's transaction, and asks the worker to
    send it once that transaction commits. A second call with the same dedupe key returns
    the first row: one email per key, however often the caller runs."""
    email, created = OutboxEmail.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "company": company,
            "kind": kind,
            "to_email": to_email,
            "to_name": to_name,
            "context": context,
        },
    )
    if created:
        transaction.on_commit(lambda: deliver_email.enqueue(email_id=email.pk))
    return email


def notification_add(
    *, user: User, quote: Quote, kind: str, text: str, dedupe_key: str
) -> Notification:
    """An in-app notification for `user`, inside the caller's transaction. One row per
    dedupe key, however often the caller runs (SECURITY.md 18)."""
    notification, _created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "company_id": quote.company_id,
            "user": user,
            "quote": quote,
            "kind": kind,
            "text": text[:300],
        },
    )
    return notification


def notification_open(*, notification: Notification, user: User) -> Notification:
    """Marks one of the user's own notifications read (once: opening it again keeps the first
    read time) and returns it. Another user's notification raises NotFound and nothing
    changes (SECURITY.md 23), so a caller that forgot to scope its lookup still cannot
    touch it."""
    if notification.user_id != user.pk:
        raise NotFound("No such notification.")
    now = timezone.now()
    marked = Notification.objects.filter(
        pk=notification.pk, user=user, read_at__isnull=True
    ).update(read_at=now)
    if marked:
        notification.read_at = now
    elif notification.read_at is None:  # read meanwhile, e.g. in another tab
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User, up_to_id: int | None = None) -> int:
    """Marks the user's unread notifications read and returns how many it marked. With
    `up_to_id` (the newest notification the page showed), newer ones stay unread: they
    came after the user looked. Nobody else's notifications change."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if up_to_id is not None:
        unread = unread.filter(pk__lte=up_to_id)
    return unread.update(read_at=timezone.now())
