"""A browser without a browser: real HTTPS through nginx with a cookie jar and CSRF tokens,
the way benchmarks/portal_load.py and the parallel-accept test talk to a live server."""

from __future__ import annotations

import http.cookiejar
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message

TIMEOUT = 60


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # the test reads each 302 itself


@dataclass
class Answer:
    status: int
    body: bytes
    headers: Message = field(default_factory=Message)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Browser:
    """One visitor: its own cookies, sending Origin on POSTs as browsers do."""

    def __init__(self, base: str, *, tls: ssl.SSLContext | None, agent: str) -> None:
        self.base = base.rstrip("/")
        self.agent = agent
        self.cookies = http.cookiejar.CookieJar()
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPCookieProcessor(self.cookies),
            _NoRedirect(),
        ]
        if tls is not None:
            handlers.append(urllib.request.HTTPSHandler(context=tls))
        self.opener = urllib.request.build_opener(*handlers)

    def _send(self, request: urllib.request.Request) -> Answer:
        request.add_header("User-Agent", self.agent)
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return Answer(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), error.headers)

    def get(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path))  # noqa: S310 (loopback)

    def post(
        self, path: str, data: dict[str, str], headers: dict[str, str] | None = None
    ) -> Answer:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.base + path, data=body, method="POST", headers=headers or {}
        )
        request.add_header("Origin", self.base)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._send(request)

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.cookies if c.name == name), "")


def field_value(html: str, name: str) -> str:
    """The value of the named input in a page (the CSRF token, the revision hash)."""
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"the page has no {name} field"
    return match.group(1)


def data_attribute(html: str, name: str) -> str:
    match = re.search(rf'data-{re.escape(name)}="([^"]*)"', html)
    assert match, f"the page has no data-{name}"
    return match.group(1)
