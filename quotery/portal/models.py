"""The portal's own data: rate-limit counters. What other apps read of the portal (shares,
the conversation, acceptances and declines) lives in `quotery.sharing`."""

from __future__ import annotations

from django.db import models


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
