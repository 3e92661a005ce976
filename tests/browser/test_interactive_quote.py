"""A quote the client shapes, in a real Chromium at a phone's width: the client adds the
option, picks the second alternative, raises the quantity, sees the total follow, comes
back to the same choices, and accepts them; the acceptance, the delivery note and verify
hold the chosen set.

The whole journey (the issue's "Tests that show it works"): the rep builds the quote in the
editor, the client shapes it on a phone, scrolls through it and accepts; the rep reads the
accepted choices, the time on each section and the options tried, and the delivery note;
the sealed PDF the client holds shows the chosen set and its total; `manage.py verify`
passes, and fails once the stored choices are edited.

Exercises: quotery.portal.views.choices, static/js/quote-options.js, static/js/attention.js,
quotery.portal.services.choices.portal_choices_save, quotery.portal.services.acceptance,
quotery.engagement.selectors.attention.quote_attention,
quotery.documents.acceptance.accepted_pdf, quotery.engagement.management.commands.verify
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role, User
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.tests.tampering import verify, verify_failing
from quotery.engagement.verification.quotes import quote_checks
from quotery.portal.services.sharing import share_send
from quotery.portal.tests.attention_helpers import seconds_stored
from quotery.portal.tests.portal_fixtures import share_options_quote
from quotery.quotes.models import DeliveryNoteLine, Quote
from quotery.sharing.links import share_token
from quotery.sharing.models import Acceptance, PortalShare
from tests.browser.accessibility import serious_violations
from tests.browser.overflow import assert_no_text_overflow
from tests.browser.tables import cells
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}


def wait_for(condition, seconds: float = 8.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def the_client_adds_the_warranty_picks_oak_and_raises_the_hours(page: Any) -> None:
    """On the client page of the options quote (defaults €2,775.76): the total follows each
    choice at once."""
    total = page.get_by_test_id("quote-total")
    expect(total).to_have_text("€2,775.76")
    page.get_by_role("checkbox", name="Extended warranty").check()
    expect(total).to_have_text("€2,883.64")
    page.get_by_role("radio", name="Oak").check()
    expect(total).to_have_text("€2,835.64")
    hours = page.get_by_label("Quantity for Installation")
    hours.fill("8")
    hours.press("Tab")
    expect(total).to_have_text("€2,939.96")


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
    try:
        page = context.new_page()
        page.goto(shared.url)
        # when the client adds the warranty, picks oak and raises the hours to 8, the total
        # follows each choice at once
        the_client_adds_the_warranty_picks_oak_and_raises_the_hours(page)

        # and so do the action bar's total and the tax per rate
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
    finally:
        context.close()


def the_rep_builds_a_quote_with_options(page: Any, rep: User) -> Quote:
    """In the editor: a desk, an optional warranty, hours adjustable from 4 to 10, and a
    finish to choose (walnut at first); saved with the defaults' total."""
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
    quote = Quote.objects.get(company=rep.membership.company)
    assert quote.total == Decimal("2775.76")
    return quote


def test_the_rep_builds_options_the_client_accepts_them_and_the_rep_sees_what_was_taken(  # type: ignore[no-untyped-def]
    browser, live_server, tmp_path
) -> None:
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    client = ClientFactory(company=company, name="Globex Corporation")
    ContactFactory(client=client, company=company, name="Hank Scorpio", email="hank@globex.test")
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    phone = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        page = desk.new_page()
        quote = the_rep_builds_a_quote_with_options(page, rep)

        # shared with the client
        share = share_send(
            quote=quote, user=rep, recipient_name="Hank Scorpio", recipient_email="hank@globex.test"
        )
        token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)

        # the client, on a phone, adds the warranty, picks oak, raises the hours
        hank = phone.new_page()
        hank.goto(f"/p/{token}/")
        the_client_adds_the_warranty_picks_oak_and_raises_the_hours(hank)
        assert wait_for(lambda: '"0.2":"8"' in PortalShare.objects.get(pk=share.pk).choices)

        # scrolls through the sections, lingering on the finish, and reads the totals
        for part, seconds in (("section:1", 2), ("section:2", 5), ("totals", 2)):
            hank.locator(f'[data-attention="{part}"]').evaluate(
                "part => part.scrollIntoView({block: 'start'})"
            )
            hank.wait_for_timeout(seconds * 1000)

        # and accepts: leaving the page sends the time on each part
        hank.get_by_role("link", name="Accept", exact=True).click()
        assert wait_for(lambda: seconds_stored(quote.pk)), "no time per section was stored"
        hank.get_by_label("Your full name").fill("Hank Scorpio")
        hank.get_by_label("Your email").fill("hank@globex.test")
        hank.get_by_role("checkbox", name=re.compile("I accept")).check()
        hank.get_by_role("button", name="Accept").click()
        hank.get_by_text("Thank you: your acceptance is recorded.").wait_for()

        # the client keeps the sealed PDF of what they accepted
        link = hank.get_by_role("link", name="Download accepted PDF")
        answer = hank.request.get(link.first.get_attribute("href"))
        assert answer.ok and answer.headers["content-type"] == "application/pdf"
        held = tmp_path / "accepted.pdf"
        held.write_bytes(answer.body())

        # the rep sees what was taken and its total
        page.reload()
        evidence = page.get_by_role("region", name="Acceptance")
        expect(evidence).to_contain_text("Choices accepted")
        expect(evidence.get_by_test_id("accepted-total")).to_have_text("€2,939.96")
        expect(evidence).to_contain_text("Walnut (Finish)")

        # and, in the Engagement section, the time on each section and the options tried
        stored = seconds_stored(quote.pk)
        assert stored.get("section:2", 0) >= 4 and stored.get("section:1", 0) >= 1, stored
        engagement = page.get_by_role("region", name="Engagement")
        bars = engagement.get_by_role("list", name="Time on each part, revision 1")
        titles = {"section:1": "Furniture", "section:2": "Finish", "totals": "Totals"}
        assert set(stored) <= set(titles), stored
        for part, seconds in stored.items():
            bar = bars.get_by_role("listitem").filter(has_text=titles[part])
            expect(bar).to_have_text(re.compile(rf"^\s*{titles[part]}\s+{seconds} s\s*$"))
        longest = max(stored.values())
        leaders = "|".join(titles[part] for part, seconds in stored.items() if seconds == longest)
        expect(engagement).to_contain_text(re.compile(rf"Spent most time on ({leaders}) "))
        tried = engagement.locator(".attention-options").get_by_role("listitem")
        assert sorted(tried.all_inner_texts()) == [
            "Installation: quantity 6.5 -> 8",
            "added Extended warranty",
            "chose Oak over Walnut",
        ]

        # the delivery note holds the chosen lines, in the chosen quantities
        page.get_by_role("region", name="Delivery notes").get_by_role("link").click()
        page.get_by_role("heading", name=re.compile("^Delivery note ")).wait_for()
        rows = page.locator("table").first.locator("tbody").get_by_role("row")
        assert [cells(row)[1:3] for row in rows.all()] == [
            ["Standing desk", "4"],
            ["Extended warranty", "1"],
            ["Installation", "8"],
            ["Oak", "1"],
        ]
    finally:
        phone.close()
        desk.close()

    # the sealed PDF is the recorded one and shows the chosen set, its total, and the
    # option not taken
    acceptance = Acceptance.objects.get(quote=quote)
    assert hashlib.sha256(held.read_bytes()).hexdigest() == acceptance.pdf_sha256
    text = " ".join(
        " ".join((part.extract_text() or "").split())
        for part in PdfReader(io.BytesIO(held.read_bytes())).pages
    )
    for chosen in ("Standing desk", "Extended warranty", "Installation", "Oak", "€2,939.96"):
        assert chosen in text, chosen
    assert "Options not taken" in text and "Walnut (Finish)" in text

    # verify passes, for the quote and for the PDF the client holds
    assert "All 1 quote(s) verified." in verify("--quote", quote.number)
    assert "verified." in verify("--pdf", str(held))

    # and fails once the stored choices are edited: walnut instead of the oak accepted
    Acceptance.objects.filter(pk=acceptance.pk).update(
        configuration=acceptance.configuration.replace('"1":"1.0"', '"1":"1.1"')
    )
    assert Acceptance.objects.get(pk=acceptance.pk).configuration != acceptance.configuration
    output, failure = verify_failing("--quote", quote.number)
    assert "the choices it records were edited" in output, output
    assert "sealed PDF: BROKEN: choices accepted" in output, output
    assert failure == "2 check(s) failed over 1 quote(s)."
    output, failure = verify_failing("--pdf", str(held))
    assert "the choices it records were edited" in output, output
    assert failure == f"The acceptance of {company.slug} {quote.number} does not verify."
