"""The rep's start page in a real Chromium at 1280 px and on a 375 px phone: what needs
them first with one action each, the figures, then the quotes (cards on a phone); no quote
number wraps, no text leaves its box, axe finds nothing serious; the navigation collapses
behind Menu on a phone; an empty search offers to clear the filters.

Exercises: quotery.home.views.start_page, quotery.quotes.views.quote_list,
quotery.portal.views.rep.resend
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role, User
from quotery.clients.factories import ClientFactory
from quotery.engagement.tests.conftest import BROWSER, visit
from quotery.portal.services.answers import client_message_post, quote_request_changes
from quotery.portal.services.sharing import share_send
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote
from quotery.sharing.models import PortalShare
from tests.browser.accessibility import serious_violations
from tests.browser.overflow import text_overflows, wrapped
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 1280]


def share(owner: User, title: str, **fields: Any) -> PortalShare:
    quote = make_quote(owner=owner, title=title, **fields)
    return share_send(
        quote=quote,
        user=owner,
        recipient_name="Annabelle Client-Wetherington",
        recipient_email="annabelle.client-wetherington@hafenblick-architekten.example",
    )


def busy_rep() -> tuple[User, dict[str, Quote]]:
    """A rep with one quote for each need, long client names, and some quiet quotes."""
    company = CompanyFactory(name="Northwind Office Supply", brand_colour="#0b7a3e")
    rep = member(company, Role.REP, email="riley@northwind.test", full_name="Riley Rep")
    client = ClientFactory(company=company, name="Hafenblick Architekten GmbH & Co. KG")
    quotes: dict[str, Quote] = {}
    changes = share(rep, "Open-plan office, second floor", client=client)
    quote_request_changes(
        share=changes, message="Could the desks come in oak?", request_meta=BROWSER
    )
    reply = share(rep, "Reception furniture", client=client)
    client_message_post(share=reply, body="Is assembly included?", request_meta=BROWSER)
    hot = share(rep, "Meeting rooms", client=client)
    visit(hot, downloads=1)
    visit(hot)
    unseen = share(rep, "Canteen chairs", client=client)
    Quote.objects.filter(pk=unseen.quote_id).update(
        first_shared_at=timezone.now() - dt.timedelta(days=9)
    )
    expiring = share(rep, "Storage walls", client=client, valid_days=2)
    for name, row in [
        ("changes", changes),
        ("reply", reply),
        ("hot", hot),
        ("unseen", unseen),
        ("expiring", expiring),
    ]:
        quotes[name] = Quote.objects.get(pk=row.quote_id)
    for number in range(4):
        make_quote(owner=rep, client=client, title=f"Quiet quote {number}")
    return rep, quotes


@pytest.mark.parametrize("width", WIDTHS)
def test_the_start_page_says_what_needs_you_and_fits(browser, live_server, width) -> None:  # type: ignore[no-untyped-def]
    rep, quotes = busy_rep()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, rep.email)

    # the start page comes first after logging in
    assert page.url == live_server.url + "/"
    page.get_by_role("heading", name="What needs you").wait_for()
    for heading, need in [
        ("Changes requested", "changes"),
        ("Awaiting your reply", "reply"),
        ("Hot: strong buying signal", "hot"),
        ("Not viewed a week after sharing", "unseen"),
        ("Expiring within 7 days", "expiring"),
    ]:
        group = page.get_by_role("region", name=heading)
        assert group.get_by_role("link", name=quotes[need].number, exact=True).is_visible()
    # then the figures, then the quotes
    order = page.evaluate(
        "() => [...document.querySelectorAll('main h2')].map((h) => h.textContent.trim())"
    )
    assert order[0].startswith("What needs you") and order[-1] == "Quotes"
    assert order.index("Pipeline") < order.index("Quotes")

    # no quote number wraps, no text leaves its box, axe finds nothing serious
    assert wrapped(page, ".quote-number") == []
    assert text_overflows(page) == []
    assert serious_violations(page) == []

    if width == 375:
        # on a phone the quotes are cards, not a table wider than the screen
        assert page.locator(".quote-table thead").is_hidden()
        card = page.locator(".quote-table tbody tr").first
        assert card.evaluate("e => getComputedStyle(e).display") == "grid"
        assert card.bounding_box()["width"] <= 375
    else:
        assert page.locator(".quote-table thead").is_visible()
    context.close()


def test_one_action_resends_an_unseen_quote(page) -> None:  # type: ignore[no-untyped-def]
    rep, quotes = busy_rep()
    log_in(page, rep.email)

    page.get_by_role("button", name=f"Resend {quotes['unseen'].number}").click()

    page.get_by_text(
        "Sent again to annabelle.client-wetherington@hafenblick-architekten.example"
    ).wait_for()
    assert page.url.endswith(f"/quotes/{quotes['unseen'].pk}/")


def test_the_changes_action_opens_the_editor(page) -> None:  # type: ignore[no-untyped-def]
    rep, quotes = busy_rep()
    log_in(page, rep.email)

    page.get_by_role("link", name=f"Edit quote {quotes['changes'].number}").click()

    page.get_by_role("heading", name=f"Edit {quotes['changes'].number}").wait_for()


def test_an_empty_search_offers_to_clear_the_filters(page) -> None:  # type: ignore[no-untyped-def]
    rep, _ = busy_rep()
    log_in(page, rep.email)

    page.get_by_role("searchbox", name="Search").fill("Nothing like this")
    page.get_by_role("button", name="Filter").click()

    page.get_by_text("No quotes match these filters").wait_for()
    page.get_by_role("link", name="Clear filters").first.click()
    page.get_by_role("link", name="Quiet quote 0").or_(
        page.get_by_role("cell", name="Quiet quote 0")
    ).first.wait_for()
    assert page.get_by_role("searchbox", name="Search").input_value() == ""


def test_the_navigation_collapses_into_a_menu_on_a_phone(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    rep, _ = busy_rep()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 800}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, rep.email)
    nav = page.get_by_role("navigation", name="Main")
    menu = nav.get_by_role("button", name="Menu")

    # the links wait behind Menu
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert nav.get_by_role("link", name="Clients").is_hidden()

    # when it is pressed (by keyboard), they open as a list under the header
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Clients").is_visible()
    assert serious_violations(page) == []
    assert text_overflows(page) == []

    # and Escape closes them again, back on the button
    nav.get_by_role("link", name="Clients").focus()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert nav.get_by_role("link", name="Clients").is_hidden()
    menu.click()
    nav.get_by_role("link", name="Clients").click()
    page.get_by_role("heading", name="Clients").wait_for()
    context.close()


def test_the_navigation_stays_open_on_a_desktop(page) -> None:  # type: ignore[no-untyped-def]
    rep, _ = busy_rep()
    log_in(page, rep.email)
    nav = page.get_by_role("navigation", name="Main")

    assert nav.get_by_role("button", name="Menu").is_hidden()
    for name in ("Home", "Quotes", "Clients", "Products", "Engagement", "Delivery notes"):
        assert nav.get_by_role("link", name=name, exact=True).is_visible()
    assert nav.get_by_role("link", name="Home", exact=True).get_attribute("aria-current") == "page"
