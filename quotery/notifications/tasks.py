"""Sending the outbox. Tasks take ids and are safe to retry or to run twice."""

from __future__ import annotations

from django.tasks import task

from quotery.notifications.delivery import outbox_due_ids, outbox_email_deliver


@task
def deliver_email(email_id: int) -> str:
    """Sends one outbox email (queued when the transaction that wrote it commits)."""
    return outbox_email_deliver(email_id=email_id)


@task
def deliver_due_emails() -> int:
    """Retries what is due: failed attempts whose wait is over, and rows whose first
    enqueue was lost (a crash between commit and enqueue). Queued every minute by
    `manage.py run_scheduler`; returns how many were sent."""
    sent = 0
    for email_id in outbox_due_ids():
        if outbox_email_deliver(email_id=email_id) == "sent":
            sent += 1
    return sent
