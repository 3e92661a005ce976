"""The client's quote page in a real Chromium: a phone's width, the view beacon,
accessibility, and the PDF download.

Exercises: quotery.portal.services.sharing.share_send, quotery.portal.views.client.page,
quotery.portal.views.client.pdf, quotery.portal.views.client.seen
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.tests.portal_fixtures import Shared, client_message, share_quote
from tests.browser.accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULTS = Path(settings.BASE_DIR) / "var" / "test-results"


def shared_quote() -> Shared:
    company = CompanyFactory(
        name="Northwind Office Supply",
        brand_colour="#f4b400",  # a light brand colour: the page must pick dark text on it
        portal_text="Thank you for your interest.\nQuestions? Reply to the email any time.",
    )
    rep = member(company, Role.REP, email="riley@northwind.test", full_name="Riley Rep")
    shared = share_quote(rep, sections=3, lines_per_section=4)
    client_message(shared, "Could the desks come in oak?\nThanks!")
    return shared


def kinds(shared: Shared) -> list[str]:
    return list(
        QuoteEvent.objects.filter(quote=shared.quote)
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


def wait_for(condition, seconds: float = 8.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_client_page_fits_a_phone_and_prints_its_lines_as_cards(page) -> None:  # type: ignore[no-untyped-def]
    shared = shared_quote()
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(shared.url)

    assert page.get_by_role("heading", level=1, name="Office fit-out").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / "portal-client-375.png"), full_page=True)
    assert width <= 375, f"the client page is {width} px wide at 375 px"
    # every line is a compact card that labels its figures, two rows high
    first_line = page.locator("table.lines tbody tr").first
    assert first_line.evaluate("row => getComputedStyle(row).display") == "flex"
    label = first_line.locator("td[data-label='Unit price']").evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert "Unit price" in label
    description_height = first_line.locator("td.line-description").evaluate(
        "cell => cell.getBoundingClientRect().height"
    )
    card_height = first_line.evaluate("row => row.getBoundingClientRect().height")
    assert card_height < 4 * description_height


def test_the_beacon_turns_the_open_into_a_counted_view(page) -> None:  # type: ignore[no-untyped-def]
    # given a client who opens the link in a browser
    shared = shared_quote()
    before = kinds(shared)

    page.goto(shared.url)

    # then the open is recorded at once and the visible page confirms it as a view
    assert wait_for(lambda: EventKind.QUOTE_VIEWED in kinds(shared)), kinds(shared)
    assert kinds(shared)[len(before) :] == [EventKind.LINK_OPENED, EventKind.QUOTE_VIEWED]
    viewed = QuoteEvent.objects.get(quote=shared.quote, kind=EventKind.QUOTE_VIEWED)
    assert viewed.recipient_email == "anna@client.test"
    # and staying on the page counts nothing more
    page.wait_for_timeout(1500)
    assert kinds(shared).count(EventKind.QUOTE_VIEWED) == 1


def test_client_page_has_no_serious_accessibility_violations(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    shared = shared_quote()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    try:
        page = context.new_page()
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(shared.url)
            RESULTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(RESULTS / f"portal-client-{width}.png"), full_page=True)
            violations = serious_violations(page)
            assert violations == [], violations
    finally:
        context.close()


def test_download_pdf_downloads_the_quote(page) -> None:  # type: ignore[no-untyped-def]
    shared = shared_quote()
    page.goto(shared.url)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()

    download = download_info.value
    assert download.suggested_filename == f"{shared.quote.number}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert wait_for(lambda: EventKind.PDF_DOWNLOADED in kinds(shared))
