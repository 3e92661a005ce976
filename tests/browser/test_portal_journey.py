"""Journeys 1, 2, 3 and 8 end to end: the rep shares, the client reads the email from a real
SMTP server, opens the link on a phone, the view counts after the beacon, the PDF downloads,
and the rep sees both in the quote's Engagement section.

Exercises: django.contrib.auth.views.LoginView, quotery.portal.views.client.page,
quotery.portal.views.client.pdf, quotery.portal.views.client.seen,
quotery.portal.views.rep.share, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_list
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.quotes.factories import make_quote
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def count(quote, kind: str) -> int:  # type: ignore[no-untyped-def]
    return QuoteEvent.objects.filter(quote=quote, kind=kind).count()


def opens(quote) -> int:  # type: ignore[no-untyped-def]
    """Opens recorded: chained, or waiting to be (quotery.engagement.pending_opens)."""
    return count(quote, EventKind.LINK_OPENED) + PendingOpen.objects.filter(quote=quote).count()


def test_share_open_view_download_and_engagement(
    page, browser, live_server, smtp_server, settings
) -> None:  # type: ignore[no-untyped-def]
    # given a rep's quote for a client contact
    settings.BASE_URL = live_server.url
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    client = ClientFactory(company=company, name="Globex Corporation")
    contact = ContactFactory(
        client=client, company=company, name="Hank Scorpio", email="hank@globex.test"
    )
    quote = make_quote(owner=rep, client=client, sections=2, lines_per_section=3)
    quote.contact = contact
    quote.save()

    # when the rep shares it through the portal with a personal message
    log_in(page, rep.email)
    page.goto(f"/quotes/{quote.pk}/")
    page.get_by_role("button", name="Share").click()
    page.get_by_role("button", name="Portal Share").click()
    dialog = page.get_by_role("dialog")
    assert dialog.get_by_label("Client email").input_value() == "hank@globex.test"
    dialog.get_by_label("Personal message").fill("Hi Hank,\nhere is the offer we discussed.")
    dialog.get_by_role("button", name="Send").click()
    page.get_by_text("Shared with hank@globex.test").wait_for()

    # then the email arrives at the SMTP server with the link, built from BASE_URL
    email = smtp_server.wait_for(1)[0]
    assert email["To"].addresses[0].addr_spec == "hank@globex.test"
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert "here is the offer we discussed." in text
    found = re.search(re.escape(live_server.url) + r"/p/[A-Za-z0-9_-]{44}/", text)
    assert found, text
    link = found.group(0)

    # and a plain GET without script (a link scanner) and a HEAD count no view
    scanner = browser.new_context()
    assert scanner.request.head(link).status == 200
    assert scanner.request.get(link).status == 200
    scanner.close()
    assert count(quote, EventKind.QUOTE_VIEWED) == 0
    assert opens(quote) == 1

    # when the client opens the link on a phone, not logged in
    phone = browser.new_context(viewport=PHONE, accept_downloads=True)
    client_page = phone.new_page()
    client_page.goto(link)
    client_page.get_by_role("heading", name=quote.title).wait_for()
    assert client_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the view is counted once the page's beacon confirms a visible browser
    for _ in range(50):
        if count(quote, EventKind.QUOTE_VIEWED):
            break
        client_page.wait_for_timeout(100)
    assert count(quote, EventKind.QUOTE_VIEWED) == 1
    # and the client downloads the PDF
    with client_page.expect_download() as download_info:
        client_page.get_by_role("link", name="Download PDF").click()
    pdf = download_info.value
    assert pdf.suggested_filename == f"{quote.number}.pdf"
    with open(pdf.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    phone.close()
    assert count(quote, EventKind.PDF_DOWNLOADED) == 1

    # then the rep's Engagement section shows the view and the download with the email
    page.goto(f"/quotes/{quote.pk}/")
    engagement = page.get_by_role("region", name="Engagement")
    engagement.get_by_text(
        re.compile("Viewed.*hank@globex.test|hank@globex.test.*viewed", re.I | re.S)
    ).first.wait_for()
    engagement.get_by_text(re.compile("PDF downloaded", re.I)).first.wait_for()
    engagement.get_by_text(re.compile("link scanner or preview", re.I)).first.wait_for()
