"""The periodic tasks `manage.py run_scheduler` enqueues, and how often.

The scheduler sits on the top floor so that this table may name any app's task; the apps
below only write their tasks and never learn when they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.tasks import Task

from quotery.api.tasks import prune_api_records
from quotery.core.tasks import refresh_planner_statistics
from quotery.engagement.tasks import fold_pending_opens
from quotery.notifications.tasks import deliver_due_emails
from quotery.reminders.tasks import expire_due_quotes, send_due_reminders
from quotery.webhooks.tasks import deliver_due_webhooks


@dataclass(frozen=True)
class PeriodicTask:
    task: Task[[], Any]
    every_seconds: float

    @property
    def name(self) -> str:
        return self.task.name


PERIODIC_TASKS = (
    PeriodicTask(expire_due_quotes, every_seconds=600),
    PeriodicTask(deliver_due_emails, every_seconds=60),
    PeriodicTask(refresh_planner_statistics, every_seconds=24 * 3600),
    PeriodicTask(fold_pending_opens, every_seconds=300),
    PeriodicTask(send_due_reminders, every_seconds=300),
    # Retries whose time has come (a worker also queues each retry for its time) and
    # deliveries whose first enqueue was lost.
    PeriodicTask(deliver_due_webhooks, every_seconds=30),
    PeriodicTask(prune_api_records, every_seconds=3600),
)
