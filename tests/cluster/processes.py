"""Long-running processes for the cluster test: start, wait until up, stop, read their logs."""

# Every subprocess here runs a fixed command from deploy/Procfile, nginx or python.
# ruff: noqa: S603

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.cluster.deploy_files import ROOT


@dataclass
class Running:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]


class Processes:
    """Every process the test started, each in its own session (so a signal to one reaches
    its children only), with its output in a log file."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: dict[str, Running] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Running:
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = Running(name, argv, env, log, process)
        return self.running[name]

    def restart(self, name: str) -> Running:
        old = self.running[name]
        return self.start(name, old.argv, old.env)

    def run(self, name: str, argv: list[str], env: dict[str, str], timeout: float = 120) -> str:
        """A one-off command (migrate, seed, verify): its output; fails with it."""
        done = subprocess.run(
            argv,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        (self.log_dir / f"{name}.log").write_text(done.stdout + done.stderr)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{name} failed ({done.returncode}):\n{output}"
        return done.stdout

    def terminate(self, name: str) -> None:
        """SIGTERM to the process itself (as systemd's KillMode=mixed sends it)."""
        os.kill(self.running[name].process.pid, signal.SIGTERM)

    def wait(self, name: str, timeout: float) -> int | None:
        try:
            return self.running[name].process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop_all(self) -> None:
        """SIGTERM to every process still running, then SIGKILL to any that lingers."""
        alive = [r for r in self.running.values() if r.process.poll() is None]
        for running in alive:
            _signal_group(running.process, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for running in alive:
            try:
                running.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(running.process, signal.SIGKILL)
                running.process.wait(timeout=5)

    def tail(self, name: str, lines: int = 30) -> str:
        log = self.running[name].log if name in self.running else self.log_dir / f"{name}.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def report(self) -> str:
        """Each process's last log lines, for a failure message."""
        return "\n".join(
            f"--- {name} (exit {r.process.poll()}) ---\n{self.tail(name)}"
            for name, r in self.running.items()
        )


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def wait_until(
    check: Callable[[], bool],
    *,
    what: str,
    timeout: float,
    alive: Running | None = None,
) -> None:
    """Polls `check` until it holds; fails early, with the log, when `alive` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if alive is not None and alive.process.poll() is not None:
            raise AssertionError(
                f"{alive.name} exited ({alive.process.returncode}) before {what}:\n"
                + alive.log.read_text(errors="replace")[-4000:]
            )
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def answers_200(url: str, tls: ssl.SSLContext | None = None) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2, context=tls) as response:  # noqa: S310
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    return check


class CrashedInstance:
    """Stands in, on an instance's port, for an instance that died with a request in its
    queue: it takes one connection, waits until the request's bytes have arrived without
    reading them (a peek), then resets the connection and stops listening."""

    def __init__(self, port: int) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(8)
        self.listener.settimeout(30)
        self.peeked = b""
        self.thread = threading.Thread(target=self._take_one, daemon=True)
        self.thread.start()

    def _take_one(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(10)
            self.peeked = connection.recv(5, socket.MSG_PEEK)
            # Linger 0: close() sends RST, as the kernel does for a dead process's queue.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.listener.close()

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=5)
