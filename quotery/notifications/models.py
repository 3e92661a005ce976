"""The email outbox: one row per email, written in the same transaction as the change that
causes it (SECURITY.md 20) and sent by the worker with retries.

A row holds what is needed to build the email at send time (kind + JSON context), never a
rendered body: portal emails carry capability links, and no usable link may be stored.
"""

from __future__ import annotations

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
