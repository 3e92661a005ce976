"""Background work on quotes. Tasks take ids (or nothing), and are safe to retry and to run
in several workers at once."""

from __future__ import annotations

from django.tasks import task

from quotery.quotes.services.quotes import quote_expire_due


@task
def expire_due_quotes() -> int:
    """Marks open quotes whose valid-until day has ended as expired; returns how many.

    Enqueued every ten minutes by `manage.py run_scheduler`. The pages already show an
    overdue quote as expired, so a late run only delays the stored state, never what people see.
    """
    return quote_expire_due()
