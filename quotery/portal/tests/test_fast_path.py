"""The client page, its beacons and its choice changes without a session take the short way
past the staff middleware, and keep everything the whole stack gives them: the CSRF check and cookie
(SECURITY.md 22), the headers (SECURITY.md 5), the host check, a Content-Length."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.portal.tests.portal_fixtures import share_options_quote, share_quote
from tests.security.test_portal_client import assert_portal_headers

pytestmark = pytest.mark.django_db


def views(quote_id: int) -> int:
    return QuoteEvent.objects.filter(quote_id=quote_id, kind=EventKind.QUOTE_VIEWED).count()


def test_security_22_the_short_way_refuses_a_beacon_without_its_csrf_token(rep):
    # given a browser that enforces CSRF as a real one is checked, with the page open
    shared = share_quote(rep)
    browser = HttpClient(enforce_csrf_checks=True)
    page = browser.get(shared.url)
    token = re.search(r'data-open="([^"]+)"', page.content.decode())
    csrf = re.search(r'data-csrf="([^"]+)"', page.content.decode())
    assert token and csrf and "csrftoken" in page.cookies

    # when the beacon comes without the CSRF token, then with it
    refused = browser.post(shared.seen_url, {"open": token.group(1)})
    counted = browser.post(
        shared.seen_url, {"open": token.group(1)}, headers={"X-CSRFToken": csrf.group(1)}
    )

    # then the first is refused and counts nothing; the second counts the view
    assert refused.status_code == 403
    assert_portal_headers(refused)
    assert counted.status_code == 204
    assert views(shared.quote.pk) == 1


def test_security_5_the_short_way_answers_with_every_header_of_the_whole_stack(rep):
    shared = share_quote(rep)

    response = HttpClient().get(shared.url)

    assert response.status_code == 200
    assert_portal_headers(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(response.content))
    assert PendingOpen.objects.filter(quote_id=shared.quote.pk).count() == 1


def test_a_host_the_site_does_not_serve_is_refused_on_the_short_way_too(rep):
    shared = share_quote(rep)

    response = HttpClient().get(shared.url, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert not PendingOpen.objects.exists()


def test_security_22_an_attention_batch_takes_the_short_way_with_its_token_in_the_body(
    rep, time_machine
):
    # given a counted view in a browser that enforces CSRF, its page open for a minute
    time_machine.move_to("2026-04-01 09:00:00+00:00", tick=False)
    shared = share_quote(rep)
    browser = HttpClient(enforce_csrf_checks=True)
    html = browser.get(shared.url).content.decode()
    token = re.search(r'data-open="([^"]+)"', html)
    csrf = re.search(r'data-csrf="([^"]+)"', html)
    url = re.search(r'data-attention-url="([^"]+)"', html)
    assert token and csrf and url
    browser.post(shared.seen_url, {"open": token.group(1)}, headers={"X-CSRFToken": csrf.group(1)})
    time_machine.shift(60)
    batch = {"open": token.group(1), "sections": '{"totals": 30}'}

    # when a batch comes without the CSRF token, then with it in the body (as sendBeacon
    # sends it: no headers of its own)
    refused = browser.post(url.group(1), batch)
    taken = browser.post(url.group(1), {**batch, "csrfmiddlewaretoken": csrf.group(1)})

    # then the first is refused, the second stored, both past the staff middleware
    assert refused.status_code == 403
    assert_portal_headers(refused)
    assert taken.status_code == 204
    assert not hasattr(taken.wsgi_request, "user")  # authentication never ran
    assert [e.data["sections"] for e in QuoteEvent.objects.filter(kind="attention")] == [
        {"totals": 30}
    ]


def test_security_22_a_choice_change_takes_the_short_way_and_keeps_its_csrf_check(rep):
    # given the page of a quote with options in a browser that enforces CSRF
    shared = share_options_quote(rep)
    browser = HttpClient(enforce_csrf_checks=True)
    html = browser.get(shared.url).content.decode()
    csrf = re.search(r'id="quote-options".*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S)
    assert csrf is not None
    url = reverse("portal:choices", args=[shared.token])
    script = {"X-Quotery-Choices": "1"}

    # when a change comes without the CSRF token, with it, and a refused one without script
    refused = browser.post(url, {"include": "0.1"}, headers=script)
    taken = browser.post(
        url, {"include": "0.1", "csrfmiddlewaretoken": csrf.group(1)}, headers=script
    )
    wrong = browser.post(url, {"quantity.0.2": "11", "csrfmiddlewaretoken": csrf.group(1)})

    # then the first is refused, the second saved past the staff middleware, the third
    # brings the page back with the reason beside the field, as behind the whole stack
    assert refused.status_code == 403
    assert_portal_headers(refused)
    assert taken.status_code == 204
    assert not hasattr(taken.wsgi_request, "user")  # authentication never ran
    assert [e.data["change"] for e in QuoteEvent.objects.filter(kind="option_changed")] == ["added"]
    assert wrong.status_code == 422
    assert "must be between 4 and 10" in wrong.content.decode()
    assert_portal_headers(wrong)
    assert not hasattr(wrong.wsgi_request, "user")
