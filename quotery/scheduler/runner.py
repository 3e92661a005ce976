"""The scheduler's loop: enqueue each periodic task when it falls due, while leading.

A run is skipped while the previous one is still waiting or running, so a stopped worker does
not pile up copies. When and what was last enqueued is kept in `ScheduledRun`, in the same
transaction as the database queue's row, so a scheduler that takes over (or restarts)
carries on from there instead of enqueuing everything again at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import close_old_connections, transaction
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from quotery.scheduler.leadership import Leadership
from quotery.scheduler.models import ScheduledRun
from quotery.scheduler.schedule import PeriodicTask

logger = logging.getLogger("quotery.scheduler")


class Scheduler:
    def __init__(self, *, entries: Sequence[PeriodicTask], leadership: Leadership) -> None:
        self.entries = entries
        self.leadership = leadership
        self.running = True
        self.leading = False
        self.next_due: dict[str, datetime] = {}
        self.pending: dict[str, str] = {}

    def run(self) -> None:
        """Rounds until stop(); the lead, if held, is released at the end."""
        try:
            while self.running:
                self.round()
                close_old_connections()
                self.pause()
        finally:
            self.leadership.release()

    def stop(self) -> None:
        self.running = False

    def round(self) -> None:
        try:
            leading = self.leadership.leads()
            if leading and not self.leading:
                self.carry_on()
            self.leading = leading
            if leading:
                self.enqueue_due()
        except Exception:
            # A locked or unreachable database must not stop the schedule; try next time.
            logger.exception("Scheduler: this round failed; will try again.")
            self.leading = False

    def carry_on(self) -> None:
        """Takes up the schedule where the last leader left it."""
        now = timezone.now()
        runs = {run.name: run for run in ScheduledRun.objects.filter(name__in=self.names())}
        for entry in self.entries:
            run = runs.get(entry.name)
            every = timedelta(seconds=entry.every_seconds)
            self.next_due[entry.name] = run.enqueued_at + every if run else now
            if run and run.result_id:
                self.pending[entry.name] = run.result_id

    def enqueue_due(self) -> None:
        for entry in self.entries:
            now = timezone.now()
            if now >= self.next_due.get(entry.name, now):
                self.enqueue_unless_pending(entry, now)
                self.next_due[entry.name] = now + timedelta(seconds=entry.every_seconds)

    def enqueue_unless_pending(self, entry: PeriodicTask, now: datetime) -> None:
        if self.still_pending(entry):
            logger.info("%s: the previous run has not finished; skipped.", entry.name)
            return
        # With the database queue, the task's row and this record commit together.
        with transaction.atomic():
            result = entry.task.enqueue()
            ScheduledRun.objects.update_or_create(
                name=entry.name, defaults={"enqueued_at": now, "result_id": result.id}
            )
        self.pending[entry.name] = result.id

    def still_pending(self, entry: PeriodicTask) -> bool:
        result_id = self.pending.get(entry.name)
        if not result_id or not entry.task.get_backend().supports_get_result:
            return False
        try:
            return not entry.task.get_result(result_id).is_finished
        except TaskResultDoesNotExist:  # pruned meanwhile
            return False

    def pause(self) -> None:
        """Until the next task falls due (or the next try for the lead), in short steps so
        a stop ends the loop promptly."""
        now = timezone.now()
        if self.leading and self.next_due:
            seconds = (min(self.next_due.values()) - now).total_seconds()
        else:
            seconds = self.leadership.retry_seconds
        wake_at = time.monotonic() + max(0.0, seconds)
        while self.running and time.monotonic() < wake_at:
            time.sleep(min(1.0, max(0.0, wake_at - time.monotonic())))

    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]
