"""A WSGI application for the shutdown tests: each request writes down its id as the
application receives it (so the test knows which requests the server read), takes a moment,
and answers a body of a known length (so the test sees whether an answer came whole)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

BODY_LENGTH = 20_000
SECONDS_PER_REQUEST = 0.4


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    request_id = parse_qs(environ.get("QUERY_STRING", "")).get("id", ["?"])[0]
    descriptor = os.open(
        os.environ["SLOW_WSGI_RECEIVED"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
    )
    try:
        os.write(descriptor, f"{request_id}\n".encode())
    finally:
        os.close(descriptor)
    time.sleep(SECONDS_PER_REQUEST)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(BODY_LENGTH))])
    return [b"x" * BODY_LENGTH]
