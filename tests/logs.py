"""What the logs really hold, for the tests of SECURITY.md 7 and 24: the handlers configured in
settings.LOGGING (Django's loggers do not propagate to the root logger, so a capture on the
root sees nothing of them) and a real gunicorn started with the project's gunicorn.conf.py."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tests.network import free_port

# The test database as a child process reads it, shared with the outbox worker tests.
from tests.reliability.test_outbox_outage import database_url

BASE_DIR = Path(settings.BASE_DIR)


def configured_handlers(logger_name: str) -> list[logging.StreamHandler]:  # type: ignore[type-arg]
    """The handlers from settings.LOGGING that a record of `logger_name` reaches, following
    propagation as logging does (test tools' own handlers on the root are left out)."""
    names = set(settings.LOGGING["handlers"])  # type: ignore[call-overload]
    reached: list[logging.StreamHandler] = []  # type: ignore[type-arg]
    logger: logging.Logger | None = logging.getLogger(logger_name)
    while logger is not None:
        for handler in logger.handlers:
            if handler.name in names and handler not in reached:
                assert isinstance(handler, logging.StreamHandler), handler
                reached.append(handler)
        logger = logger.parent if logger.propagate else None
    return reached


@contextmanager
def configured_output(*logger_names: str) -> Iterator[io.StringIO]:
    """Everything the configured handlers reached by `logger_names` write, as they write it
    (filters and formatter included), while the block runs."""
    handlers = {h: None for name in logger_names for h in configured_handlers(name)}
    assert handlers, f"no configured handler reached by {logger_names}"
    stream = io.StringIO()
    previous = {handler: handler.setStream(stream) for handler in handlers}
    try:
        yield stream
    finally:
        for handler, old in previous.items():
            handler.setStream(old)


def token_pieces(token: str) -> list[str]:
    """Every 22-character piece of a link token (the length of its key and of its signature):
    a log holding none of them holds no usable part of the link."""
    return [token[start : start + 22] for start in range(len(token) - 21)]


def assert_no_token_piece(text: str, token: str) -> None:
    leaked = [piece for piece in token_pieces(token) if piece in text]
    assert not leaked, f"token pieces {leaked} in:\n{text}"


@dataclass
class Gunicorn:
    port: int
    access_log: Path
    error_log: Path
    output: Path  # the process's stdout and stderr: where Django's console handler writes

    def send(self, request_head: str) -> bytes:
        """Sends `request_head` (request line and headers, no final blank line) as written,
        and returns the whole response."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            sock.sendall(f"{request_head}\r\nConnection: close\r\n\r\n".encode("latin-1"))
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def logs(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")
            for path in (self.access_log, self.error_log, self.output)
        )


@contextmanager
def running_gunicorn(directory: Path) -> Iterator[Gunicorn]:
    """gunicorn as deployed (`gunicorn -c gunicorn.conf.py`), one worker, on a free port of
    127.0.0.1, serving the test database; its access and error logs written to files in
    `directory`. Stopped (SIGTERM, waited for) when the block ends, so the logs are complete."""
    server = Gunicorn(
        port=free_port(),
        access_log=directory / "access.log",
        error_log=directory / "error.log",
        output=directory / "output.log",
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "PORT": str(server.port),
        "WEB_CONCURRENCY": "1",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "--access-logfile",
        str(server.access_log),
        "--error-logfile",
        str(server.error_log),
    ]
    with server.output.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn with our interpreter)
            command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_listening(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_until_listening(server: Gunicorn, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{server.output.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn is not listening:\n{server.output.read_text()}")
