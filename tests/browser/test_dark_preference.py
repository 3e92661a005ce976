"""A rep or a client whose device prefers a dark theme gets the same light pages, readable:
the pages declare their one colour scheme, so Pico's automatic dark theme never mixes with
Quotery's light colours (light text on light notices, dark links on dark rows).

Exercises: quotery.home.views.start_page, quotery.quotes.views.quote_list,
quotery.portal.views.client.page
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import serious_violations
from tests.browser.test_portal_client import shared_quote
from tests.browser.test_start_page import busy_rep, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 1280]


def dark_context(browser: Any, live_server: Any, width: int) -> Any:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        color_scheme="dark",
        bypass_csp=True,
    )
    context.set_default_timeout(10_000)
    return context


def scheme(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.documentElement).colorScheme"))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reps_pages_read_the_same_on_a_device_that_prefers_dark(
    browser, live_server, width
) -> None:  # type: ignore[no-untyped-def]
    rep, _ = busy_rep()
    context = dark_context(browser, live_server, width)
    try:
        page = context.new_page()
        log_in(page, rep.email)
        assert scheme(page) == "light"
        assert serious_violations(page) == []
        page.goto("/quotes/")
        assert serious_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_client_page_reads_the_same_on_a_device_that_prefers_dark(
    browser, live_server, width
) -> None:  # type: ignore[no-untyped-def]
    shared = shared_quote()
    context = dark_context(browser, live_server, width)
    try:
        page = context.new_page()
        page.goto(shared.url)
        assert scheme(page) == "light"
        assert serious_violations(page) == []
    finally:
        context.close()
