"""A real webhook receiver on 127.0.0.1 for tests and benchmarks: an HTTP server in a thread
that verifies every delivery with the `standardwebhooks` package (as a customer's receiver
would), dedupes by `webhook-id` and answers what the test tells it to."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from tests.network import free_port


@dataclass
class Received:
    """One request as it arrived."""

    headers: dict[str, str]
    body: bytes
    verified: bool
    duplicate: bool = False


@dataclass
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class WebhookReceiver:
    """`url` takes POSTs. `secrets`: the whsec_ secrets it verifies with (any may match).
    `answer`: what it answers a verified delivery. `processed`: each event once, by id."""

    def __init__(self, *, path: str = "/hooks/quotery", port: int | None = None) -> None:
        self.port = port or free_port()
        self.path = path
        self.secrets: list[str] = []
        self.answer = Answer()
        self.requests: list[Received] = []
        self.processed: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def verify(self, body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
        for secret in self.secrets:
            try:
                return Webhook(secret).verify(body, headers)  # type: ignore[no-any-return]
            except WebhookVerificationError:
                continue
        return None

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                payload = receiver.verify(body, headers)
                answer = receiver.answer
                with receiver._lock:
                    received = Received(headers, body, verified=payload is not None)
                    if payload is None:
                        answer = Answer(400, body=b"signature does not verify")
                    elif headers["webhook-id"] in receiver.processed:
                        received.duplicate = True
                        answer = Answer(200)
                    elif 200 <= answer.status < 300:
                        receiver.processed[headers["webhook-id"]] = payload
                    receiver.requests.append(received)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def types(self) -> list[str]:
        """The processed events' types, in the order they were first processed."""
        with self._lock:
            return [payload["type"] for payload in self.processed.values()]

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.processed) >= count:
                    return
            time.sleep(0.01)
        raise AssertionError(f"{len(self.processed)} of {count} events arrived")


def body_json(received: Received) -> dict[str, Any]:
    return json.loads(received.body)  # type: ignore[no-any-return]
