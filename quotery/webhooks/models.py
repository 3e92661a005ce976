"""Webhook endpoints (where a company wants its events sent), the events written for them
and one delivery row per (event, endpoint): the outbox of Standard Webhooks 1.0.

The event row and its delivery rows are written in the transaction of the change they
report (`quotery.webhooks.services.publishing`), so a rolled-back change sends nothing and
a committed one is sent at least once by the worker (`quotery.webhooks.delivery`), always
with the event's `msg_id` as `webhook-id` and the same body bytes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from quotery.core.models import CompanyOwned

URL_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 200


class DisabledReason(models.TextChoices):
    NONE = "", "Enabled"
    BY_USER = "by_user", "Disabled by an admin"
    GONE = "gone", "Disabled: the receiver answered 410 Gone"


class WebhookEndpoint(CompanyOwned):
    """A receiver's URL and the event types it wants. `secret` signs every delivery; during
    a rotation `previous_secret` signs too, until `previous_secret_expires_at`."""

    url = models.URLField(max_length=URL_MAX_LENGTH)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    event_types = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(
        max_length=10, choices=DisabledReason.choices, default=DisabledReason.NONE, blank=True
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["company", "disabled_reason"], name="webhook_endpoint_live")
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def enabled(self) -> bool:
        return self.disabled_reason == DisabledReason.NONE

    def signing_secrets(self, now: dt.datetime | None = None) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the previous one
        while its 24 hours after a rotation last."""
        moment = now or timezone.now()
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at is not None
            and self.previous_secret_expires_at > moment
        ):
            secrets.append(self.previous_secret)
        return secrets


class WebhookEvent(CompanyOwned):
    """One thing that happened, as sent: `msg_id` is the `webhook-id` of every delivery and
    every retry of it; `body` is the exact JSON sent (signed byte for byte)."""

    msg_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    body = models.TextField()

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.msg_id} {self.type}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Being sent"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Gave up"


class WebhookDelivery(CompanyOwned):
    """One event for one endpoint, tried until a 2xx answer or the retry schedule ends.
    A replay is a new row for the same event (the same `webhook-id`)."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The receiver's status code (None: no answer), and a short, bounded note on the last
    # failure: never the receiver's whole answer (SECURITY.md 27).
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"
