"""Sending webhooks. Tasks take ids and are safe to retry or to run twice."""

from __future__ import annotations

from django.tasks import task

from quotery.webhooks.delivery import (
    BATCH_SIZE,
    webhook_deliveries_attempt_due,
    webhook_delivery_attempt,
)

# One sweep attempts at most this many batches of due deliveries (the next sweep goes on).
SWEEP_BATCHES = 40


@task
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one delivery (queued when the transaction that wrote it commits).
    A failed attempt queues the next for its time when the task backend can defer; the
    scheduler's sweep (`deliver_due_webhooks`) finds it otherwise, or if that is lost."""
    outcome = webhook_delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_at is not None and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=outcome.retry_at).enqueue(delivery_id=delivery_id)
    return outcome.status


@task
def deliver_due_webhooks() -> int:
    """Attempts what is due: retries whose wait is over, and rows whose enqueue was lost
    (a crash between commit and enqueue). Queued every 30 seconds by
    `manage.py run_scheduler`; returns how many were delivered."""
    delivered = 0
    for _ in range(SWEEP_BATCHES):
        outcomes = webhook_deliveries_attempt_due(limit=BATCH_SIZE)
        delivered += sum(outcome.status == "succeeded" for outcome in outcomes)
        if len(outcomes) < BATCH_SIZE:
            break
    return delivered
