"""`manage.py run_worker`: a real worker process, stopped while it runs a task that takes a
moment, finishes the task (its result SUCCESSFUL, its effect there) and exits with 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.tasks import TaskResult, TaskResultStatus

from config.env import BASE_DIR
from quotery.scheduler.tests.pausing_task import write_after_pause
from tests.databases import database_url

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
pytestmark = pytest.mark.django_db(transaction=True)


def start_worker(command: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quotery.scheduler.tests.worker_settings",
        "DATABASE_URL": database_url(),
    }
    options = ["--no-reload", "--no-startup-delay", "--interval", "0.2"]
    return subprocess.Popen(  # noqa: S603 (our own manage.py with our interpreter)
        [sys.executable, "manage.py", command, *options],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_during_task(
    command: str, signals: tuple[signal.Signals, ...], effect: Path
) -> tuple[subprocess.Popen[str], str]:
    """Starts a worker, sends `signals` once the task has begun, waits for the worker's end."""
    worker = start_worker(command)
    try:
        deadline = time.monotonic() + 60
        while not Path(f"{effect}.began").exists():
            assert worker.poll() is None and time.monotonic() < deadline, "the task never began"
            time.sleep(0.05)
        for number in signals:
            worker.send_signal(number)
            time.sleep(0.3)
        worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    return worker, worker.stdout.read() if worker.stdout else ""


@pytest.mark.parametrize(
    "signals",
    [
        pytest.param((signal.SIGTERM,), id="SIGTERM"),
        pytest.param((signal.SIGTERM, signal.SIGTERM), id="SIGTERM-twice"),
        # Ctrl-C in bin/dev: the terminal's SIGINT, then the script's SIGTERM
        pytest.param((signal.SIGINT, signal.SIGTERM), id="SIGINT-then-SIGTERM"),
    ],
)
def test_a_stopped_worker_finishes_its_task_then_exits_0(
    settings, tmp_path: Path, signals: tuple[signal.Signals, ...]
) -> None:  # type: ignore[no-untyped-def]
    # given a task that takes a moment, queued in the database
    settings.TASKS = DATABASE_QUEUE
    effect = tmp_path / "effect.txt"
    result = write_after_pause.enqueue(path=str(effect), seconds=1.5, text="done")

    # when the worker is told to stop while it runs the task
    worker, output = stop_during_task("run_worker", signals, effect)

    # then the task finished and the worker exited cleanly
    assert worker.returncode == 0, output
    assert effect.read_text() == "done"
    finished: TaskResult = write_after_pause.get_result(result.id)
    assert (finished.status, finished.return_value) == (TaskResultStatus.SUCCESSFUL, "done")
    assert "finishing the current task, then exiting" in output


def test_db_worker_itself_fails_the_task_on_a_second_signal(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # what run_worker avoids: django-tasks-db's db_worker kills the task on a repeated signal
    settings.TASKS = DATABASE_QUEUE
    effect = tmp_path / "effect.txt"
    result = write_after_pause.enqueue(path=str(effect), seconds=1.5, text="done")

    worker, output = stop_during_task("db_worker", (signal.SIGTERM, signal.SIGTERM), effect)

    # (the SystemExit it raises inside the task is caught as the task's failure)
    assert worker.returncode == 0, output
    assert "terminating current task" in output
    assert not effect.exists()
    assert write_after_pause.get_result(result.id).status == TaskResultStatus.FAILED


def wait_until_started(worker: subprocess.Popen[str], timeout: float = 60) -> None:
    """Waits for the worker's "Starting worker" line, logged once its signal handlers are
    set (before that, SIGTERM still has its default effect: a busy machine can take
    seconds to start Django)."""
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(worker.stdout.readline, "")),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    deadline = time.monotonic() + timeout
    while not any("Starting worker" in line for line in lines):
        assert worker.poll() is None, "".join(lines)
        assert time.monotonic() < deadline, "the worker never started"
        time.sleep(0.05)


def test_an_idle_worker_exits_0_on_sigterm() -> None:
    worker = start_worker("run_worker")
    try:
        wait_until_started(worker)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0
