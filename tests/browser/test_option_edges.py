"""A quote with options at its edges, in a real Chromium at a phone's width: option and
section names holding markup stay text on the client page and in the rep's Engagement
section; a choice changed in another tab after the Accept form was opened is refused with
the new total, records nothing, and the client then accepts what they see.

Exercises: static/js/quote-options.js, quotery.portal.views.choices,
quotery.portal.views.acceptance, quotery.portal.services.acceptance.quote_accept,
quotery.quotes.views.quote_detail
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind
from quotery.portal.tests.portal_fixtures import footprint, share_options_quote
from quotery.sharing.models import Acceptance, PortalShare
from tests.browser.test_interactive_quote import PHONE, wait_for
from tests.browser.test_quote_editor import log_in
from tests.security.test_option_names import NAMES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Elements the names would have made, had they been taken for markup.
INJECTED = """[...document.scripts].filter(s => s.textContent.includes("alert")).length
    + document.querySelectorAll("img[src='x']").length"""


def written(quote: Any) -> dict[str, object]:
    """What an acceptance could have written (portal_fixtures.footprint), leaving out the
    opens and views of the two tabs: the page's beacons record those whenever they arrive."""
    everything = footprint(quote)
    everything["events"] = [
        (quote_id, kind)
        for quote_id, kind in everything["events"]  # type: ignore[attr-defined]
        if kind not in (EventKind.LINK_OPENED, EventKind.QUOTE_VIEWED)
    ]
    return everything


def fill_accept_form(page: Any) -> None:
    page.get_by_label("Your full name").fill("Anna Client")
    page.get_by_label("Your email").fill("anna@client.test")
    page.get_by_role("checkbox", name=re.compile("I accept")).check()


def test_markup_in_option_and_section_names_stays_text_for_the_client_and_the_rep(  # type: ignore[no-untyped-def]
    browser, live_server
) -> None:
    company = CompanyFactory(name="Northwind Office Supply")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    shared = share_options_quote(rep, names=NAMES)
    # Without the page's CSP, markup that got through would run: this tests the escaping.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    dialogs: list[str] = []
    context.on("page", lambda page: page.on("dialog", lambda d: dialogs.append(d.message)))
    try:
        # the client reads each option by its name as typed, and chooses
        page = context.new_page()
        page.goto(shared.url)
        expect(page.get_by_role("heading", name=NAMES.furniture)).to_be_visible()
        page.get_by_role("checkbox", name=NAMES.warranty).check()
        page.get_by_role("radio", name=NAMES.oak).check()
        hours = page.get_by_label(f"Quantity for {NAMES.installation}")
        hours.fill("8")
        hours.press("Tab")
        expect(page.get_by_test_id("quote-total")).to_have_text("€2,939.96")
        assert wait_for(lambda: '"0.2":"8"' in PortalShare.objects.get(pk=shared.share.pk).choices)
        assert page.evaluate(INJECTED) == 0

        # the rep reads the options the client tried, as text
        log_in(page, rep.email)
        page.goto(reverse("quotes:detail", args=[shared.quote.pk]))
        engagement = page.get_by_role("region", name="Engagement")
        tried = engagement.locator(".attention-options").get_by_role("listitem")
        assert sorted(tried.all_inner_texts()) == sorted(
            [
                f"added {NAMES.warranty}",
                f"chose {NAMES.oak} over {NAMES.walnut}",
                f"{NAMES.installation}: quantity 6.5 -> 8",
            ]
        )
        assert page.evaluate(INJECTED) == 0
        assert dialogs == []
    finally:
        context.close()


def test_a_choice_changed_in_another_tab_is_refused_with_the_new_total_then_accepted(  # type: ignore[no-untyped-def]
    browser, live_server
) -> None:
    company = CompanyFactory(name="Northwind Office Supply")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    shared = share_options_quote(rep)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        # given the client opened the Accept form on the defaults' total
        form = context.new_page()
        form.goto(shared.url)
        form.get_by_role("link", name="Accept", exact=True).click()
        expect(form.get_by_text("€2,775.76").first).to_be_visible()
        fill_accept_form(form)

        # when, in another tab, they add the warranty
        other = context.new_page()
        other.goto(shared.url)
        other.get_by_role("checkbox", name="Extended warranty").check()
        expect(other.get_by_test_id("quote-total")).to_have_text("€2,883.64")
        assert wait_for(lambda: '"0.1":true' in PortalShare.objects.get(pk=shared.share.pk).choices)
        before = written(shared.quote)

        # and accept in the first
        form.get_by_role("button", name="Accept").click()

        # then they are told the total changed and shown the new one; nothing is recorded
        expect(form.get_by_text(re.compile(r"The total is now €2,883\.64"))).to_be_visible()
        assert written(shared.quote) == before
        assert not Acceptance.objects.filter(quote=shared.quote).exists()
        expect(form.get_by_label("Your full name")).to_have_value("Anna Client")

        # and confirming now accepts what they see
        form.get_by_role("checkbox", name=re.compile("I accept")).check()
        form.get_by_role("button", name="Accept").click()
        form.get_by_text("Thank you: your acceptance is recorded.").wait_for()
        acceptance = Acceptance.objects.get(quote=shared.quote)
        assert acceptance.total == "2883.64"
    finally:
        context.close()
