"""Journey 1 in a real browser: the rep shares a quote from the Share dialog, the email
arrives at a real SMTP server, its link opens the client page; bad input is explained and
sends nothing; the local mailbox shows the email and leads to the quote; revoke kills the link.

Exercises: quotery.sharing.links.share_url, django.contrib.auth.views.LoginView,
quotery.notifications.views.mailbox_list, quotery.notifications.views.mailbox_message_detail,
quotery.portal.views.client.page, quotery.portal.views.rep.revoke,
quotery.portal.views.rep.share, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_list
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role, User
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.notifications.models import OutboxEmail
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote
from quotery.sharing.links import share_url
from quotery.sharing.models import PortalShare
from tests.browser.accessibility import serious_violations
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rep_and_quote() -> tuple[User, Quote]:
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    client = ClientFactory(company=company, name="Globex Corporation")
    contact = ContactFactory(
        client=client, company=company, name="Hank Scorpio", email="hank@globex.test"
    )
    quote = make_quote(owner=rep, client=client, title="Office fit-out")
    quote.contact = contact
    quote.save()
    return rep, quote


def open_portal_share(page, quote: Quote):  # type: ignore[no-untyped-def]
    page.goto(f"/quotes/{quote.pk}/")
    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Share {quote.number}")
    dialog.get_by_role("button", name="Portal Share").click()
    return dialog


def test_rep_shares_from_the_dialog_and_the_emailed_link_opens_the_quote(
    page, browser, live_server, smtp_server, settings
) -> None:  # type: ignore[no-untyped-def]
    # given a rep's draft quote for Hank
    settings.BASE_URL = live_server.url
    settings.MAILBOX_DIR = None
    rep, quote = rep_and_quote()
    log_in(page, rep.email)

    # when the rep opens Share, Portal Share: the form is prefilled from the contact
    dialog = open_portal_share(page, quote)
    assert dialog.get_by_label("Client name").input_value() == "Hank Scorpio"
    assert dialog.get_by_label("Client email").input_value() == "hank@globex.test"
    message = dialog.get_by_label("Personal message")
    typed = "Hi Hank,\nhere is the offer we discussed."
    message.fill(typed)
    dialog.get_by_text(f"{len(typed)} of 2000 characters").wait_for()
    dialog.get_by_role("button", name="Send").click()

    # then the quote page confirms, and lists the share with its link
    page.get_by_text("Shared with hank@globex.test").wait_for()
    share = PortalShare.objects.get(quote=quote)
    link = share_url(key=share.key, quote_id=quote.pk, email="hank@globex.test")
    shares = page.get_by_role("region", name="Shared with")
    assert shares.get_by_label("Link for hank@globex.test", exact=True).input_value() == link
    shares.get_by_text("Sent 1 time").wait_for()
    page.get_by_role("region", name="Conversation").get_by_text(
        "here is the offer we discussed."
    ).wait_for()

    # and the email arrives over SMTP, in HTML and plain text, from BASE_URL
    (email,) = smtp_server.wait_for(1)
    assert email["To"].addresses[0].addr_spec == "hank@globex.test"
    assert email["Reply-To"].addresses[0].addr_spec == "rita@northwind.test"
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    found = re.search(re.escape(live_server.url) + r"/p/[A-Za-z0-9_-]{44}/", text)
    assert found is not None and found.group(0) == link
    assert f'href="{link}"' in html and "View your quote" in html

    # when the client opens the link from the text part, not logged in
    client_context = browser.new_context()
    client_page = client_context.new_page()
    response = client_page.goto(found.group(0))

    # then the client page shows the quote
    assert response is not None and response.status == 200
    client_page.get_by_role("heading", name="Office fit-out").wait_for()
    client_context.close()


def test_bad_input_in_the_dialog_is_explained_and_nothing_is_sent(
    page, live_server, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    # given the rep in the Portal Share form
    rep, quote = rep_and_quote()
    log_in(page, rep.email)
    dialog = open_portal_share(page, quote)

    # when the email is wrong and the message too long
    dialog.get_by_label("Client email").fill("hank at globex")
    dialog.get_by_label("Personal message").fill("x" * 2001)
    dialog.get_by_text("2001 of 2000 characters").wait_for()
    dialog.get_by_role("button", name="Send").click()

    # then each field says what is wrong and keeps what was typed
    page.get_by_text("Enter the client's email address, like anna@example.com.").wait_for()
    page.get_by_text("The message can be at most 2000 characters; it has 2001.").wait_for()
    page.get_by_text("Nothing was saved").wait_for()
    assert page.get_by_label("Client email").input_value() == "hank at globex"
    assert page.get_by_label("Client name").input_value() == "Hank Scorpio"

    # when the rep fixes it and sends again, it goes out once
    page.get_by_label("Client email").fill("hank@globex.test")
    page.get_by_label("Personal message").fill("Short and sweet.")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Shared with hank@globex.test").wait_for()
    assert len(smtp_server.wait_for(1)) == 1
    assert PortalShare.objects.count() == 1 and OutboxEmail.objects.count() == 1


def test_bad_input_sends_and_logs_nothing(page, live_server, smtp_server) -> None:  # type: ignore[no-untyped-def]
    rep, quote = rep_and_quote()
    log_in(page, rep.email)
    dialog = open_portal_share(page, quote)
    dialog.get_by_label("Client name").fill("")
    dialog.get_by_role("button", name="Send").click()
    page.get_by_text("Enter the client's name.").wait_for()
    assert not PortalShare.objects.exists() and not OutboxEmail.objects.exists()
    assert not QuoteEvent.objects.filter(quote=quote).exists()
    assert smtp_server.messages == []
    quote.refresh_from_db()
    assert quote.state == "draft"


def test_newcomer_follows_the_link_from_the_local_mailbox(
    page, browser, live_server, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # given the development set-up: a file mailbox and its page
    settings.BASE_URL = live_server.url
    settings.MAILBOX_DIR = tmp_path
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    rep, quote = rep_and_quote()
    log_in(page, rep.email)
    dialog = open_portal_share(page, quote)
    dialog.get_by_role("button", name="Send").click()

    # when the newcomer follows "Open the local mailbox" in a private window
    mailbox_link = page.get_by_role("link", name="Open the local mailbox")
    href = mailbox_link.get_attribute("href")
    assert href == "/mailbox/"
    private = browser.new_context(base_url=live_server.url)
    errors: list[str] = []
    visitor = private.new_page()
    visitor.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    visitor.goto(href)
    visitor.get_by_role("link", name=re.compile(f"Quote {quote.number} from Northwind")).click()

    # then the HTML version renders in its sandbox (the CSP does not break it)
    frame = visitor.frame_locator("iframe[title='HTML version of the email']")
    frame.get_by_role("link", name="View your quote").wait_for()
    # and the text version's link is clickable and opens the client page
    visitor.get_by_role("region", name="Plain text version").locator("a[href*='/p/']").click()
    visitor.get_by_role("heading", name="Office fit-out").wait_for()
    assert not [error for error in errors if "Content Security Policy" in error], errors
    private.close()
    # one open recorded: chained, or still waiting to be (quotery.engagement.pending_opens)
    chained = QuoteEvent.objects.filter(quote=quote, kind=EventKind.LINK_OPENED).count()
    assert chained + PendingOpen.objects.filter(quote=quote).count() == 1


def test_revoke_asks_first_and_kills_the_link(page, browser, live_server, settings) -> None:  # type: ignore[no-untyped-def]
    settings.BASE_URL = live_server.url
    rep, quote = rep_and_quote()
    log_in(page, rep.email)
    dialog = open_portal_share(page, quote)
    dialog.get_by_role("button", name="Send").click()
    page.get_by_text("Shared with hank@globex.test").wait_for()
    link = page.get_by_label("Link for hank@globex.test", exact=True).input_value()

    # when the rep presses Revoke and dismisses the confirmation, nothing happens
    page.once("dialog", lambda confirm: confirm.dismiss())
    page.get_by_role("button", name="Revoke the link for hank@globex.test").click()
    assert not PortalShare.objects.get().is_revoked
    # when they confirm, the link is revoked and no longer offered
    page.once("dialog", lambda confirm: confirm.accept())
    page.get_by_role("button", name="Revoke the link for hank@globex.test").click()
    page.get_by_text("no longer opens the quote").wait_for()
    assert PortalShare.objects.get().is_revoked
    assert page.get_by_label("Link for hank@globex.test", exact=True).count() == 0
    page.get_by_role("button", name="Resend to hank@globex.test").wait_for()

    # and the old link answers with the not-found page
    visitor = browser.new_context()
    response = visitor.new_page().goto(link)
    assert response is not None and response.status == 404
    visitor.close()


def test_copy_link_puts_the_link_on_the_clipboard(page, live_server, settings) -> None:  # type: ignore[no-untyped-def]
    # given a shared quote, in a browser that lets the page use the clipboard
    settings.BASE_URL = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    rep, quote = rep_and_quote()
    log_in(page, rep.email)
    dialog = open_portal_share(page, quote)
    dialog.get_by_role("button", name="Send").click()
    page.get_by_text("Shared with hank@globex.test").wait_for()
    link = page.get_by_label("Link for hank@globex.test", exact=True).input_value()

    # when the rep presses Copy link
    page.get_by_role("button", name="Copy link").click()

    # then the button says so and the clipboard holds the link
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link


def test_share_dialog_and_panel_have_no_serious_accessibility_problems(
    browser, live_server, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.BASE_URL = live_server.url
    rep, quote = rep_and_quote()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, rep.email)
    dialog = open_portal_share(page, quote)
    assert serious_violations(page) == []
    dialog.get_by_role("button", name="Send").click()
    page.get_by_role("region", name="Shared with").wait_for()
    assert serious_violations(page) == []
    context.close()
