"""The email outbox: one row per email, written in the same transaction as the change that
causes it (SECURITY.md 20) and sent by the worker with retries.

A row holds what is needed to build the email at send time (kind + JSON context), never a
rendered body: portal emails carry capability links, and no usable link may be stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from quotery.core.models import CompanyOwned


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"


class OutboxEmail(CompanyOwned):
    kind = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=200, unique=True)
    to_email = models.EmailField(max_length=254)
    to_name = models.CharField(max_length=200, blank=True)
    context = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email} ({self.status})"


class NotificationKind(models.TextChoices):
    QUOTE_ACCEPTED = "quote_accepted", "Quote accepted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    QUOTE_DECLINED = "quote_declined", "Quote declined"
    CLIENT_MESSAGE = "client_message", "Message from the client"
    PAYMENT_STATUS_CHANGED = "payment_status_changed", "Payment status changed"
    QUOTE_EXPIRED = "quote_expired", "Quote expired"


class Notification(CompanyOwned):
    """An in-app notification for one user about one quote. Written in the same transaction
    as the change it reports (SECURITY.md 20); `dedupe_key` makes it exactly once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    quote = models.ForeignKey(
        "quotes.Quote", on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
