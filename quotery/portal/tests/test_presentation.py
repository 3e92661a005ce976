"""The client page kept per process: whatever changes what it shows, shows at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.services.sharing import share_send
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.quotes.services.quotes import quote_cancel

pytestmark = pytest.mark.django_db


def page_html(shared) -> str:  # type: ignore[no-untyped-def]
    response = HttpClient().get(shared.url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_message_sent_after_the_first_view_shows_on_the_next(rep) -> None:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, message="First message.")
    assert "First message." in page_html(shared)

    share_send(
        quote=shared.quote,
        user=rep,
        recipient_name="Anna Client",
        recipient_email=shared.share.recipient_email,
        message="A second message, sent later.",
    )

    html = page_html(shared)
    assert "First message." in html and "A second message, sent later." in html


def test_a_new_brand_colour_shows_at_once(rep, company) -> None:  # type: ignore[no-untyped-def]
    shared = share_quote(rep)
    page_html(shared)

    company.brand_colour = "#aa3300"
    company.save()

    assert "--brand: #aa3300" in page_html(shared)


def test_a_cancelled_quote_says_so_at_once(rep) -> None:  # type: ignore[no-untyped-def]
    shared = share_quote(rep)
    assert "withdrawn" not in page_html(shared)

    quote_cancel(quote=shared.quote, user=rep)

    assert "This quote has been withdrawn." in page_html(shared)


def test_every_response_carries_its_own_open_and_a_working_csrf_token(rep) -> None:  # type: ignore[no-untyped-def]
    # given two clients opening the same link, one after the other
    shared = share_quote(rep)
    first, second = HttpClient(enforce_csrf_checks=True), HttpClient(enforce_csrf_checks=True)
    pages = [browser.get(shared.url).content.decode() for browser in (first, second)]

    # then each page names its own open, the marks are all filled in
    opens = [re.search(r'data-open="([^"]+)"', html).group(1) for html in pages]  # type: ignore[union-attr]
    assert opens[0] != opens[1]
    for html in pages:
        assert "quotery-" not in html
        assert shared.token in html
    # and each page's CSRF token works for its own beacon
    for browser, html, view_token in zip((first, second), pages, opens, strict=True):
        csrf = re.search(r'data-csrf="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        response = browser.post(shared.seen_url, {"open": view_token}, HTTP_X_CSRFTOKEN=csrf)
        assert response.status_code == 204
    assert QuoteEvent.objects.filter(quote=shared.quote, kind=EventKind.QUOTE_VIEWED).count() == 2
