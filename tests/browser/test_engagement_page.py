"""A manager reads the Engagement page, and a quote's Engagement section, in a real browser:
accessible (axe-core: no serious or critical violation), at 1280 px its tiles in one row and
Hot quotes the full width, 375 px wide without sideways scrolling, and no text out of its box
at either width.

Exercises: quotery.engagement.chain.append_event, django.contrib.auth.views.LoginView,
quotery.engagement.views.dashboard, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_list
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.clients.factories import ClientFactory
from quotery.engagement.models import EventKind
from quotery.engagement.tests.conftest import quote_shared_at, record, view_at
from quotery.quotes.models import Quote, QuoteState
from tests.browser.accessibility import serious_violations
from tests.browser.overflow import assert_no_text_overflow
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@contextmanager
def logged_in(browser, live_server, user):  # type: ignore[no-untyped-def]
    """A page at 1280 px, logged in as `user` (axe needs the CSP bypassed)."""
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, user.email)
        yield page
    finally:
        context.close()


def busy_company():  # type: ignore[no-untyped-def]
    company = CompanyFactory(name="Northwind Office Supply", plan="pro")
    manager = member(company, Role.MANAGER, email="mia@northwind.test", full_name="Mia Manager")
    rita = member(company, Role.REP, full_name="Rita Rep")
    sam = member(company, Role.REP, full_name="Sam Sales-Representative-Longname")
    client = ClientFactory(company=company, name="Hafenblick Architekten GmbH & Co. KG")
    hot, share = quote_shared_at(rita, ago(12), client=client, title="Office fit-out, 3rd floor")
    for days in (11, 6, 2):
        view_at(hot, share, ago(days))
    record(hot, EventKind.PDF_DOWNLOADED, ago(2), share=share)
    record(hot, EventKind.LINK_OPENED, ago(12), share=share)  # a link scanner
    quote_shared_at(sam, ago(9), email="a.very.long.address.for.purchasing@hafenblick.test")
    declined, other = quote_shared_at(sam, ago(20))
    view_at(declined, other, ago(19))
    record(declined, EventKind.QUOTE_DECLINED, ago(18), share=other)
    return manager, hot


def test_manager_reads_the_engagement_page_accessibly_on_a_phone(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    manager, hot = busy_company()
    with logged_in(browser, live_server, manager) as page:
        # the manager opens the page from the menu
        page.get_by_role("link", name="Engagement").click()
        page.get_by_role("heading", name="Engagement", level=1).wait_for()
        chart = page.get_by_role("img", name="Views per day")
        assert chart.is_visible()
        hot_list = page.get_by_role("region", name="Hot quotes")
        assert hot_list.get_by_role("link", name=hot.number).is_visible()
        assert (
            page.get_by_role("region", name="Unseen quotes")
            .get_by_text("Sam Sales-Representative-Longname")
            .is_visible()
        )
        reps = page.get_by_role("region", name="By sales rep")
        assert reps.get_by_role("rowheader", name="Rita Rep").is_visible()
        page.get_by_text("Views per day as a table").click()

        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            assert serious_violations(page) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

        # a bad range explains itself, also on a phone
        page.get_by_label("From", exact=True).fill("2026-12-01")
        page.get_by_label("To", exact=True).fill("2026-11-01")
        page.get_by_role("button", name="Show").click()
        page.get_by_role("alert").get_by_text("is after the last day").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

        # the quote's own Engagement section
        page.goto(reverse("quotes:detail", args=[hot.pk]))
        section = page.get_by_role("region", name="Engagement")
        section.get_by_text("Strong buying signal").wait_for()
        assert section.get_by_text("Opened by a link scanner or preview (1)").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert serious_violations(page) == []


def priced(quote: Quote, total: str, state: str | None = None) -> Quote:
    Quote.objects.filter(pk=quote.pk).update(
        total=Decimal(total), **({"state": state} if state else {})
    )
    return quote


def company_with_money():  # type: ignore[no-untyped-def]
    """Three quotes won in the last 30 days (one in US dollars), one lost, two open."""
    company = CompanyFactory(name="Northwind Office Supply", plan="pro", default_currency="EUR")
    manager = member(company, Role.MANAGER, email="mia@northwind.test", full_name="Mia Manager")
    rita = member(company, Role.REP, full_name="Rita Rep")
    client = ClientFactory(company=company, name="Hafenblick Architekten GmbH & Co. KG")
    for shared, answered, kind, total, currency in [
        (20, 15, EventKind.QUOTE_ACCEPTED, "1234567.89", "EUR"),
        (10, 8, EventKind.QUOTE_ACCEPTED, "45000.00", "EUR"),
        (6, 3, EventKind.QUOTE_ACCEPTED, "999.00", "USD"),
        (25, 20, EventKind.QUOTE_DECLINED, "5000.00", "EUR"),
    ]:
        quote, share = quote_shared_at(rita, ago(shared), client=client, currency=currency)
        view_at(quote, share, ago(answered + 0.5))
        record(quote, kind, ago(answered), share=share)
        won = kind == EventKind.QUOTE_ACCEPTED
        priced(quote, total, QuoteState.ACCEPTED if won else QuoteState.DECLINED)
    hot, share = quote_shared_at(rita, ago(12), client=client, title="Office fit-out, 3rd floor")
    for days in (11, 6, 2):
        view_at(hot, share, ago(days))
    record(hot, EventKind.PDF_DOWNLOADED, ago(2), share=share)
    priced(hot, "98765.43")
    priced(quote_shared_at(rita, ago(1), client=client)[0], "1000.00")
    return manager, hot


def test_the_engagement_page_shows_money_in_one_row_and_fits_a_phone(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    manager, hot = company_with_money()
    with logged_in(browser, live_server, manager) as page:
        page.goto(reverse("engagement:dashboard"))
        totals = page.get_by_role("region", name="Totals")

        # the money and the answers, in the company's currency
        def tile(label: str):  # type: ignore[no-untyped-def]
            return totals.get_by_role("listitem").filter(has_text=label)

        assert tile("Won").inner_text().split("\n") == [
            "WON",
            "€1,279,567.89",
            "3 quotes accepted, 1 in another currency not included",
        ]
        assert "€99,765.43" in tile("Pipeline").inner_text()
        assert "2 open quotes awaiting an answer today" in tile("Pipeline").inner_text()
        assert "75 %" in tile("Win rate").inner_text()
        assert "3 of 4 answered (1 declined" in tile("Win rate").inner_text()
        assert "3 days 18 h" in tile("Time to decision").inner_text()

        # at 1280 px: the six tiles in one row, Hot quotes as wide as the page
        tops = [
            box["y"] for box in (t.bounding_box() for t in totals.get_by_role("listitem").all())
        ]
        assert len(tops) == 6 and len(set(tops)) == 1, tops
        main = page.locator("main").bounding_box()
        hot_section = page.get_by_role("region", name="Hot quotes", exact=True).bounding_box()
        assert hot_section["width"] >= main["width"] * 0.9, (hot_section, main)
        assert (
            page.get_by_role("region", name="Hot quotes", exact=True)
            .get_by_role("link", name=hot.number)
            .is_visible()
        )
        page.get_by_text("How these are counted").click()
        assert_no_text_overflow(page)
        assert serious_violations(page) == []

        # on a phone: everything reads without sideways scroll, nothing out of its box
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert_no_text_overflow(page)
        assert serious_violations(page) == []
        assert (
            page.get_by_role("region", name="Hot quotes", exact=True)
            .get_by_text("Hafenblick Architekten GmbH & Co. KG")
            .is_visible()
        )
