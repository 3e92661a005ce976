"""`manage.py run_scheduler`: enqueues periodic tasks for the background worker.

One small loop instead of cron: every entry of PERIODIC_TASKS (quotery/scheduler/schedule.py)
is enqueued when it falls due, and the worker (`manage.py run_worker`) runs it. A run is
skipped while the previous one is still waiting or running, so a stopped worker does not pile
up copies (quotery/scheduler/runner.py).

Run it on every machine: on PostgreSQL one of them leads and enqueues, through an advisory
lock, and another takes over when it stops or dies (quotery/scheduler/leadership.py), so no
task is enqueued twice in one period. On SQLite (one machine) the one scheduler leads.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from quotery.scheduler.leadership import Leadership
from quotery.scheduler.runner import Scheduler
from quotery.scheduler.schedule import PERIODIC_TASKS

logger = logging.getLogger("quotery.scheduler")


class Command(BaseCommand):
    help = (
        "Enqueues periodic tasks (quote expiry every 10 minutes, email retries every minute, "
        "SQLite planner statistics daily) for the background worker. Run it on every "
        "machine: on PostgreSQL one leads, the others take over if it stops."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue every periodic task once, then exit (for cron, on one machine).",
        )
        parser.add_argument(
            "--retry-seconds",
            type=float,
            default=10.0,
            help="How often a scheduler that does not lead tries to take the lead (10).",
        )

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        if once:
            self.scheduler = Scheduler(entries=PERIODIC_TASKS, leadership=Leadership())
            self.scheduler.carry_on()  # (for the previous runs still waiting or running)
            for entry in PERIODIC_TASKS:
                self.scheduler.enqueue_unless_pending(entry, timezone.now())
            return
        retry_seconds = options["retry_seconds"]
        if not retry_seconds > 0:
            raise CommandError("--retry-seconds must be more than 0.")
        self.scheduler = Scheduler(
            entries=PERIODIC_TASKS, leadership=Leadership(retry_seconds=retry_seconds)
        )
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        names = ", ".join(f"{e.name} every {e.every_seconds:g} s" for e in PERIODIC_TASKS)
        logger.info("Scheduler started: %s", names)
        self.scheduler.run()
        logger.info("Scheduler stopped.")

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.scheduler.stop()
