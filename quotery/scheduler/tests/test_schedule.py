"""The table of periodic tasks: which task runs how often."""

from __future__ import annotations

from quotery.quotes.tasks import expire_due_quotes
from quotery.scheduler.schedule import PERIODIC_TASKS


def test_quote_expiry_runs_every_ten_minutes() -> None:
    schedule = {entry.task: entry.every_seconds for entry in PERIODIC_TASKS}
    assert schedule[expire_due_quotes] == 600


def test_api_records_are_pruned_hourly() -> None:
    from quotery.api.tasks import prune_api_records

    schedule = {entry.task: entry.every_seconds for entry in PERIODIC_TASKS}
    assert schedule[prune_api_records] == 3600
