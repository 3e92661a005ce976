"""Background work of the API. Tasks take nothing and are safe to retry and to run in
several workers at once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from quotery.api.idempotency import idempotency_prune
from quotery.api.models import ApiKeyUse

# How long each key's record of use is kept (settings.API_KEY_USE_DAYS).
DEFAULT_USE_DAYS = 90


def key_uses_prune(*, now: dt.datetime | None = None) -> int:
    """Deletes records of key use older than API_KEY_USE_DAYS; returns how many."""
    days = getattr(settings, "API_KEY_USE_DAYS", DEFAULT_USE_DAYS)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = ApiKeyUse.objects.filter(at__lt=cutoff).delete()
    return deleted


@task
def prune_api_records() -> int:
    """Drops Idempotency-Key answers past their 24 hours and records of key use past their
    keeping time; returns how many rows went. Enqueued hourly by `manage.py run_scheduler`."""
    return idempotency_prune() + key_uses_prune()
