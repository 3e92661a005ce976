"""The client's request at the top of the rep's quote page (`quote_client_request`): when it
shows, with what, and with which actions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from quotery.portal.services.answers import (
    client_message_post,
    quote_decline,
    quote_request_changes,
    rep_message_post,
)
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    Shared,
    accept_shared,
    client_message,
    edit_and_share_again,
    share_quote,
)
from quotery.quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db

# 09:30 UTC on a winter day: 10:30 in the company's zone (Europe/Berlin, CET).
ASKED_AT = dt.datetime(2026, 1, 13, 9, 30, tzinfo=dt.UTC)


def page(http, shared: Shared) -> str:  # type: ignore[no-untyped-def]
    response = http.get(reverse("quotes:detail", args=[shared.quote.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def banner(html: str) -> str:
    """The banner's HTML, or "" when the page has none."""
    match = re.search(r'<section id="client-request".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_changes_requested_shows_the_clients_words_who_and_when_at_the_top(
    login, rep, time_machine
):
    # given a shared quote on which the client asked for changes at 10:30 Berlin time
    shared = share_quote(rep)
    time_machine.move_to(ASKED_AT, tick=False)
    quote_request_changes(
        share=shared.share, message="Ten chairs instead of six,\nplease.", request_meta=CLIENT_META
    )

    # when the rep opens the quote
    html = page(login(rep), shared)

    # then a banner stands above the quote's document, with the words, who and when
    found = banner(html)
    assert found, "no banner"
    assert html.index('id="client-request"') < html.index('class="layout-detail"')
    assert "Anna Client asked for changes" in found
    assert "Ten chairs instead of six,<br>please." in found
    assert "anna@client.test" in found
    assert "13 Jan 2026, 10:30 CET" in found
    # with Edit quote (the editor) and Reply (the reply form's field, which exists)
    assert f'href="{reverse("quotes:edit", args=[shared.quote.pk])}">Edit quote</a>' in found
    assert 'href="#id_reply_body" data-focus-target="id_reply_body">Reply</a>' in found
    assert 'id="id_reply_body"' in html


def test_the_banner_quotes_the_change_request_not_a_later_message(login, rep, time_machine):
    # given a change request, then another message from the client
    shared = share_quote(rep)
    time_machine.move_to(ASKED_AT, tick=False)
    quote_request_changes(share=shared.share, message="Blue chairs.", request_meta=CLIENT_META)
    time_machine.move_to(ASKED_AT + dt.timedelta(hours=1), tick=False)
    client_message_post(share=shared.share, body="Also, any news?", request_meta=CLIENT_META)

    found = banner(page(login(rep), shared))

    assert "asked for changes" in found and "Blue chairs." in found
    assert "Also, any news?" not in found


def test_security_21_the_banner_escapes_the_clients_name_and_words(login, rep):
    # given a client whose name and message are markup
    shared = share_quote(rep)
    shared.share.recipient_name = '<img src=x onerror="alert(1)">'
    shared.share.save(update_fields=["recipient_name"])
    quote_request_changes(
        share=shared.share,
        message="<script>alert('x')</script> & <b>bold</b>",
        request_meta=CLIENT_META,
    )

    found = banner(page(login(rep), shared))

    # then the banner shows them as text
    assert "<script>" not in found and "<img" not in found and "<b>" not in found
    assert (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in found
    )
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; asked for changes" in found


def test_a_client_message_awaiting_a_reply_shows_a_banner_with_reply_only(login, rep):
    # given a sent quote on which the client wrote last
    shared = share_quote(rep)
    client_message_post(share=shared.share, body="Is delivery included?", request_meta=CLIENT_META)
    http = login(rep)

    found = banner(page(http, shared))

    assert "Anna Client is waiting for your reply" in found
    assert "Is delivery included?" in found
    assert ">Reply</a>" in found and "Edit quote" not in found

    # when the rep answers, the banner goes
    rep_message_post(quote=shared.quote, user=rep, body="Yes, it is.")
    assert banner(page(http, shared)) == ""


def test_no_banner_when_the_rep_wrote_last_or_nobody_wrote(login, rep):
    # the share's personal message is the rep's: the client owes the answer
    shared = share_quote(rep)
    assert banner(page(login(rep), shared)) == ""
    silent = share_quote(rep, message="")
    assert banner(page(login(rep), silent)) == ""


def test_the_change_request_banner_goes_once_the_quote_is_shared_again(login, rep):
    shared = share_quote(rep)
    quote_request_changes(share=shared.share, message="Blue chairs.", request_meta=CLIENT_META)
    http = login(rep)
    assert "asked for changes" in banner(page(http, shared))

    # when the rep edits the quote and shares it again (the quote is sent again)
    edit_and_share_again(shared)
    shared.quote.refresh_from_db()

    # then the quote no longer waits on the rep: no banner (the rep's share came last)
    assert shared.quote.state == QuoteState.SENT
    assert banner(page(http, shared)) == ""


@pytest.mark.parametrize("answer", ["accepted", "declined"])
def test_no_banner_once_the_client_has_answered_even_if_they_wrote_last(login, rep, answer):
    shared = share_quote(rep)
    if answer == "accepted":
        accept_shared(shared)
    else:
        quote_decline(share=shared.share, reason="", detail="", request_meta=CLIENT_META)
    client_message_post(share=shared.share, body="Thanks!", request_meta=CLIENT_META)

    assert banner(page(login(rep), shared)) == ""


def test_without_a_recorded_request_the_banner_quotes_the_latest_client_message(login, rep):
    # given a quote marked changes requested with no change-request event (as the demo's
    # seeded history can be), first with nothing from the client, then with a message
    shared = share_quote(rep)
    Quote.objects.filter(pk=shared.quote.pk).update(state=QuoteState.CHANGES_REQUESTED)
    http = login(rep)

    found = banner(page(http, shared))
    assert "The client asked for changes" in found and "<blockquote" not in found

    client_message(shared, "Blue chairs, please.")
    found = banner(page(http, shared))
    assert "Anna Client asked for changes" in found and "Blue chairs, please." in found
