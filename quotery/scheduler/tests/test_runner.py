"""Two real scheduler processes on one PostgreSQL database, a task due every second: each period
it is enqueued once, by the leader; when the leader is killed (SIGKILL, no goodbye) the other
takes over and carries on from the leader's last run, without an extra run."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from config.env import BASE_DIR
from quotery.scheduler.models import ScheduledRun
from quotery.scheduler.tests.ticking_task import tick
from tests.databases import database_url

PERIOD = 1.0
SCHEDULER = f"""
import signal
import django
django.setup()
from quotery.scheduler.leadership import Leadership
from quotery.scheduler.runner import Scheduler
from quotery.scheduler.schedule import PeriodicTask
from quotery.scheduler.tests.ticking_task import tick

scheduler = Scheduler(
    entries=(PeriodicTask(tick, every_seconds={PERIOD}),),
    leadership=Leadership(retry_seconds=0.2),
)
signal.signal(signal.SIGTERM, lambda *args: scheduler.stop())
scheduler.run()
"""

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Leader election is PostgreSQL's (advisory locks); on SQLite one scheduler "
        "runs, on one machine (run with DATABASE_URL=postgres://...).",
    ),
    pytest.mark.django_db(transaction=True),
]


def start_scheduler(ticks: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TICKS_FILE": str(ticks),
    }
    return subprocess.Popen(  # noqa: S603 (our own interpreter on our own script)
        [sys.executable, "-c", SCHEDULER],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_ticks(ticks: Path) -> list[tuple[float, int]]:
    if not ticks.exists():
        return []
    lines = [line.split() for line in ticks.read_text().splitlines()]
    return [(float(at), int(pid)) for at, pid in lines]


def wait_for_ticks(ticks: Path, pid: int, count: int) -> None:
    deadline = time.monotonic() + 30
    while sum(1 for _, by in read_ticks(ticks) if by == pid) < count:
        assert time.monotonic() < deadline, f"{pid} did not tick {count} times"
        time.sleep(0.05)


def test_two_schedulers_enqueue_each_period_once_and_the_follower_takes_over(
    tmp_path: Path,
) -> None:
    # given two schedulers on the same database, the first already leading
    ticks = tmp_path / "ticks.txt"
    first = start_scheduler(ticks)
    second = None
    try:
        wait_for_ticks(ticks, first.pid, 1)
        second = start_scheduler(ticks)
        wait_for_ticks(ticks, first.pid, 4)

        # when the leader dies without a word
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = time.time()
        wait_for_ticks(ticks, second.pid, 3)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    assert second is not None and second.returncode == 0

    # then only the leader enqueued while it lived, the other one after
    runs = read_ticks(ticks)
    assert {pid for at, pid in runs if at < killed_at} == {first.pid}
    assert {pid for at, pid in runs if at > killed_at} == {second.pid}
    # and no two runs fell in one period, across the takeover too (a run's time is when its
    # enqueue committed, a moment after the scheduler decided: twice in a period would be far
    # closer; a leader killed before committing has run nothing, as with the database queue)
    times = [at for at, _ in runs]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) > PERIOD * 0.5, gaps
    print(f"{len(runs)} runs, gaps between them {min(gaps):.2f}-{max(gaps):.2f} s")
    # and the record the next leader carries on from names the last run
    assert ScheduledRun.objects.get(name=tick.name).enqueued_at.timestamp() == pytest.approx(
        times[-1], abs=PERIOD / 2
    )
