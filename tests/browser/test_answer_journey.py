"""Journeys 1, 4, 5 and 7 end to end, as one story in a real browser: the rep shares a quote
whose products track stock; the client, on a phone, asks for changes; the rep hears it from
the bell, edits the quote and shares it again; the client sees what changed and accepts with a
typed name; the rep finds the quote closed, the delivery note with reserved and backordered
quantities, the reserved stock on the product, and the notification; both acceptance emails
arrive at a real SMTP server, the client's with the sealed PDF, which validates, breaks after
one changed byte, and is the very file the client downloads.

Exercises: quotery.catalog.services.stock_adjust, quotery.documents.sealing.verify_pdf_seal,
django.contrib.auth.views.LoginView, quotery.notifications.views.notification_bell,
quotery.notifications.views.notification_list, quotery.notifications.views.notification_open,
quotery.portal.views.acceptance.accept, quotery.portal.views.acceptance.accepted_pdf_download,
quotery.portal.views.answers.request_changes, quotery.portal.views.client.page,
quotery.portal.views.client.seen, quotery.portal.views.rep.share,
quotery.quotes.product_views.product_detail, quotery.quotes.views.delivery_note_detail,
quotery.quotes.views.editor_totals_view, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_edit, quotery.quotes.views.quote_list
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockLevel
from quotery.catalog.services import stock_adjust
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.core.evidence_text import short_reference
from quotery.core.money import format_money
from quotery.documents.sealing import verify_pdf_seal
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import Notification, NotificationKind, OutboxEmail
from quotery.quotes.factories import make_quote
from quotery.quotes.models import DeliveryNote, Quote, QuoteState
from quotery.sharing.models import Acceptance, ConversationMessage
from tests.browser.tables import cells
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
LINK = r"/p/[A-Za-z0-9_-]{44}/"
CONSENT = "I accept quote .* I agree to do business electronically"
ASK = "Could you make it 6 desks instead of 4? The chairs stay as they are."


def plain(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def html(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def to(message: EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec)


def fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def is_view_beacon(response) -> bool:  # type: ignore[no-untyped-def]
    return response.request.method == "POST" and response.url.endswith("/seen/")


def one_byte_changed_inside_the_document(pdf: bytes) -> bytes:
    """The PDF with one byte of the first content stream flipped: covered by the seal, and
    the file still parses."""
    position = pdf.index(b"stream\n") + len(b"stream\n") + 20
    assert position < len(pdf) // 2
    tampered = bytearray(pdf)
    tampered[position] ^= 0x01
    return bytes(tampered)


def test_share_changes_reshare_accept_and_what_everyone_sees(  # type: ignore[no-untyped-def]
    page, browser, live_server, smtp_server, settings, tmp_path: Path
) -> None:
    settings.BASE_URL = live_server.url
    settings.NOTIFICATION_POLL_SECONDS = 1
    settings.MAILBOX_DIR = None

    # given Rita's quote for Hank: 4 desks (10 in stock) and 5 chairs (only 2 in stock)
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rita = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    globex = ClientFactory(company=company, name="Globex Corporation")
    ContactFactory(client=globex, company=company, name="Hank Scorpio", email="hank@globex.test")
    desk = ProductFactory(company=company, sku="DSK-160", name="Standing desk 160 cm")
    chair = ProductFactory(company=company, sku="CHR-AALTO", name="Office chair Aalto")
    stock_adjust(product=desk, delta=Decimal(10), reason="Delivery from supplier", user=rita)
    stock_adjust(product=chair, delta=Decimal(2), reason="Delivery from supplier", user=rita)
    quote = make_quote(
        owner=rita,
        client=globex,
        title="Office fit-out",
        issue_date=timezone.localdate(),
        products=[desk, chair],
        quantities=[Decimal(4), Decimal(5)],
    )

    # when Rita logs in and shares it: Share, Portal Share, name, email, message, Send
    log_in(page, rita.email)
    page.goto(f"/quotes/{quote.pk}/")
    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Share {quote.number}")
    dialog.get_by_role("button", name="Portal Share").click()
    dialog.get_by_label("Client name").fill("Hank Scorpio")
    dialog.get_by_label("Client email").fill("hank@globex.test")
    dialog.get_by_label("Personal message").fill("Hi Hank,\nhere is the offer for the desks.")
    dialog.get_by_role("button", name="Send").click()
    page.get_by_text("Shared with hank@globex.test").wait_for()

    # then the share email arrives at the SMTP server with Hank's link
    shared = smtp_server.wait_for(1)[0]
    assert to(shared) == "hank@globex.test"
    found = re.search(re.escape(live_server.url) + LINK, plain(shared))
    assert found, plain(shared)
    link = found.group(0)

    # when Hank opens it on his phone, and stays until the page counts his view
    phone = browser.new_context(viewport=PHONE, accept_downloads=True)
    phone.set_default_timeout(10_000)
    hank = phone.new_page()
    with hank.expect_response(is_view_beacon):
        hank.goto(link)
    hank.get_by_role("heading", level=1, name="Office fit-out").wait_for()
    assert QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_VIEWED).count() == 1
    assert fits_the_phone(hank)

    # and asks for changes
    hank.get_by_role("link", name="Request changes").click()
    hank.get_by_role("heading", name="Request changes").wait_for()
    assert fits_the_phone(hank)
    hank.get_by_label("What would you like changed?").fill(ASK)
    hank.get_by_role("button", name="Send").click()

    # then his page confirms it and shows his message in the conversation
    hank.get_by_text("Your request for changes was sent.").wait_for()
    expect(hank.get_by_role("region", name="Conversation").get_by_text(ASK)).to_be_visible()
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.CHANGES_REQUESTED

    # and Rita's bell counts it without a reload; opening it leads to the quote
    nav = page.get_by_role("navigation", name="Main")
    bell = nav.get_by_role("link", name="Notifications, 1 unread")
    bell.wait_for(timeout=5_000)
    bell.click()
    page.get_by_role("heading", name="Notifications").wait_for()
    page.get_by_role("button", name=re.compile("Hank Scorpio")).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Office fit-out")
    assert page.url.endswith(f"/quotes/{quote.pk}/#client-request")
    expect(heading).to_contain_text("Changes requested")
    # at the top, a banner with Hank's words; the conversation holds them too
    banner = page.get_by_role("region", name="Hank Scorpio asked for changes")
    expect(banner.get_by_text(ASK)).to_be_visible()
    expect(banner.get_by_role("link", name="Edit quote")).to_be_visible()
    expect(page.get_by_role("region", name="Conversation").get_by_text(ASK)).to_be_visible()
    nav.get_by_role("link", name="Notifications, none unread").wait_for()

    # when she edits the quote, 6 desks instead of 4, and saves
    old_total = Quote.objects.get(pk=quote.pk).total
    page.get_by_role("link", name="Edit", exact=True).click()
    desks = page.get_by_role("group", name="Line 1 of section 1")
    expect(desks.get_by_label("Quantity", exact=True)).to_have_value(re.compile(r"^4(\.0+)?$"))
    desks.get_by_label("Quantity", exact=True).fill("6")
    page.get_by_role("button", name="Save quote").click()
    page.get_by_text(f"Quote {quote.number} saved").wait_for()
    new_total = Quote.objects.get(pk=quote.pk).total
    assert new_total != old_total

    # and shares it again with the same email
    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Share {quote.number}")
    dialog.get_by_role("button", name="Portal Share").click()
    assert dialog.get_by_label("Client email").input_value() == "hank@globex.test"
    dialog.get_by_label("Personal message").fill("Hi Hank, 6 desks it is.")
    dialog.get_by_role("button", name="Send").click()
    page.get_by_text("Shared with hank@globex.test").wait_for()

    # then a fresh email arrives with the same link
    emails = smtp_server.wait_for(3)  # share, Rita told of the request, the share again
    assert [to(message) for message in emails[1:3]] == ["rita@northwind.test", "hank@globex.test"]
    assert "6 desks it is." in plain(emails[2])
    again = re.search(re.escape(live_server.url) + LINK, plain(emails[2]))
    assert again is not None and again.group(0) == link

    # when Hank reloads his page, he reads what changed since he last looked
    with hank.expect_response(is_view_beacon):
        hank.goto(link)
    old, new = format_money(old_total, "EUR"), format_money(new_total, "EUR")
    changes = hank.get_by_role("region", name=re.compile("Updated since you last looked"))
    expect(changes.get_by_role("heading")).to_contain_text(
        "Updated since you last looked (version 1 → 2)"
    )
    expect(changes.get_by_role("heading")).to_contain_text(f"new total {new} (was {old})")
    expect(changes.get_by_role("listitem")).to_have_count(1)
    expect(changes.get_by_role("listitem")).to_contain_text("DSK-160")
    expect(changes.get_by_role("listitem")).to_contain_text(re.compile(r"4(\.0+)? → 6"))
    expect(hank.get_by_text(f"Total {new}", exact=True)).to_be_visible()
    assert fits_the_phone(hank)
    hank.screenshot(path=str(tmp_path / "updated.png"), full_page=True)

    # and opens Accept: the consent box is not ticked
    hank.get_by_role("link", name="Accept", exact=True).click()
    hank.get_by_role("heading", name=f"Accept quote {quote.number}").wait_for()
    consent = hank.get_by_role("checkbox", name=re.compile(CONSENT))
    expect(consent).not_to_be_checked()
    assert fits_the_phone(hank)
    hank.screenshot(path=str(tmp_path / "accept-form.png"), full_page=True)

    # when he presses Accept without ticking it
    outbox_before = OutboxEmail.objects.count()
    hank.get_by_role("button", name="Accept").click()

    # then the form says what is missing, and nothing is recorded
    hank.get_by_text("Nothing was recorded yet").wait_for()
    hank.get_by_text("Tick the box to confirm that you accept and sign electronically.").wait_for()
    expect(consent).not_to_be_checked()
    assert not Acceptance.objects.filter(quote=quote).exists()
    assert not DeliveryNote.objects.filter(quote=quote).exists()
    assert OutboxEmail.objects.count() == outbox_before
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.SENT
    assert fits_the_phone(hank)
    hank.screenshot(path=str(tmp_path / "accept-errors.png"), full_page=True)

    # when he types his name and email, ticks the box and accepts
    hank.get_by_label("Your full name").fill("Hank Scorpio")
    hank.get_by_label("Your email").fill("hank@globex.test")
    consent.check()
    hank.get_by_role("button", name="Accept").click()

    # then his page says it is accepted and offers the accepted PDF
    hank.get_by_text("Thank you: your acceptance is recorded.").wait_for()
    answer = hank.get_by_role("region", name="Accepted")
    expect(answer).to_contain_text("Accepted by Hank Scorpio (hank@globex.test)")
    expect(answer.get_by_role("link", name="Download accepted PDF")).to_be_visible()
    assert fits_the_phone(hank)
    hank.screenshot(path=str(tmp_path / "accepted.png"), full_page=True)
    acceptance = Acceptance.objects.get(quote=quote)
    assert acceptance.revision_number == 2

    # and Rita, reloading the quote, finds it closed with the acceptance and its reference,
    # the full signature hash one click away
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Won (closed)")
    evidence = page.get_by_role("region", name="Acceptance")
    expect(evidence).to_contain_text("Hank Scorpio <hank@globex.test>")
    expect(evidence).to_contain_text(short_reference(acceptance.signature_hash))
    evidence.get_by_text("Full signature hash").click()
    expect(evidence.get_by_text(acceptance.signature_hash)).to_be_visible()
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.CLOSED

    # and the bell has the acceptance, which the list names
    nav.get_by_role("link", name="Notifications, 1 unread").wait_for()
    note = DeliveryNote.objects.get(quote=quote)

    # when she opens the delivery note: 6 desks reserved, 2 chairs reserved and 3 backordered,
    # nothing shipped yet
    page.get_by_role("region", name="Delivery notes").get_by_role("link", name=note.number).click()
    page.get_by_role("heading", name=f"Delivery note {note.number}").wait_for()
    page.get_by_text(
        "3 units backordered: not enough stock when the quote was accepted."
    ).wait_for()
    lines = page.get_by_role("table", name=f"Lines of delivery note {note.number}")
    assert cells(lines.get_by_role("row").filter(has_text="DSK-160")) == [
        "DSK-160",
        "Item 1.1",
        "6",
        "6",
        "0",
        "0",
    ]
    assert cells(lines.get_by_role("row").filter(has_text="CHR-AALTO")) == [
        "CHR-AALTO",
        "Item 1.2",
        "5",
        "2",
        "3",
        "0",
    ]

    # and the desk's product page shows the reserved stock and the note holding it
    page.get_by_role("link", name="DSK-160").click()
    page.get_by_role("heading", name="Standing desk 160 cm").wait_for()
    stock = page.get_by_role("complementary", name="Stock")
    levels = " ".join(stock.locator("dl").inner_text().split())
    assert levels == "On hand 10 Reserved for accepted quotes 6 Available 4"
    expect(stock.get_by_role("link", name=note.number)).to_be_visible()
    assert StockLevel.objects.get(product=chair).reserved == 2

    # and the notifications list has the acceptance, unread
    nav.get_by_role("link", name="Notifications, 1 unread").click()
    page.get_by_role("heading", name="Notifications").wait_for()
    accepted_note = Notification.objects.get(user=rita, kind=NotificationKind.QUOTE_ACCEPTED)
    expect(
        page.get_by_role("button", name=re.compile(re.escape(accepted_note.text)))
    ).to_contain_text("Unread")
    assert accepted_note.text.startswith(f"Hank Scorpio accepted {quote.number}")

    # then both acceptance emails arrive, each with the reference and the full signature hash
    emails = smtp_server.wait_for(5)
    by_recipient = {to(message): message for message in emails[3:5]}
    assert set(by_recipient) == {"rita@northwind.test", "hank@globex.test"}
    for message in by_recipient.values():
        assert acceptance.signature_hash in plain(message)
        assert acceptance.signature_hash in html(message)
    assert list(by_recipient["rita@northwind.test"].iter_attachments()) == []

    # and Hank's carries the sealed accepted PDF: valid, broken by one changed byte
    (attachment,) = list(by_recipient["hank@globex.test"].iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert hashlib.sha256(pdf).hexdigest() == Acceptance.objects.get(pk=acceptance.pk).pdf_sha256
    report = verify_pdf_seal(pdf)
    assert report.ok, report.detail
    tampered = verify_pdf_seal(one_byte_changed_inside_the_document(pdf))
    assert not tampered.ok
    assert "changed after sealing" in tampered.detail

    # and "Download accepted PDF" on his phone gives the very same bytes
    with hank.expect_download() as download_info:
        answer.get_by_role("link", name="Download accepted PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-accepted.pdf")
    assert Path(download.path()).read_bytes() == pdf
    phone.close()

    # and nothing was sent twice
    assert ConversationMessage.objects.filter(quote=quote, body=ASK).count() == 1
    assert len(smtp_server.messages) == 5
