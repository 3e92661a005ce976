"""Background work of reminders and expiry. Tasks take nothing, and are safe to retry and
to run in several workers at once."""

from __future__ import annotations

from django.tasks import task

from quotery.reminders.services.expiry import quotes_expire_due
from quotery.reminders.services.sending import reminders_send_due


@task
def send_due_reminders() -> int:
    """Sends the reminders that are due; returns how many. Enqueued every five minutes by
    `manage.py run_scheduler`; a late run sends the latest due reminder of each link once."""
    return reminders_send_due()


@task
def expire_due_quotes() -> int:
    """Expires open quotes whose valid-until day has ended, records it and tells each
    owner; returns how many. Enqueued every ten minutes by `manage.py run_scheduler`. The
    pages already show an overdue quote as expired, so a late run only delays the stored
    state and the notice, never what people see."""
    return quotes_expire_due()
