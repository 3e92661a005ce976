"""What the client looked at, in a real Chromium at a phone's width: the client reads the
quote (a counted view), scrolls through its sections and switches away; the rep then sees
the time on each section and where the client spent most time. A staff visit and the
preview record nothing.

Exercises: static/js/attention.js, quotery.portal.views.client.attention,
quotery.portal.services.attention.portal_attention_record,
quotery.engagement.selectors.attention.quote_attention
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.tests.attention_helpers import seconds_stored
from quotery.portal.tests.portal_fixtures import Shared, share_quote
from tests.browser.accessibility import serious_violations
from tests.browser.overflow import assert_no_text_overflow
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 700}
RESULTS = Path(settings.BASE_DIR) / "var" / "test-results"
# Switching to another tab or app, as the page sees it: headless Chromium keeps every tab
# visible, so the page is told the way the browser tells it.
SWITCH_AWAY = """() => {
  Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
  Object.defineProperty(document, 'hidden', {value: true, configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def wait_for(condition, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def shared_quote() -> Shared:
    company = CompanyFactory(name="Northwind Office Supply")
    rep = member(company, Role.REP, email="riley@northwind.test", full_name="Riley Rep")
    return share_quote(rep, sections=3, lines_per_section=8)


def counts(shared: Shared) -> tuple[int, int]:
    events = QuoteEvent.objects.filter(quote=shared.quote)
    return (
        events.filter(kind=EventKind.QUOTE_VIEWED).count(),
        events.filter(kind=EventKind.SECTION_TIME).count(),
    )


def test_the_rep_sees_where_the_client_spent_their_time(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    shared = shared_quote()
    client = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = client.new_page()

    # given the client opens the link on a phone: a counted view
    page.goto(shared.url)
    assert page.get_by_text("Northwind Office Supply sees which parts of this quote").is_visible()
    assert wait_for(lambda: counts(shared)[0] == 1), counts(shared)

    # when they scroll through the sections, linger on the third, and switch away
    for position, seconds in ((2, 2), (3, 6)):
        page.locator(f'[data-attention="section:{position}"]').evaluate(
            "part => part.scrollIntoView({block: 'start'})"
        )
        page.wait_for_timeout(seconds * 1000)
    page.evaluate(SWITCH_AWAY)

    # then the page's batch is stored: most time on the third section
    assert wait_for(lambda: counts(shared)[1] >= 1), counts(shared)
    stored = seconds_stored(shared.quote.pk)
    assert stored.get("section:3", 0) >= 5, stored
    assert max(stored, key=lambda part: stored[part]) == "section:3", stored
    client.close()

    # and the rep, on a phone too, reads it in the quote's Engagement section
    rep_context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    rep_page = rep_context.new_page()
    log_in(rep_page, "riley@northwind.test")
    rep_page.goto(reverse("quotes:detail", args=[shared.quote.pk]))
    engagement = rep_page.get_by_role("region", name="Engagement")
    assert engagement.get_by_text("Spent most time on Section 3").is_visible()
    bars = rep_page.get_by_role("list", name="Time on each part, revision 1")
    third = bars.get_by_role("listitem").filter(has_text="Section 3")
    assert third.is_visible()
    assert f"{stored['section:3']} s" in third.inner_text()
    assert rep_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_text_overflow(rep_page, "section.engagement")
    RESULTS.mkdir(parents=True, exist_ok=True)
    engagement.screenshot(path=str(RESULTS / "attention-rep-375.png"))
    assert serious_violations(rep_page) == []
    rep_context.close()


def test_a_staff_visit_and_the_preview_record_no_time(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    shared = shared_quote()
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    log_in(page, "riley@northwind.test")

    # when the rep opens the client's link and the preview, reads, and switches away
    for url in (shared.url, reverse("portal:preview", args=[shared.quote.pk])):
        page.goto(url)
        assert page.locator("[data-attention]").count() >= 4  # the parts are marked
        page.locator('[data-attention="section:3"]').scroll_into_view_if_needed()
        page.wait_for_timeout(2500)
        page.evaluate(SWITCH_AWAY)
        page.wait_for_timeout(1000)

    # then neither a view nor any time was recorded, and neither page has the script
    assert counts(shared) == (0, 0)
    assert page.locator("script[src*='attention.js']").count() == 0
    context.close()
