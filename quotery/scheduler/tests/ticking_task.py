"""A task for the leader election tests: each run writes down when, and which process ran it.

The test settings run a task at once, in the process that enqueues it, inside the scheduler's
transaction; the line is written when that transaction commits. That is when the database
queue's row would become visible to a worker: a scheduler killed between enqueuing and
committing has enqueued nothing, and neither has this task.
"""

from __future__ import annotations

import os
import time

from django.db import transaction
from django.tasks import task


def write_tick() -> None:
    descriptor = os.open(os.environ["TICKS_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, f"{time.time():.3f} {os.getpid()}\n".encode())
    finally:
        os.close(descriptor)


@task
def tick() -> None:
    transaction.on_commit(write_tick)
