"""A manager reads the Engagement page, and a quote's Engagement section, in a real browser:
accessible (axe-core: no serious or critical violation) and 375 px wide without sideways
scrolling.

Exercises: quotery.engagement.chain.append_event, django.contrib.auth.views.LoginView,
quotery.engagement.views.dashboard, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_list
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.clients.factories import ClientFactory
from quotery.engagement.models import EventKind
from quotery.engagement.tests.conftest import quote_shared_at, record, view_at
from tests.browser.accessibility import serious_violations
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


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
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, manager.email)

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
    finally:
        context.close()
