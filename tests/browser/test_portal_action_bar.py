"""The client page's answer bar in a real Chromium, on a phone (375 px) and a desktop
(1280 px): it stays on screen with the total and Accept from the top of the page to the
bottom, covers nothing, is reached by the keyboard, passes axe, leaves Download PDF a quiet
link, and is gone once the quote is answered.

Exercises: quotery.portal.views.client.page, quotery.portal.views.acceptance.accept,
quotery.portal.services.answers.quote_decline
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.core.money import format_money
from quotery.portal.services.answers import quote_decline
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    Shared,
    accept_shared,
    client_message,
    share_quote,
)
from tests.browser.accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULTS = Path(settings.BASE_DIR) / "var" / "test-results"
WIDTHS = [375, 1280]
BAR = "nav[aria-label='Answer this quote']"


def long_quote() -> Shared:
    """A quote long enough to scroll well past a phone's screen (about 3,000 px of cards)."""
    company = CompanyFactory(name="Northwind Office Supply", brand_colour="#0b7a3e")
    rep = member(company, Role.REP, email="riley@northwind.test", full_name="Riley Rep")
    shared = share_quote(rep, sections=4, lines_per_section=8)
    client_message(shared, "Could the desks come in oak?")
    return shared


def box(locator: Any) -> dict[str, float]:
    return locator.evaluate(  # type: ignore[no-any-return]
        "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom} }"
    )


def in_viewport(page: Any, locator: Any) -> bool:
    rect = box(locator)
    height = page.evaluate("window.innerHeight")
    return bool(rect["top"] >= 0 and rect["bottom"] <= height and rect["bottom"] > rect["top"])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_bar_stays_on_screen_with_the_total_and_accept_and_covers_nothing(
    page, width: int
) -> None:  # type: ignore[no-untyped-def]
    shared = long_quote()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(shared.url)
    bar = page.locator(BAR)
    accept = bar.get_by_role("link", name="Accept", exact=True)
    total = format_money(shared.quote.total, shared.quote.currency)

    # at the top of the page: the bar, its total and Accept are on screen
    assert in_viewport(page, bar) and in_viewport(page, accept)
    assert total in bar.inner_text()
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"portal-action-bar-top-{width}.png"))

    # at the very bottom: still on screen, and the last content sits fully above it
    assert page.evaluate("document.documentElement.scrollHeight") > 2 * 800
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    assert in_viewport(page, bar) and in_viewport(page, accept)
    page.screenshot(path=str(RESULTS / f"portal-action-bar-bottom-{width}.png"))
    bar_box, last = box(bar), box(page.locator(".portal-footer p"))
    if width < 768:  # the bar is at the bottom: the footer ends above its top edge
        assert last["bottom"] <= bar_box["top"], (last, bar_box)
    else:  # the bar is at the top: the footer is below it, fully on screen
        assert last["top"] >= bar_box["bottom"], (last, bar_box)
        assert last["bottom"] <= page.evaluate("window.innerHeight")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Accept leads to the acceptance form
    accept.click()
    page.get_by_role("checkbox").wait_for()
    assert "/accept/" in page.url


@pytest.mark.parametrize("width", WIDTHS)
def test_the_keyboard_reaches_accept_first_with_a_visible_focus(page, width: int) -> None:  # type: ignore[no-untyped-def]
    shared = long_quote()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(shared.url)

    names = []
    for _ in range(3):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))

    # the skip link, then Accept, then the other answers
    assert names == ["Skip to the quote", "Accept", "Request changes"], names
    page.keyboard.press("Shift+Tab")
    focused = page.locator(":focus")
    assert focused.inner_text() == "Accept"
    outline = focused.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline
    page.keyboard.press("Enter")
    page.get_by_role("checkbox").wait_for()
    assert "/accept/" in page.url


def test_download_pdf_is_a_quiet_link_and_accept_the_one_primary_action(page) -> None:  # type: ignore[no-untyped-def]
    shared = long_quote()
    page.goto(shared.url)
    bar = page.locator(BAR)

    def look(name: str) -> dict[str, str]:
        return bar.get_by_role("link", name=name, exact=True).evaluate(  # type: ignore[no-any-return]
            "e => { const s = getComputedStyle(e);"
            " return {background: s.backgroundColor, weight: s.fontWeight,"
            " decoration: s.textDecorationLine, classes: e.className} }"
        )

    accept, pdf = look("Accept"), look("Download PDF")
    changes, decline = look("Request changes"), look("Decline")
    transparent = "rgba(0, 0, 0, 0)"
    assert accept["background"] == "rgb(11, 122, 62)"  # the brand colour, filled
    assert pdf["background"] == transparent and "button-link" not in pdf["classes"]
    assert pdf["decoration"] == "underline"
    for secondary in (changes, decline):
        assert secondary["background"] != accept["background"]
        assert "button-link--secondary" in secondary["classes"]
    primaries = page.locator(".button-link:not(.button-link--secondary)")
    assert primaries.count() == 1


def test_the_page_with_its_bar_has_no_serious_accessibility_violations(
    browser, live_server
) -> None:  # type: ignore[no-untyped-def]
    shared = long_quote()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    try:
        page = context.new_page()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(shared.url)
            assert page.get_by_role("navigation", name="Answer this quote").is_visible()
            violations = serious_violations(page)
            assert violations == [], (width, violations)
    finally:
        context.close()


@pytest.mark.parametrize("answer", ["accepted", "declined"])
def test_the_bar_is_gone_once_the_quote_is_answered(page, answer: str) -> None:  # type: ignore[no-untyped-def]
    shared = long_quote()
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(shared.url)
    assert page.locator(BAR).is_visible()

    if answer == "accepted":
        accept_shared(shared)
    else:
        quote_decline(share=shared.share, reason="", detail="", request_meta=CLIENT_META)
    page.reload()

    assert page.locator(BAR).count() == 0
    assert page.get_by_role("link", name="Accept", exact=True).count() == 0
    heading = "Accepted" if answer == "accepted" else "Your answer"
    assert page.get_by_role("heading", name=heading).is_visible()


def test_the_bar_needs_no_script_and_never_hides_the_focused_field(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    shared = long_quote()
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 375, "height": 800}
    )
    try:
        page = context.new_page()
        page.goto(shared.url)
        bar = page.locator(BAR)
        assert in_viewport(page, bar)

        # tabbing down to the message box scrolls it into view above the bar, not under it
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.tagName") == "TEXTAREA":
                break
        field = box(page.locator("textarea:focus"))
        assert field["top"] >= 0 and field["bottom"] <= box(bar)["top"], (field, box(bar))
    finally:
        context.close()
