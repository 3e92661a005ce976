"""SECURITY.md 4, 21 and 22 for the client's answers and the conversation: state re-checked
on every POST, hostile text escaped everywhere it shows, CSRF and Origin checked.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.sharing.share_revoke, quotery.quotes.services.quotes.quote_cancel,
quotery.notifications.rendering.render_outbox_email, quotery.portal.views.acceptance.accept,
quotery.portal.views.answers.decline, quotery.portal.views.answers.message,
quotery.portal.views.answers.request_changes, quotery.portal.views.client.page,
quotery.portal.views.rep.reply, quotery.quotes.views.quote_detail
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from quotery.accounts.factories import DEFAULT_PASSWORD
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import render_outbox_email
from quotery.portal import ratelimit
from quotery.portal.services.sharing import share_revoke
from quotery.portal.tests.answer_helpers import written
from quotery.portal.tests.portal_fixtures import (
    Shared,
    expire,
    footprint,
    latest_revision_hash,
    share_quote,
)
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.services.quotes import quote_cancel
from quotery.sharing.models import Acceptance, ConversationMessage, Decline

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> {{ company.name }} {% now "Y" %}'


def client_posts(shared: Shared) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "changes": (reverse("portal:changes", args=[shared.token]), {"message": "Cheaper?"}),
        "decline": (reverse("portal:decline", args=[shared.token]), {"reason": "price"}),
        "message": (reverse("portal:message", args=[shared.token]), {"body": "Hello"}),
    }


def csrf_browser(shared: Shared) -> tuple[HttpClient, str]:
    """A browser that checks CSRF, holding the token the client page gave it."""
    browser = HttpClient(enforce_csrf_checks=True)
    assert browser.get(shared.url).status_code == 200
    return browser, browser.cookies["csrftoken"].value


# ---------------------------------------------------------------------------------------
# 22


@pytest.mark.parametrize("answer", ["changes", "decline", "message"])
def test_security_22_a_client_answer_without_the_csrf_token_is_refused(rep, answer):
    shared = share_quote(rep)
    browser, _token = csrf_browser(shared)
    before = written()
    url, data = client_posts(shared)[answer]
    assert browser.post(url, data).status_code == 403
    assert written() == before


def test_security_22_the_reps_reply_without_the_csrf_token_is_refused(rep):
    shared = share_quote(rep)
    browser = HttpClient(enforce_csrf_checks=True)
    assert browser.login(request=HttpRequest(), email=rep.email, password=DEFAULT_PASSWORD)
    before = written()
    response = browser.post(reverse("sharing:reply", args=[shared.quote.pk]), {"body": "Hi"})
    assert response.status_code == 403
    assert written() == before


@pytest.mark.parametrize("answer", ["changes", "decline", "message"])
def test_security_22_a_cross_site_origin_is_refused_even_with_the_token(rep, answer):
    shared = share_quote(rep)
    browser, token = csrf_browser(shared)
    before = written()
    url, data = client_posts(shared)[answer]
    response = browser.post(
        url, {**data, "csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://attacker.example"
    )
    assert response.status_code == 403
    assert written() == before
    # while the same answer from the page's own origin goes through
    response = browser.post(
        url, {**data, "csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 302


# ---------------------------------------------------------------------------------------
# 4


@pytest.mark.parametrize("answer", ["changes", "decline", "message"])
def test_security_4_a_quote_withdrawn_after_the_page_loaded_takes_no_answer(client, rep, answer):
    # given the client has the answer page open
    shared = share_quote(rep)
    url, data = client_posts(shared)[answer]
    assert client.get(shared.url).status_code == 200
    # when the rep withdraws the quote before the client sends
    quote_cancel(quote=Quote.objects.get(pk=shared.quote.pk), user=rep)
    before = written()
    response = client.post(url, data)
    # then the POST is checked again: refused in plain words, nothing written
    assert response.status_code == 409
    assert "withdrawn" in response.content.decode()
    assert written() == before


def test_security_4_a_quote_that_expired_after_the_page_loaded_cannot_be_declined(client, rep):
    shared = share_quote(rep)
    urls = client_posts(shared)
    assert "<form" in client.get(urls["decline"][0]).content.decode()
    expire(shared.quote)
    before = written()
    response = client.post(*urls["decline"])
    assert response.status_code == 409
    assert "expired" in response.content.decode()
    assert written() == before
    # while asking for changes still works on an expired quote (DESIGN.md)
    assert client.post(*urls["changes"]).status_code == 302
    assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.CHANGES_REQUESTED


def test_security_4_a_link_revoked_after_the_page_loaded_gets_the_404(client, rep):
    shared = share_quote(rep)
    assert client.get(shared.url).status_code == 200
    share_revoke(share=shared.share, user=rep)
    before = written()
    for url, data in client_posts(shared).values():
        assert client.post(url, data).status_code == 404
    assert written() == before


# ---------------------------------------------------------------------------------------
# 21


def test_security_21_hostile_client_text_is_escaped_on_both_pages_and_in_emails(client, login, rep):
    # given a client who writes markup and template syntax in every answer
    shared = share_quote(rep)
    urls = client_posts(shared)
    assert client.post(urls["message"][0], {"body": f"Message {HOSTILE}"}).status_code == 302
    assert client.post(urls["changes"][0], {"message": f"Changes {HOSTILE}"}).status_code == 302
    response = client.post(urls["decline"][0], {"reason": "other", "detail": f"Detail {HOSTILE}"})
    assert response.status_code == 302
    assert ConversationMessage.objects.filter(body__contains="<script>").count() == 2
    assert Decline.objects.get().detail.startswith("Detail <script>")

    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    template_text = "{{ company.name }} {% now &quot;Y&quot; %}"

    def check(html: str, where: str, count: int) -> None:
        assert "<script>alert" not in html, where
        assert "<img src=x" not in html, where
        assert html.count(escaped) >= count, where
        # template syntax is shown as typed, never evaluated
        assert template_text in html, where

    # then the client page shows the messages as text
    check(client.get(shared.url).content.decode(), "client page", 2)
    # and so does the rep's quote page
    quote_page = login(rep).get(reverse("quotes:detail", args=[shared.quote.pk])).content
    check(quote_page.decode(), "quote page", 3)
    assert f"Detail {escaped}" in quote_page.decode()  # the decline's own words
    # and every HTML email about them
    for email in OutboxEmail.objects.exclude(kind="portal_share"):
        message = render_outbox_email(email)
        (html, _), *_ = message.alternatives
        check(str(html), email.kind, 1)
        assert HOSTILE.split(" {{")[0] in message.body  # the text part keeps it as typed


def test_security_21_hostile_rep_text_is_escaped_on_the_client_page_and_email(client, login, rep):
    shared = share_quote(rep)
    response = login(rep).post(
        reverse("sharing:reply", args=[shared.quote.pk]), {"body": f"Reply {HOSTILE}"}
    )
    assert response.status_code == 302
    html = HttpClient().get(shared.url).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    (html_part, _), *_ = render_outbox_email(
        OutboxEmail.objects.get(kind="rep_message_client")
    ).alternatives
    assert "<script>alert" not in str(html_part) and "&lt;script&gt;alert" in str(html_part)


# ---------------------------------------------------------------------------------------
# 8

ANSWER_LIMITS = {
    limit: (hits, 600)
    for kind in (ratelimit.ACCEPT, ratelimit.ANSWER, ratelimit.MESSAGE)
    for limit, hits in ((kind.per_ip, 3), (kind.per_link_ip, 2))
}


def answer_posts(shared: Shared) -> dict[str, tuple[str, dict[str, str], dict[str, str]]]:
    """Per answer: its URL, a POST refused for its input (nothing written), a valid one."""
    return {
        "accept": (
            reverse("portal:accept", args=[shared.token]),
            {"signer_name": "Anna Client"},  # no email, no consent
            {
                "signer_name": "Anna Client",
                "signer_email": "anna@client.test",
                "consent": "on",
                "revision_hash": latest_revision_hash(shared.quote),
            },
        ),
        "changes": (
            reverse("portal:changes", args=[shared.token]),
            {"message": ""},
            {"message": "Cheaper?"},
        ),
        "decline": (
            reverse("portal:decline", args=[shared.token]),
            {"reason": "no-such-reason"},
            {"reason": "price"},
        ),
        "message": (reverse("portal:message", args=[shared.token]), {"body": ""}, {"body": "Hi"}),
    }


def everything() -> tuple[object, ...]:
    """Every row an answer could write: acceptances, messages, declines, events, outbox
    rows, notifications, reservations, delivery notes, quote states."""
    return (*(footprint(quote) for quote in Quote.objects.order_by("pk")), written())


def assert_told_to_wait(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


ANSWERS = ["accept", "changes", "decline", "message"]


@pytest.mark.parametrize("answer", ANSWERS)
@override_settings(PORTAL_RATE_LIMITS=ANSWER_LIMITS)
def test_security_8_an_answer_past_its_links_limit_gets_429_and_records_nothing(rep, answer):
    # given a client whose first two tries were refused for their input
    shared = share_quote(rep)
    url, refused, valid = answer_posts(shared)[answer]
    browser = HttpClient(REMOTE_ADDR="198.51.100.80")
    assert [browser.post(url, refused).status_code for _ in range(2)] == [422, 422]
    before = everything()

    # when the third try, a valid one, comes within the window
    response = browser.post(url, valid)

    # then it is told to wait, and nothing at all is recorded
    assert_told_to_wait(response)
    assert everything() == before
    # while the same answer from another address goes through (so it was a valid one)
    assert HttpClient(REMOTE_ADDR="198.51.100.81").post(url, valid).status_code == 302


@pytest.mark.parametrize("answer", ANSWERS)
@override_settings(PORTAL_RATE_LIMITS=ANSWER_LIMITS)
def test_security_8_an_answer_past_its_addresss_limit_gets_429_and_records_nothing(rep, answer):
    # given an address that tried three links of its own, refused for their input
    links = [share_quote(rep, email=f"r{n}@client.test") for n in range(3)]
    browser = HttpClient(REMOTE_ADDR="198.51.100.82")
    for link in links[:2]:
        url, refused, _ = answer_posts(link)[answer]
        assert browser.post(url, refused).status_code == 422
    url, refused, _ = answer_posts(links[0])[answer]
    assert browser.post(url, refused).status_code == 422
    before = everything()

    # when it sends a valid answer on the third link
    url, _, valid = answer_posts(links[2])[answer]
    response = browser.post(url, valid)

    # then it is told to wait, and nothing at all is recorded
    assert_told_to_wait(response)
    assert everything() == before
    assert HttpClient(REMOTE_ADDR="198.51.100.83").post(url, valid).status_code == 302


@override_settings(PORTAL_RATE_LIMITS=ANSWER_LIMITS)
def test_security_8_spent_message_and_answer_budgets_leave_accept_its_own(rep):
    # given an address that spent its budgets for messages and for changes and declines
    shared = share_quote(rep)
    posts = answer_posts(shared)
    browser = HttpClient(REMOTE_ADDR="198.51.100.84")
    for spent, refused_by in (("message", "message"), ("changes", "decline")):
        url, refused, _ = posts[spent]
        assert [browser.post(url, refused).status_code for _ in range(2)] == [422, 422]
        url, _, valid = posts[refused_by]
        assert_told_to_wait(browser.post(url, valid))

    # when the client accepts from the same address
    url, _, valid = posts["accept"]
    response = browser.post(url, valid)

    # then the acceptance goes through
    assert response.status_code == 302
    assert Acceptance.objects.filter(quote=shared.quote).count() == 1
