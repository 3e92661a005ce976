"""A task for the leader election tests: each run writes down when, and which process ran it
(the test settings run a task at once, in the process that enqueues it)."""

from __future__ import annotations

import os
import time

from django.tasks import task


@task
def tick() -> None:
    descriptor = os.open(os.environ["TICKS_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, f"{time.time():.3f} {os.getpid()}\n".encode())
    finally:
        os.close(descriptor)
