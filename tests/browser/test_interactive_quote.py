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


def test_the_rep_builds_options_the_client_accepts_them_and_the_rep_sees_what_was_taken(  # type: ignore[no-untyped-def]
    browser, live_server
) -> None:
    import io

    from pypdf import PdfReader

    from quotery.clients.factories import ClientFactory, ContactFactory
    from quotery.documents.acceptance import accepted_pdf
    from quotery.portal.services.sharing import share_send
    from quotery.quotes.models import Quote
    from quotery.sharing.links import share_token
    from tests.browser.test_quote_editor import log_in

    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    client = ClientFactory(company=company, name="Globex Corporation")
    ContactFactory(client=client, company=company, name="Hank Scorpio", email="hank@globex.test")
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = desk.new_page()

    # the rep builds a quote with an optional line, adjustable hours and a choice of finish
    log_in(page, rep.email)
    page.get_by_role("link", name="New quote").click()
    page.get_by_label("Client", exact=True).select_option(label="Globex Corporation")
    page.get_by_label("Title", exact=True).fill("Office fit-out with options")
    first = page.get_by_role("region", name="Section 1")
    first.get_by_label("Section title").fill("Furniture")
    line = first.get_by_role("group", name="Line 1 of section 1")
    line.get_by_label("Description").fill("Standing desk")
    line.get_by_label("Quantity", exact=True).fill("4")
    line.get_by_label("Unit price").fill("499")
    line.get_by_label("Discount %").fill("10")
    first.get_by_role("button", name="Add line").click()
    line = first.get_by_role("group", name="Line 2 of section 1")
    line.get_by_label("Description").fill("Extended warranty")
    line.get_by_label("Unit price").fill("89.90")
    line.get_by_label("Optional").check()
    first.get_by_role("button", name="Add line").click()
    line = first.get_by_role("group", name="Line 3 of section 1")
    line.get_by_label("Description").fill("Installation")
    line.get_by_label("Quantity", exact=True).fill("6.5")
    line.get_by_label("Unit price").fill("65")
    line.get_by_label("Tax %").fill("7")
    line.get_by_label("Min quantity").fill("4")
    line.get_by_label("Max quantity").fill("10")
    page.get_by_role("button", name="Add section").click()
    second = page.get_by_role("region", name="Section 2")
    second.get_by_label("Section title").fill("Finish")
    second.get_by_label("Choose one").check()
    line = second.get_by_role("group", name="Line 1 of section 2")
    line.get_by_label("Description").fill("Oak")
    line.get_by_label("Unit price").fill("100")
    second.get_by_role("button", name="Add line").click()
    line = second.get_by_role("group", name="Line 2 of section 2")
    line.get_by_label("Description").fill("Walnut")
    line.get_by_label("Unit price").fill("140")
    line.get_by_label("Starts included").check()
    # the live total is that of the defaults: no warranty, 6.5 h, walnut
    expect(page.get_by_test_id("editor-total")).to_have_text("€2,775.76")
    page.get_by_role("button", name="Save quote").click()
    page.get_by_text(re.compile(r"Quote Q-\d{4}-0001 saved")).wait_for()
    quote = Quote.objects.get(company=company)
    assert quote.total == Decimal("2775.76")

    # shared with the client
    share = share_send(
        quote=quote, user=rep, recipient_name="Hank Scorpio", recipient_email="hank@globex.test"
    )
    token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)

    # the client, on a phone, adds the warranty, picks oak, raises the hours and accepts
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    hank = phone.new_page()
    hank.goto(f"/p/{token}/")
    hank.get_by_role("checkbox", name="Extended warranty").check()
    hank.get_by_role("radio", name="Oak").check()
    hank.get_by_label("Quantity for Installation").fill("8")
    hank.get_by_label("Quantity for Installation").press("Tab")
    expect(hank.get_by_test_id("quote-total")).to_have_text("€2,939.96")
    assert wait_for(lambda: '"0.2":"8"' in PortalShare.objects.get(pk=share.pk).choices)
    hank.get_by_role("link", name="Accept", exact=True).click()
    hank.get_by_label("Your full name").fill("Hank Scorpio")
    hank.get_by_label("Your email").fill("hank@globex.test")
    hank.get_by_role("checkbox", name=re.compile("I accept")).check()
    hank.get_by_role("button", name="Accept").click()
    hank.get_by_text("Thank you: your acceptance is recorded.").wait_for()

    # the rep sees what was taken and its total
    page.reload()
    evidence = page.get_by_role("region", name="Acceptance")
    expect(evidence).to_contain_text("Choices accepted")
    expect(evidence.get_by_test_id("accepted-total")).to_have_text("€2,939.96")
    expect(evidence).to_contain_text("Walnut (Finish)")
    # the delivery note holds the chosen lines
    lines = DeliveryNoteLine.objects.filter(note__quote=quote).order_by("position")
    assert [(item.description, item.quantity) for item in lines] == [
        ("Standing desk", Decimal("4")),
        ("Extended warranty", Decimal("1")),
        ("Installation", Decimal("8")),
        ("Oak", Decimal("1")),
    ]
    # the sealed PDF shows the chosen set, its total, and the option not taken
    acceptance = Acceptance.objects.get(quote=quote)
    pdf = PdfReader(io.BytesIO(accepted_pdf(acceptance=acceptance)))
    text = " ".join(page_.extract_text() or "" for page_ in pdf.pages)
    assert "Oak" in text and "2,939.96" in text
    assert "Options not taken" in text and "Walnut (Finish)" in text
    # and verify passes
    assert all(check.ok for check in quote_checks(quote)), quote_checks(quote)
    phone.close()
    desk.close()
