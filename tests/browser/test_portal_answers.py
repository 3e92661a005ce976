"""Journeys 5, 6 and 7 in a real browser: on a phone the client asks for changes; the rep
sees the message on the quote page and replies; the reply reaches the client by real SMTP
with their link, and they see it on the page and answer; another quote is declined with a
reason and the rep is told.

Exercises: quotery.portal.services.sharing.share_send, django.contrib.auth.views.LoginView,
quotery.portal.views.answers.decline, quotery.portal.views.answers.message,
quotery.portal.views.answers.request_changes, quotery.portal.views.client.page,
quotery.portal.views.client.seen, quotery.portal.views.rep.reply,
quotery.quotes.views.quote_detail, quotery.quotes.views.quote_list
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.portal.services.sharing import share_send
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.models import Decline
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def plain(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def link_in(message, base: str) -> str:  # type: ignore[no-untyped-def]
    found = re.search(re.escape(base) + r"/p/[A-Za-z0-9_-]{44}/", plain(message))
    assert found, plain(message)
    return found.group(0)


def fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_changes_conversation_and_decline(page, browser, live_server, smtp_server, settings):  # type: ignore[no-untyped-def]
    # given Rita's two quotes shared with Hank (the share emails arrive first)
    settings.BASE_URL = live_server.url
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rita = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    globex = ClientFactory(company=company, name="Globex Corporation")
    ContactFactory(client=globex, company=company, name="Hank Scorpio", email="hank@globex.test")
    quote = make_quote(owner=rita, client=globex, title="Office fit-out")
    other = make_quote(owner=rita, client=globex, title="Warehouse shelving")
    for shared_quote in (quote, other):
        share_send(
            quote=shared_quote,
            user=rita,
            recipient_name="Hank Scorpio",
            recipient_email="hank@globex.test",
        )
    shares = smtp_server.wait_for(2)
    by_title = {
        title: link_in(message, live_server.url)
        for message in shares
        for title in ("Office fit-out", "Warehouse shelving")
        if title in str(message["Subject"])
    }

    # when Hank, on his phone, asks for changes to the first quote
    phone = browser.new_context(viewport=PHONE)
    hank = phone.new_page()
    hank.goto(by_title["Office fit-out"])
    hank.get_by_role("link", name="Request changes").click()
    hank.get_by_role("heading", name="Request changes").wait_for()
    assert fits_the_phone(hank)
    hank.get_by_label("What would you like changed?").fill("Could you quote 10 desks instead of 6?")
    hank.get_by_role("button", name="Send").click()

    # then his page confirms it and the message is in the conversation
    hank.get_by_text("Your request for changes was sent.").wait_for()
    conversation = hank.get_by_role("region", name="Conversation")
    conversation.get_by_text("Could you quote 10 desks instead of 6?").wait_for()
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.CHANGES_REQUESTED

    # and Rita gets an email with a link back to the quote
    told = smtp_server.wait_for(3)[2]
    assert told["To"].addresses[0].addr_spec == "rita@northwind.test"
    assert f"{live_server.url}/quotes/{quote.pk}/" in plain(told)

    # when Rita opens the quote, she sees the request and replies from the page
    log_in(page, rita.email)
    page.goto(f"/quotes/{quote.pk}/")
    rep_conversation = page.get_by_role("region", name="Conversation")
    rep_conversation.get_by_text("Could you quote 10 desks instead of 6?").wait_for()
    rep_conversation.get_by_text("Hank Scorpio").first.wait_for()
    rep_conversation.get_by_label("Reply to the client").fill(
        "Of course, Hank: the new version follows today."
    )
    rep_conversation.get_by_role("button", name="Send reply").click()
    page.get_by_text("Your reply is in the conversation").wait_for()

    # then Hank gets the reply by email, with his own link
    reply = smtp_server.wait_for(4)[3]
    assert reply["To"].addresses[0].addr_spec == "hank@globex.test"
    assert "Of course, Hank: the new version follows today." in plain(reply)
    assert link_in(reply, live_server.url) == by_title["Office fit-out"]

    # and following it, he sees the reply in the thread and answers it
    hank.goto(link_in(reply, live_server.url))
    conversation = hank.get_by_role("region", name="Conversation")
    conversation.get_by_text("Of course, Hank: the new version follows today.").wait_for()
    conversation.get_by_label("Write a message").fill("Thanks, Rita!")
    conversation.get_by_role("button", name="Send message").click()
    hank.get_by_text("Your message was sent.").wait_for()
    hank.get_by_role("region", name="Conversation").get_by_text("Thanks, Rita!").wait_for()
    assert "Thanks, Rita!" in plain(smtp_server.wait_for(5)[4])

    # when Hank declines the other quote for its price, with a few words
    hank.goto(by_title["Warehouse shelving"])
    hank.get_by_role("link", name="Decline").click()
    hank.get_by_role("heading", name="Decline this quote").wait_for()
    assert fits_the_phone(hank)
    hank.get_by_label("Price").check()
    hank.get_by_label("Anything you would like to add? (optional)").fill("Over our budget.")
    hank.get_by_role("button", name="Decline").click()

    # then the page confirms it, the quote is declined, and Rita is told the reason
    hank.get_by_text("This quote was declined.").wait_for()
    decline = Decline.objects.get(quote=other)
    assert (decline.reason, decline.detail) == ("price", "Over our budget.")
    assert Quote.objects.get(pk=other.pk).state == QuoteState.DECLINED
    declined = smtp_server.wait_for(6)[5]
    assert "Reason: Price" in plain(declined) and "Over our budget." in plain(declined)
    phone.close()
