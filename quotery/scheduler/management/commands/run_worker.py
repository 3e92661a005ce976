"""`manage.py run_worker`: django-tasks-db's `db_worker`, stopping only between tasks.

`db_worker` finishes its current task on the first SIGINT, SIGTERM or SIGQUIT, but treats any
second one as "force": it raises SystemExit inside the running task, which is then recorded
as failed and never retried. A second signal is common when stopping: Ctrl-C in a terminal
signals the whole process group and a supervisor script then sends SIGTERM too (bin/dev), or
an orchestrator repeats SIGTERM. And a signal that arrives just after the worker claimed a
task but before it began running it ends the process with the task claimed and never run.

Here SIGTERM, however often it comes, only means: finish the current task (or the wait
between polls), then exit with status 0. A second SIGINT (Ctrl-C twice) still forces, as in
`db_worker`. The process supervisor's stop timeout must outlast the longest task. Options are
db_worker's (`--queue-name`, `--interval`, `--max-tasks`, ...); `--reload` is ignored.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")


class GracefulWorker(db_worker.Worker):
    def configure_signals(self) -> None:
        super().configure_signals()
        signal.signal(signal.SIGTERM, self.stop_after_task)
        signal.signal(signal.SIGINT, self.stop_after_task)

    def stop_after_task(self, signum: int, frame: FrameType | None) -> None:
        if not self.running and signum == signal.SIGINT:
            super().shutdown(signum, frame)  # a second Ctrl-C: terminate the current task
            return
        if self.running:
            logger.warning(
                "Received %s - finishing the current task, then exiting.",
                signal.strsignal(signum),
            )
        # The loop ends after the current task, or after the current pause between polls
        # (at most --interval seconds): never between claiming a task and running it.
        self.running = False


class Command(db_worker.Command):
    help = (
        "Runs background tasks from the database queue; SIGTERM finishes the current task, "
        "then exits."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        """db_worker's own handle(), with GracefulWorker and without the autoreloader."""
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = GracefulWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        worker.configure_signals()
        worker.run()
