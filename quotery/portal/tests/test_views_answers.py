"""The client's answer pages over HTTP (quotery.portal.views.answers): GET records nothing,
bad input is a 422 with the input kept, success goes back to the client page's confirmation,
refusals say why (SECURITY.md 9), and a decline shows on the client's and the rep's pages.
The rep's reply is tested with the rep's pages (test_views_rep.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quotery.core.evidence_text import short_reference
from quotery.core.headers import PORTAL_HEADERS
from quotery.core.request_meta import RequestMeta
from quotery.portal.services.answers import quote_decline
from quotery.portal.services.sharing import share_revoke
from quotery.portal.tests.answer_helpers import written
from quotery.portal.tests.portal_fixtures import CLIENT_META, accept_shared, expire, share_quote
from quotery.portal.views.common import not_found_body
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.services.quotes import quote_cancel
from quotery.sharing.models import ConversationMessage, Decline

pytestmark = pytest.mark.django_db


def urls(shared):  # type: ignore[no-untyped-def]
    return {
        "changes": reverse("portal:changes", args=[shared.token]),
        "decline": reverse("portal:decline", args=[shared.token]),
        "message": reverse("portal:message", args=[shared.token]),
    }


def state_of(shared) -> str:  # type: ignore[no-untyped-def]
    return Quote.objects.get(pk=shared.quote.pk).state


# ---------------------------------------------------------------------------------------
# The form pages


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("page", ["changes", "decline"])
def test_security_9_the_form_pages_record_nothing(client, rep, method, page):
    shared = share_quote(rep)
    before = written()
    response = getattr(client, method)(urls(shared)[page])
    assert response.status_code == 200
    for header, value in PORTAL_HEADERS.items():
        assert response[header] == value
    assert written() == before


def test_the_changes_page_is_branded_and_has_a_labelled_message_box(client, rep, company):
    company.brand_colour = "#0b7a3e"
    company.save()
    shared = share_quote(rep)
    html = client.get(urls(shared)["changes"]).content.decode()
    assert "--brand: #0b7a3e" in html
    assert "<h1>Request changes</h1>" in html
    assert shared.quote.number in html and rep.full_name in html
    assert '<label for="id_message">What would you like changed?</label>' in html
    assert f'action="{urls(shared)["changes"]}"' in html and "csrfmiddlewaretoken" in html
    assert ">Send</button>" in html
    assert f'href="{shared.url}"' in html  # back to the quote


def test_the_decline_page_offers_the_reasons_and_a_text(client, rep):
    shared = share_quote(rep)
    html = client.get(urls(shared)["decline"]).content.decode()
    for label in ("Price", "Timing", "Chose another supplier", "No longer needed", "Other"):
        assert f"{label}</label>" in html
    assert "Why are you declining? (optional)</legend>" in html
    assert '<label for="id_detail">Anything you would like to add? (optional)</label>' in html
    assert "checked" not in html  # nothing picked for the client
    assert ">Decline</button>" in html


def test_a_dead_link_gets_the_one_404_on_every_answer_url(client, rep):
    shared = share_quote(rep)
    share_revoke(share=shared.share, user=rep)
    before = written()
    for name, url in urls(shared).items():
        if name != "message":
            response = client.get(url)
            assert response.status_code == 404 and response.content == not_found_body()
        response = client.post(url, {"message": "x", "body": "x", "reason": "price"})
        assert response.status_code == 404 and response.content == not_found_body()
    assert written() == before


def test_the_message_url_takes_only_posts(client, rep):
    shared = share_quote(rep)
    assert client.get(urls(shared)["message"]).status_code == 405


def test_the_decline_page_of_an_expired_quote_says_so_instead_of_a_form(client, rep):
    shared = share_quote(rep)
    expire(shared.quote)
    html = client.get(urls(shared)["decline"]).content.decode()
    assert "This quote has expired" in html and "<form" not in html
    # while asking for changes stays open
    assert "<form" in client.get(urls(shared)["changes"]).content.decode()


# ---------------------------------------------------------------------------------------
# Posting


def test_request_changes_goes_back_to_the_page_confirmation(client, rep):
    shared = share_quote(rep)
    response = client.post(urls(shared)["changes"], {"message": "Ten chairs, please."})
    assert response.status_code == 302
    assert response["Location"] == shared.url + "?done=changes"
    assert state_of(shared) == QuoteState.CHANGES_REQUESTED
    # and the client page confirms it and shows the message in the thread
    html = client.get(response["Location"]).content.decode()
    assert "Ten chairs, please." in html
    assert "Your request for changes was sent." in html


def test_an_empty_request_is_422_and_writes_nothing(client, rep):
    shared = share_quote(rep)
    before = written()
    response = client.post(urls(shared)["changes"], {"message": "   "})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Write what you would like changed." in html
    assert "Nothing was sent yet" in html
    assert written() == before


def test_a_too_long_request_keeps_the_text(client, rep):
    shared = share_quote(rep)
    text = "Please change this. " * 120  # 2400 characters
    response = client.post(urls(shared)["changes"], {"message": text})
    assert response.status_code == 422
    html = response.content.decode()
    assert "at most 2000 characters" in html
    assert text.strip() in html


def test_decline_with_a_reason(client, rep):
    shared = share_quote(rep)
    response = client.post(
        urls(shared)["decline"], {"reason": "other_supplier", "detail": "Went with Acme."}
    )
    assert response.status_code == 302
    assert response["Location"] == shared.url + "?done=declined"
    row = Decline.objects.get()
    assert (row.reason, row.detail) == ("other_supplier", "Went with Acme.")
    assert state_of(shared) == QuoteState.DECLINED


def test_decline_with_an_unknown_reason_is_422_with_one_clear_error(client, rep):
    shared = share_quote(rep)
    before = written()
    response = client.post(urls(shared)["decline"], {"reason": "bogus", "detail": "Hmm"})
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count("Pick one of the reasons in the list") == 1
    assert "Hmm" in html
    assert written() == before


def test_a_second_decline_gets_a_friendly_page(client, rep):
    shared = share_quote(rep)
    client.post(urls(shared)["decline"], {"reason": "price"})
    before = written()
    response = client.post(urls(shared)["decline"], {"reason": "timing"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Already answered" in html and "already declined" in html
    assert f'href="{shared.url}"' in html
    assert written() == before


def test_request_changes_on_an_accepted_quote_says_why(client, rep):
    shared = share_quote(rep)
    accept_shared(shared)
    before = written()
    response = client.post(urls(shared)["changes"], {"message": "Cheaper?"})
    assert response.status_code == 409
    assert "already been accepted" in response.content.decode()
    assert written() == before


def test_a_client_message_goes_back_to_the_thread(client, rep):
    shared = share_quote(rep)
    response = client.post(urls(shared)["message"], {"body": "Is installation included?"})
    assert response.status_code == 302
    assert response["Location"] == shared.url + "?done=message"
    assert "Your message was sent." in client.get(response["Location"]).content.decode()
    assert ConversationMessage.objects.filter(body="Is installation included?").exists()
    assert state_of(shared) == QuoteState.SENT


def test_an_empty_client_message_is_422_on_its_own_page(client, rep):
    shared = share_quote(rep)
    before = written()
    response = client.post(urls(shared)["message"], {"body": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Write your message first." in html
    assert '<label for="id_body">Write a message</label>' in html
    assert written() == before


def test_the_client_page_has_a_reply_form_until_the_quote_is_withdrawn(client, rep):
    shared = share_quote(rep)
    html = client.get(shared.url).content.decode()
    assert '<label for="client-reply">Write a message</label>' in html
    assert f'action="{urls(shared)["message"]}"' in html
    quote_cancel(quote=Quote.objects.get(pk=shared.quote.pk), user=rep)
    html = client.get(shared.url).content.decode()
    assert 'id="client-reply"' not in html


def test_the_thread_shows_names_and_times_in_the_company_zone(client, rep, company):
    company.time_zone = "America/New_York"
    company.save()
    shared = share_quote(rep)
    client.post(urls(shared)["message"], {"body": "Hello from the client"})
    html = client.get(shared.url).content.decode()
    thread = html.split('id="conversation-heading"', 1)[1]
    assert thread.index(rep.full_name) < thread.index("Anna Client")  # the share's note first
    assert " EST<" in thread or " EDT<" in thread


# ---------------------------------------------------------------------------------------
# What a decline shows


def test_a_decline_by_service_shows_on_the_client_page_as_declined(client, rep):
    shared = share_quote(rep)
    quote_decline(share=shared.share, reason="price", detail="", request_meta=CLIENT_META)
    html = client.get(shared.url).content.decode()
    assert "This quote was declined." in html


def test_the_quote_page_shows_why_the_client_declined(login, rep):
    shared = share_quote(rep)
    quote_decline(
        share=shared.share, reason="timing", detail="Next year.", request_meta=CLIENT_META
    )
    html = login(rep).get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()
    assert "<strong>Declined by Anna Client</strong> &lt;anna@client.test&gt;" in html
    assert "Reason: Timing." in html and "Next year." in html


def test_the_quote_page_shows_the_acceptance_in_words_with_the_evidence_one_click_away(login, rep):
    # given a quote accepted from Chrome on Windows
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36"
    )
    shared = share_quote(rep)
    acceptance = accept_shared(shared, meta=RequestMeta(ip="203.0.113.7", user_agent=chrome))

    html = login(rep).get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()

    # then the rep reads the browser and a short reference, not 64 characters of hex
    panel = html[html.index('id="acceptance-heading"') :]
    panel = panel[: panel.index("</section>")]
    assert "Chrome on Windows" in panel
    assert short_reference(acceptance.signature_hash) in panel
    assert "Signature code" not in panel
    # and the full values stay one click away
    assert "<summary>Browser details</summary>" in panel and chrome in panel
    assert "<summary>Full signature hash</summary>" in panel
    assert acceptance.signature_hash in panel
    # the revision list names each revision's content by a short reference too
    revision_hash = shared.quote.revisions.get().content_hash
    assert short_reference(revision_hash) in html
    assert "<summary>Full content hash</summary>" in html
