"""API keys, their use, and the answers kept for Idempotency-Key replays.

A key is shown once: the database keeps its visible prefix (to name it in lists and logs)
and the SHA-256 of the whole key. The key carries 256 random bits, so a fast hash is enough:
nothing can be guessed from the digest, and a copy of the database opens nothing
(SECURITY.md 26).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from quotery.core.models import CompanyOwned


class KeyScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class ApiKey(CompanyOwned):
    name = models.CharField(max_length=100)
    # The visible part of the key ("qk_ab12cd34"), unique, so a request finds its key by it.
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=5, choices=KeyScope.choices, default=KeyScope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def can_write(self) -> bool:
        return self.scope == KeyScope.WRITE


class ApiKeyUse(models.Model):
    """One request made with a key: when, which route, the answer's status. Never a body."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="uses", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=8)
    route = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="api_key_use_key_at")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.method} {self.route} {self.status}"


class IdempotentRequest(CompanyOwned):
    """The first answer to a POST that carried an Idempotency-Key, kept for 24 hours.

    Written in the transaction of the POST itself, so the answer is stored exactly when
    what it did is committed; the unique constraint makes concurrent twins wait for the
    first and then replay its answer.
    """

    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    location = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "key"], name="idempotency_company_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_at")]

    def __str__(self) -> str:
        return f"{self.company_id}:{self.key} → {self.status}"
