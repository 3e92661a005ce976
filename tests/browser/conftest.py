"""Browser fixtures: a real Chromium driven by Playwright against pytest-django's live server.

Debian's /usr/bin/chromium is used when present (these machines cannot download Playwright's
own browser); elsewhere set CHROMIUM_PATH or install Playwright's browser.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started

from tests.browser.chromium import CHROMIUM_ARGS, chromium_path

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures
# around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class InFlight:
    """The requests the live server (threads of this process) is answering now. The test
    client's requests, answered in the test's own thread, do not count: one whose response
    is never read to the end (streamed) would never finish."""

    def __init__(self) -> None:
        self.threads: set[int] = set()
        self.lock = threading.Lock()

    @property
    def count(self) -> int:
        return len(self.threads)

    def started(self, environ: dict[str, Any] | None = None, **kwargs: object) -> None:
        # Only a real WSGI server (the live server's wsgiref) names itself in the environ.
        if environ and "SERVER_SOFTWARE" in environ:
            with self.lock:
                self.threads.add(threading.get_ident())

    def finished(self, **kwargs: object) -> None:
        with self.lock:
            self.threads.discard(threading.get_ident())


IN_FLIGHT = InFlight()
request_started.connect(IN_FLIGHT.started, dispatch_uid="browser-tests-in-flight")
request_finished.connect(IN_FLIGHT.finished, dispatch_uid="browser-tests-in-flight")
# A page that closes sends its last beacons (the view's, the time on each part) as it goes;
# they reach the live server a moment after the context is closed.
BEACON_GRACE = 0.25
SETTLE_LIMIT = 10.0


class OpenBrowser:
    """The session's browser, once a test has started it."""

    browser: Any = None


@pytest.fixture(autouse=True)
def live_server_settles() -> Iterator[None]:
    """After each browser test, before its database is flushed (pytest-django's fixture is
    set up before this one, so torn down after it): closes every browser context the test
    left open, then waits until the live server has answered every request, such as the
    beacons of the pages just closed. A page left open would keep sending its beacons into
    later tests' databases; a flush racing such a request deadlocks on PostgreSQL (TRUNCATE
    against the request's row locks)."""
    yield
    if OpenBrowser.browser is not None:
        for context in list(OpenBrowser.browser.contexts):
            context.close()
    time.sleep(BEACON_GRACE)
    deadline = time.monotonic() + SETTLE_LIMIT
    while IN_FLIGHT.count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        path = chromium_path()
        try:
            browser = playwright.chromium.launch(
                executable_path=path, args=CHROMIUM_ARGS, headless=True
            )
        except Exception as error:  # the machine has no browser at all
            if os.environ.get("CI"):
                raise
            pytest.skip(f"No Chromium available for browser tests: {error}")
        OpenBrowser.browser = browser
        yield browser
        OpenBrowser.browser = None
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
