"""SECURITY.md 8-10, 21 on the attention beacon (/p/<link>/attention/): hostile batches get
a clear 4xx, store nothing and never a 500.

Exercises: quotery.portal.views.client.attention,
quotery.portal.services.attention.portal_attention_record,
quotery.portal.attention.parse_batch, quotery.portal.attention.bounded_seconds,
quotery.engagement.events.event_section_time
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.test import override_settings

from quotery.engagement.models import QuoteEvent
from quotery.portal.tests.attention_helpers import attention_events, open_page
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.portal.view_confirmation import view_token_for

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
HOSTILE = [
    pytest.param('{"section:1": 1e308}', "more than the", id="huge-number"),
    pytest.param('{"section:1": 1' + "0" * 5000 + "}", "JSON object", id="thousands-of-digits"),
    pytest.param('{"section:1": 99999999999999999999}', "more than the", id="huge-int"),
    pytest.param('{"section:1": -5}', "zero or more", id="negative"),
    pytest.param('{"section:1": "NaN"}', "must be a number", id="nan-string"),
    pytest.param('{"section:1": NaN}', "JSON object", id="nan-literal"),
    pytest.param('{"section:1": Infinity}', "JSON object", id="infinity"),
    pytest.param('{"section:1": true}', "must be a number", id="boolean"),
    pytest.param('{"section:1": {"a": 1}}', "must be a number", id="nested"),
    pytest.param('{"section:9": 5}', "not a part of this quote", id="unknown-section"),
    pytest.param('{"section:0": 5}', "not a part of this quote", id="section-zero"),
    pytest.param('{"<script>alert(1)</script>": 5}', "not a part of this quote", id="markup-key"),
    pytest.param('{"totals": 5, "footer": 1}', "not a part of this quote", id="one-unknown"),
    pytest.param('["section:1", 5]', "JSON object", id="a-list"),
    pytest.param("{}", "JSON object", id="empty-object"),
    pytest.param("", "JSON object", id="empty"),
    pytest.param('{"section:1": 5', "JSON object", id="malformed"),
    pytest.param('{"section:1": 61}', "more than the", id="over-the-span"),
]


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(("batch", "message"), HOSTILE)
def test_security_hostile_batches_are_refused_and_store_nothing(
    client: HttpClient, rep, clock, batch: str, message: str
) -> None:
    # given a counted view of a two-section quote whose page was opened a minute ago
    shared = share_quote(rep, sections=2)
    page = open_page(client, shared)
    clock.shift(57)  # 57 s since the open, 59 with the slack: 61 is over it
    before = QuoteEvent.objects.count()

    # when the batch is posted
    response = page.send(client, batch)

    # then it is a 400 saying what is wrong, and nothing is stored
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert QuoteEvent.objects.count() == before


def test_security_a_markup_key_is_not_echoed_as_markup(client: HttpClient, rep, clock) -> None:
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(10)
    response = page.send(client, '{"<img src=x onerror=alert(1)>": 1}')
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_security_a_batch_for_another_links_view_is_refused(client: HttpClient, rep, clock) -> None:
    # given two recipients of one quote, each with a counted view
    shared = share_quote(rep, email="anna@client.test")
    other = share_quote(rep, email="bob@client.test")
    anna = open_page(client, shared)
    bob = open_page(HttpClient(), other)
    clock.shift(30)

    # when Anna's page token is sent on Bob's link, and a bare view number on Anna's
    crossed = client.post(bob.url, {"open": anna.view_token, "sections": '{"totals": 5}'})
    bare = client.post(anna.url, {"open": "1", "sections": '{"totals": 5}'})

    # then both are refused and nothing is stored
    assert crossed.status_code == 400 and bare.status_code == 400
    assert attention_events(shared.quote.pk) == [] and attention_events(other.quote.pk) == []


def unknown_opens(shared, page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Tokens that name no counted open of this link's page."""
    signed = page.view_token
    return {
        "empty": "",
        "garbage": "not-a-token",
        "edited signature": signed[:-4] + ("AAAA" if not signed.endswith("AAAA") else "BBBB"),
        "huge": "1" * 5000,
        "a pending open that never was": view_token_for(share=shared.share, pending_open=987654),
        "a chained event that never was": view_token_for(share=shared.share, open_sequence=9876),
        "the share event, not an open": view_token_for(share=shared.share, open_sequence=1),
    }


def test_security_batches_naming_an_unknown_open_are_refused_and_store_nothing(
    client: HttpClient, rep, clock
) -> None:
    # given a counted view of the link
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(30)
    before = QuoteEvent.objects.count()

    for case, token in unknown_opens(shared, page).items():
        # when a batch names an open the server never handed out for this link
        response = client.post(page.url, {"open": token, "sections": '{"totals": 5}'})

        # then it is a clear 400, never a 500, and nothing is stored
        assert response.status_code == 400, (case, response.status_code)
        assert response["Content-Type"].startswith("text/plain"), case
        message = response.content.decode()
        assert "nothing was counted" in message or "is not recorded" in message, (case, message)
    assert QuoteEvent.objects.count() == before
    assert attention_events(shared.quote.pk) == []


def test_security_an_unknown_link_gets_the_one_404(client: HttpClient, rep) -> None:
    response = client.post("/p/not-a-link/attention/", {"open": "x", "sections": "{}"})
    assert response.status_code == 404


def test_security_too_many_batches_of_a_view_get_429_and_store_nothing(
    client: HttpClient, rep, clock
) -> None:
    # given a counted view that sent its four batches of this minute
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(60)  # the start of a new one-minute window
    for seconds in (1, 2, 3, 4):
        assert page.send(client, {"totals": seconds}).status_code == 204
    stored = len(attention_events(shared.quote.pk))

    # when a fifth comes in the same minute
    response = page.send(client, {"totals": 5})

    # then it is refused with 429 and nothing more is stored
    assert response.status_code == 429
    assert len(attention_events(shared.quote.pk)) == stored == 4
    # and in the next minute the view's running total goes through again
    clock.shift(60)
    assert page.send(client, {"totals": 5}).status_code == 204


@override_settings(PORTAL_RATE_LIMITS={"attention_per_link_ip": (2, 600)})
def test_security_the_link_and_address_budget_holds(client: HttpClient, rep, clock) -> None:
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(30)
    assert page.send(client, {"totals": 1}).status_code == 204
    assert page.send(client, {"totals": 2}).status_code == 204
    response = page.send(client, {"totals": 3})
    assert response.status_code == 429 and response["Retry-After"]
    assert len(attention_events(shared.quote.pk)) == 2


def test_security_an_oversized_body_is_refused(client: HttpClient, rep, clock) -> None:
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(30)
    padding = ", ".join(f'"section:{n}": 0' for n in range(1, 1200))

    response = page.send(client, "{" + padding + "}")

    assert response.status_code == 413
    assert attention_events(shared.quote.pk) == []


def test_security_a_long_batch_under_the_body_limit_is_refused(
    client: HttpClient, rep, clock
) -> None:
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(30)

    response = page.send(client, '{"totals": 1, "x": "' + "a" * 7000 + '"}')

    assert response.status_code in (400, 413)
    assert attention_events(shared.quote.pk) == []


def test_security_a_post_without_csrf_token_is_refused(rep, clock) -> None:
    shared = share_quote(rep)
    browser = HttpClient(enforce_csrf_checks=True)
    page = open_page(browser, shared, counted=False)

    response = browser.post(page.url, {"open": page.view_token, "sections": '{"totals": 1}'})

    assert response.status_code == 403
    assert attention_events(shared.quote.pk) == []
