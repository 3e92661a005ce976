"""The rep answers a change request from the top of the quote page, in a real browser, at a
phone's width and a laptop's: the notification lands on the banner with the client's words,
Reply moves the focus into the reply form, Edit quote opens the editor, the folded views
open from the keyboard, and axe-core finds nothing serious.

Exercises: quotery.portal.templatetags.portal_rep.quote_client_request,
quotery.engagement.templatetags.engagement_rep.quote_engagement,
quotery.engagement.selectors.quote.fold_repeats, quotery.notifications.views.notification_open,
quotery.quotes.views.quote_detail, quotery.quotes.views.quote_edit
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.tests.conftest import visit
from quotery.portal.services.answers import quote_request_changes
from quotery.portal.tests.portal_fixtures import CLIENT_META, share_quote
from tests.browser.accessibility import serious_violations
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = "Could you make it ten chairs instead of six? <And> deliver before Friday."
# Where to keep screenshots to look at (never committed); unset, none are taken.
SCREENSHOTS = os.environ.get("QUOTERY_SCREENSHOTS", "")


@pytest.mark.parametrize("width", [375, 1280])
def test_the_change_request_notification_lands_on_the_banner_and_the_rep_can_act(
    browser, live_server, width
):  # type: ignore[no-untyped-def]
    # given a quote the client read three times and then asked to change
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    shared = share_quote(rep, title="Office fit-out for Globex")
    for _ in range(3):
        visit(shared.share)
    quote_request_changes(share=shared.share, message=WORDS, request_meta=CLIENT_META)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, rep.email)

        # when the rep opens the notification
        page.goto("/notifications/")
        page.get_by_role("button", name=re.compile("asked for changes")).click()

        # then the page opens at the banner, which holds the client's words, above the quote
        banner = page.get_by_role("region", name="Anna Client asked for changes")
        banner.wait_for()
        assert page.url.endswith(f"/quotes/{shared.quote.pk}/#client-request")
        assert banner.get_by_text(WORDS).is_visible()
        expect(banner).to_be_in_viewport()  # once the page has scrolled to it
        # both tops read at one moment: a scroll between two reads would move one only
        banner_top, document_top = banner.evaluate(
            "banner => [banner.getBoundingClientRect().top,"
            " document.querySelector('.layout-detail').getBoundingClientRect().top]"
        )
        assert banner_top < document_top
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / f"banner-{width}.png"))

        # and Reply puts the cursor in the reply form
        banner.get_by_role("link", name="Reply").click()
        assert page.evaluate("document.activeElement.id") == "id_reply_body"
        page.keyboard.type("Ten it is.")
        assert page.get_by_label("Reply to the client").input_value() == "Ten it is."

        # and the three views are one entry that opens from the keyboard
        engagement = page.get_by_role("region", name="Engagement")
        summary = engagement.locator("summary", has_text="Viewed 3 times")
        assert summary.count() == 1
        times = summary.locator("xpath=..").locator("ol > li")
        assert times.count() == 3 and not times.first.is_visible()
        summary.focus()
        page.keyboard.press("Enter")
        times.first.wait_for(state="visible")
        if SCREENSHOTS:
            summary.scroll_into_view_if_needed()
            page.screenshot(path=str(Path(SCREENSHOTS) / f"timeline-{width}.png"))

        # and assistive technology finds nothing serious
        assert serious_violations(page) == []

        # and Edit quote opens the editor
        page.goto(f"/quotes/{shared.quote.pk}/#client-request")
        banner.get_by_role("link", name="Edit quote").click()
        page.get_by_role("heading", level=1, name=f"Edit {shared.quote.number}").wait_for()
        assert errors == []
    finally:
        context.close()
