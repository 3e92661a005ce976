"""Running work in real threads at the same moment, for the race tests on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connections


def run_at_once(jobs: Sequence[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Runs each job in its own thread (own database connection), all released at once by a
    barrier. Returns what they returned and what they raised; fails when a thread is stuck."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def work(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(job())
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return results, errors
