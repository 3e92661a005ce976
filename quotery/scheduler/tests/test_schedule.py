"""The table of periodic tasks: which task runs how often."""

from __future__ import annotations

from quotery.api.tasks import prune_api_records
from quotery.reminders.tasks import expire_due_quotes, send_due_reminders
from quotery.scheduler.schedule import PERIODIC_TASKS
from quotery.webhooks.tasks import deliver_due_webhooks


def test_quote_expiry_runs_every_ten_minutes() -> None:
    schedule = {entry.task: entry.every_seconds for entry in PERIODIC_TASKS}
    assert schedule[expire_due_quotes] == 600


def test_reminders_are_sent_every_five_minutes() -> None:
    schedule = {entry.task: entry.every_seconds for entry in PERIODIC_TASKS}
    assert schedule[send_due_reminders] == 300


def test_webhook_retries_are_swept_every_thirty_seconds() -> None:
    schedule = {entry.task: entry.every_seconds for entry in PERIODIC_TASKS}
    assert schedule[deliver_due_webhooks] == 30


def test_api_records_are_pruned_hourly() -> None:
    schedule = {entry.task: entry.every_seconds for entry in PERIODIC_TASKS}
    assert schedule[prune_api_records] == 3600
