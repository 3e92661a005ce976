"""A web instance stopped with SIGTERM under load answers, whole, every request it read.

Real gunicorn with the project's gunicorn.conf.py, serving a slow application
(tests/reliability/slow_wsgi.py) that writes down each request it receives. Clients keep
POSTing while the instance gets SIGTERM. Afterwards every request the application received
has its full answer; a request that got no answer was never received, so a proxy may safely
send it to another instance (nginx: `proxy_next_upstream error timeout non_idempotent`).

Exercises: gunicorn.conf.py (timeout, graceful_timeout, worker_class),
quotery.core.gunicorn_worker
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.env import BASE_DIR
from tests.network import free_port
from tests.reliability.slow_wsgi import BODY_LENGTH

CLIENTS = 12
RUN_BEFORE_STOP = 2.0


@dataclass
class Outcome:
    request_id: str
    sent_at: float
    finished_at: float = 0.0
    status: int | None = None
    body_length: int = 0
    error: str | None = None


def start_gunicorn(port: int, received: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "SLOW_WSGI_RECEIVED": str(received),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    env.pop("GUNICORN_CMD_ARGS", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "tests.reliability.slow_wsgi:application",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # its own process group, so a test can signal every process of it at once
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            time.sleep(0.1)
    server.kill()
    raise AssertionError("gunicorn did not start listening")


def post(port: int, request_id: str) -> Outcome:
    outcome = Outcome(request_id=request_id, sent_at=time.monotonic())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", f"/slow?id={request_id}", body=b"answer=yes" * 20)
        response = connection.getresponse()
        outcome.status = response.status
        outcome.body_length = len(response.read())
    except (OSError, http.client.HTTPException) as error:
        outcome.error = type(error).__name__
    finally:
        connection.close()
        outcome.finished_at = time.monotonic()
    return outcome


def keep_posting(port: int, client: int, stop: threading.Event, outcomes: list[Outcome]) -> None:
    number = 0
    while not stop.is_set():
        number += 1
        outcome = post(port, f"{client}-{number}")
        outcomes.append(outcome)
        if outcome.error:
            time.sleep(0.2)


def stop_instance(server: subprocess.Popen[bytes], whole_group: bool) -> None:
    """SIGTERM to gunicorn's arbiter, which passes it on to each worker; or to the whole
    process group at once, as a process manager that signals a group does (honcho, a
    terminal's Ctrl-C, `kill -- -PGID`): then each worker gets it twice, once directly and
    once from the arbiter, the second often in the middle of a request."""
    if whole_group:
        os.killpg(server.pid, signal.SIGTERM)
    else:
        server.send_signal(signal.SIGTERM)


@pytest.mark.parametrize("whole_group", [False, True], ids=["arbiter", "process-group"])
def test_sigterm_under_load_answers_every_request_it_read(
    tmp_path: Path, whole_group: bool
) -> None:
    # given an instance busy with a steady stream of POSTs
    port = free_port()
    received = tmp_path / "received.txt"
    server = start_gunicorn(port, received)
    outcomes: list[Outcome] = []
    stop = threading.Event()
    clients = [
        threading.Thread(target=keep_posting, args=(port, n, stop, outcomes))
        for n in range(CLIENTS)
    ]
    try:
        for client in clients:
            client.start()
        time.sleep(RUN_BEFORE_STOP)

        # when it is told to stop while requests are in flight and queued
        stopped_at = time.monotonic()
        stop_instance(server, whole_group)
        server.wait(timeout=60)
        time.sleep(0.5)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=90)
        if server.poll() is None:
            server.kill()
            server.wait()
    log = server.stdout.read().decode() if server.stdout else ""

    # then it exited cleanly, after answering, whole, every request it had read
    assert server.returncode == 0, log
    read_ids = set(received.read_text().split())
    by_id = {outcome.request_id: outcome for outcome in outcomes}
    assert read_ids <= set(by_id)
    unanswered = [
        (request_id, by_id[request_id].error)
        for request_id in sorted(read_ids)
        if (by_id[request_id].status, by_id[request_id].body_length) != (200, BODY_LENGTH)
    ]
    assert unanswered == []
    # and the stop really came mid-run: requests read before it were answered after it
    assert any(
        o.sent_at < stopped_at < o.finished_at and o.request_id in read_ids for o in outcomes
    )
    # and whatever got no answer was refused when connecting, so nothing was sent: a proxy
    # sends it to another instance (gunicorn's own sync worker resets the queued ones instead)
    not_answered = [o for o in outcomes if o.status is None]
    assert all(o.request_id not in read_ids for o in not_answered)
    cut = [o.error for o in not_answered if o.error != "ConnectionRefusedError"]
    print(f"{len(read_ids)} POSTs read and answered whole, {len(not_answered)} refused")
    assert cut == []
