"""Portal shares (one capability link per quote and recipient email) and the conversation.

No usable link is stored: a share keeps only its random `key`; the link adds an HMAC of the
key, quote and email under the server secret (see `quotery.portal.links`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from quotery.core.models import CompanyOwned


class PortalShare(CompanyOwned):
    quote = models.ForeignKey("quotes.Quote", on_delete=models.CASCADE, related_name="shares")
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField(max_length=254)
    key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The newest revision this recipient confirmed viewing (0: none yet).
    last_viewed_revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "recipient_email"], name="share_quote_recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} → {self.recipient_email}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AuthorKind(models.TextChoices):
    CLIENT = "client", "Client"
    REP = "rep", "Rep"


class ConversationMessage(CompanyOwned):
    """One message in a quote's thread, from the client (through a share) or from staff."""

    quote = models.ForeignKey("quotes.Quote", on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author_name = models.CharField(max_length=200)
    author_email = models.EmailField(max_length=254, blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    share = models.ForeignKey(
        PortalShare, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["quote", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class RateLimitCounter(models.Model):
    """Hits of one rate-limit bucket in one fixed window. Lives in the database so that every
    gunicorn worker (and every machine sharing the database) counts against the same limit;
    see `quotery.portal.ratelimit`. Buckets hold an HMAC of the IP or link, never the raw value."""

    bucket = models.CharField(max_length=80)
    period_start = models.BigIntegerField()  # unix seconds at which the window opened
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "period_start"], name="ratelimit_bucket_period_unique"
            )
        ]
        indexes = [models.Index(fields=["period_start"], name="ratelimit_period_idx")]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.period_start}: {self.hits}"
