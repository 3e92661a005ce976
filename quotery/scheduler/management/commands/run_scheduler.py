"""`manage.py run_scheduler`: enqueues periodic tasks for the background worker.

One small loop instead of cron: every entry of PERIODIC_TASKS (quotery/scheduler/schedule.py)
is enqueued when it falls due, and the worker (`manage.py run_worker`) runs it. A run is
skipped while the previous one is still waiting or running, so a stopped worker does not pile
up copies. The tasks themselves are idempotent, so two schedulers (or a restart) only cost a
duplicate run.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.tasks import TaskResult

from quotery.scheduler.schedule import PERIODIC_TASKS, PeriodicTask

logger = logging.getLogger("quotery.scheduler")


class Command(BaseCommand):
    help = (
        "Enqueues periodic tasks (quote expiry every 10 minutes, email retries every minute, "
        "SQLite planner statistics daily) for the background worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every periodic task once, then exit."
        )

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        self.running = True
        self.pending: dict[str, TaskResult[Any, Any]] = {}
        if once:
            for entry in PERIODIC_TASKS:
                self.enqueue_unless_pending(entry)
            return
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        names = ", ".join(f"{e.name} every {e.every_seconds:g} s" for e in PERIODIC_TASKS)
        logger.info("Scheduler started: %s", names)
        next_due = dict.fromkeys((entry.name for entry in PERIODIC_TASKS), 0.0)
        while self.running:
            now = time.monotonic()
            for entry in PERIODIC_TASKS:
                if now >= next_due[entry.name]:
                    self.enqueue_unless_pending(entry)
                    next_due[entry.name] = now + entry.every_seconds
            close_old_connections()
            # Sleep in short steps so a stop signal ends the loop promptly.
            wake_at = min(next_due.values())
            while self.running and time.monotonic() < wake_at:
                time.sleep(min(1.0, max(0.0, wake_at - time.monotonic())))
        logger.info("Scheduler stopped.")

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False

    def enqueue_unless_pending(self, entry: PeriodicTask) -> None:
        try:
            previous = self.pending.get(entry.name)
            if previous is not None and not previous.is_finished:
                previous.refresh()
                if not previous.is_finished:
                    logger.info("%s: the previous run has not finished; skipped.", entry.name)
                    return
            self.pending[entry.name] = entry.task.enqueue()
        except Exception:
            # A locked or unreachable database must not stop the schedule; try next time.
            logger.exception("Could not enqueue %s; will try again.", entry.name)
