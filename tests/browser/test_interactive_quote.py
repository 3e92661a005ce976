"""A quote the client shapes, in a real Chromium at a phone's width: the client adds the
option, picks the second alternative, raises the quantity, sees the total follow, comes
back to the same choices, and accepts them; the acceptance, the delivery note and verify
hold the chosen set.

Exercises: quotery.portal.views.choices, static/js/quote-options.js,
quotery.portal.services.choices.portal_choices_save, quotery.portal.services.acceptance
"""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.verification.quotes import quote_checks
from quotery.portal.tests.portal_fixtures import share_options_quote
from quotery.quotes.models import DeliveryNoteLine
from quotery.sharing.models import Acceptance, PortalShare
from tests.browser.accessibility import serious_violations
from tests.browser.overflow import assert_no_text_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for(condition, seconds: float = 8.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_client_shapes_the_quote_on_a_phone_and_accepts_their_choices(  # type: ignore[no-untyped-def]
    browser, live_server
) -> None:
    company = CompanyFactory(name="Northwind Office Supply")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    shared = share_options_quote(rep)
    context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=True,  # axe is injected as a script
        viewport={"width": 375, "height": 800},
    )
    page = context.new_page()
    page.goto(shared.url)
    total = page.get_by_test_id("quote-total")
    expect(total).to_have_text("€2,775.76")

    # when the client adds the warranty, picks oak and raises the hours to 8
    page.get_by_role("checkbox", name="Extended warranty").check()
    expect(total).to_have_text("€2,883.64")
    page.get_by_role("radio", name="Oak").check()
    expect(total).to_have_text("€2,835.64")
    hours = page.get_by_label("Quantity for Installation")
    hours.fill("8")
    hours.press("Tab")

    # then the total follows at once, tax per rate too
    expect(total).to_have_text("€2,939.96")
    expect(page.get_by_test_id("action-bar-total")).to_have_text("€2,939.96")
    expect(page.locator("[data-option-total='tax-7']")).to_have_text("€36.40")
    assert serious_violations(page) == []
    assert_no_text_overflow(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # and the server keeps the choices for this link, each change an event
    def saved() -> dict:
        choices = PortalShare.objects.get(pk=shared.share.pk).choices
        return json.loads(choices) if choices else {}

    assert wait_for(lambda: saved().get("quantities") == {"0.2": "8"})
    assert saved() == {
        "chosen": {"1": "1.0"},
        "included": {"0.1": True},
        "quantities": {"0.2": "8"},
    }
    changes = [
        event.data["change"]
        for event in QuoteEvent.objects.filter(
            quote_id=shared.quote.pk, kind=EventKind.OPTION_CHANGED
        ).order_by("sequence")
    ]
    assert sorted(changes) == ["added", "chose", "quantity"]

    # when the client comes back, they see what they chose
    page.reload()
    expect(page.get_by_test_id("quote-total")).to_have_text("€2,939.96")
    expect(page.get_by_role("checkbox", name="Extended warranty")).to_be_checked()
    expect(page.get_by_role("radio", name="Oak")).to_be_checked()

    # and accepts
    page.get_by_role("link", name="Accept", exact=True).click()
    page.get_by_label("Your full name").fill("Anna Client")
    page.get_by_label("Your email").fill("anna@client.test")
    page.get_by_role("checkbox", name=re.compile("I accept")).check()
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Thank you: your acceptance is recorded.").wait_for()

    # then the acceptance binds the choices and their total, the delivery note holds the
    # chosen lines, and verify passes
    acceptance = Acceptance.objects.get(quote=shared.quote)
    assert acceptance.total == "2939.96" and acceptance.configuration_hash
    lines = DeliveryNoteLine.objects.filter(note__quote=shared.quote).order_by("position")
    assert [(line.description, line.quantity) for line in lines] == [
        ("Standing desk", Decimal("4")),
        ("Extended warranty", Decimal("1")),
        ("Installation", Decimal("8")),
        ("Oak", Decimal("1")),
    ]
    assert all(check.ok for check in quote_checks(shared.quote))
    assert_no_text_overflow(page)
    context.close()
