"""The attention beacon: a counted view's page reports how long each part of the quote was
on screen; the server keeps what is new, bounded, as chained events."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from quotery.accounts.models import IpRecording
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.tests.attention_helpers import (
    attention_events,
    open_page,
    seconds_stored,
)
from quotery.portal.tests.portal_fixtures import share_quote

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_the_client_page_marks_its_parts_and_says_what_the_sender_sees(client, rep, company):
    shared = share_quote(rep, sections=2)

    html = client.get(shared.url).content.decode()

    assert 'data-attention="section:1"' in html and 'data-attention="section:2"' in html
    assert 'data-attention="totals"' in html and 'data-attention="notes"' in html
    assert 'src="/static/js/attention.js"' in html
    assert f'data-attention-url="/p/{shared.token}/attention/"' in html
    assert f"{company.name} sees which parts of this quote you viewed and for how long." in html


def test_a_counted_views_batches_are_stored_as_what_each_adds(client, rep, clock):
    # given a counted view of a quote of two sections
    shared = share_quote(rep, sections=2)
    page = open_page(client, shared)
    view = QuoteEvent.objects.get(quote=shared.quote, kind=EventKind.QUOTE_VIEWED)

    # when its page reports running totals twice, 30 s apart
    clock.shift(30)
    first = page.send(client, {"section:1": 20.7, "totals": 4})
    clock.shift(30)
    second = page.send(client, {"section:1": 25, "section:2": 30, "totals": 4})

    # then each batch is one event holding only what it added, in the view's revision
    assert (first.status_code, second.status_code) == (204, 204)
    events = attention_events(shared.quote.pk)
    assert [event.data for event in events] == [
        {"view": view.sequence, "sections": {"section:1": 20, "totals": 4}},
        {"view": view.sequence, "sections": {"section:1": 5, "section:2": 30}},
    ]
    assert {event.revision_number for event in events} == {1}
    assert {event.share_id for event in events} == {shared.share.pk}
    assert seconds_stored(shared.quote.pk) == {"section:1": 25, "section:2": 30, "totals": 4}
    assert verify_quote_chain(shared.quote.pk).ok


def test_a_batch_that_adds_nothing_appends_nothing(client, rep, clock):
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(20)
    assert page.send(client, {"section:1": 10}).status_code == 204

    # a repeat, and lower running totals (a replayed older batch), add nothing
    assert page.send(client, {"section:1": 10}).status_code == 204
    assert page.send(client, {"section:1": 3, "totals": 0}).status_code == 204

    assert len(attention_events(shared.quote.pk)) == 1


def test_each_counted_view_has_its_own_totals(client, rep, clock):
    shared = share_quote(rep)
    first = open_page(client, shared)
    clock.shift(40)
    first.send(client, {"section:1": 30})
    second = open_page(client, shared)
    clock.shift(40)
    second.send(client, {"section:1": 30})

    views = list(
        QuoteEvent.objects.filter(quote=shared.quote, kind=EventKind.QUOTE_VIEWED)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert [(e.data["view"], e.data["sections"]) for e in attention_events(shared.quote.pk)] == [
        (views[0], {"section:1": 30}),
        (views[1], {"section:1": 30}),
    ]


def test_the_companys_ip_setting_applies_to_attention_events(client, rep, company, clock):
    company.ip_recording = IpRecording.OFF
    company.save()
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(10)

    assert page.send(client, {"totals": 5}).status_code == 204

    (event,) = attention_events(shared.quote.pk)
    assert event.ip is None


def test_anonymised_ip_setting_applies_to_attention_events(client, rep, company, clock):
    company.ip_recording = IpRecording.ANONYMISED
    company.save()
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(10)

    page.send(client, {"totals": 5}, REMOTE_ADDR="203.0.113.77")

    (event,) = attention_events(shared.quote.pk)
    assert event.ip == "203.0.113.0"


def test_an_uncounted_open_records_no_attention(client, rep, clock):
    # given a page whose view beacon never came (a link scanner fetched it)
    shared = share_quote(rep)
    page = open_page(client, shared, counted=False)
    clock.shift(10)

    response = page.send(client, {"section:1": 5})

    assert response.status_code == 400
    assert "has not been counted" in response.content.decode()
    assert attention_events(shared.quote.pk) == []


def test_a_staff_visit_and_a_preview_record_nothing(login, rep, clock):
    shared = share_quote(rep)
    staff = login(rep)

    html = staff.get(shared.url).content.decode()
    preview = staff.get(f"/p/preview/{shared.quote.pk}/").content.decode()

    # neither page carries the beacons or a token; a post by staff records nothing
    for page in (html, preview):
        assert "attention.js" not in page and "data-open" not in page
    clock.shift(10)
    response = staff.post(
        f"/p/{shared.token}/attention/", {"open": "x", "sections": '{"totals": 5}'}
    )
    assert response.status_code == 204
    assert attention_events(shared.quote.pk) == []


def test_get_and_head_of_the_attention_url_change_nothing(client, rep):
    shared = share_quote(rep)
    open_page(client, shared)
    before = QuoteEvent.objects.count()

    for method in (client.get, client.head):
        assert method(f"/p/{shared.token}/attention/").status_code == 405

    assert QuoteEvent.objects.count() == before


def test_a_page_token_older_than_the_attention_window_is_refused(client, rep, clock):
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(13 * 3600)

    response = page.send(client, {"totals": 5})

    assert response.status_code == 400
    assert attention_events(shared.quote.pk) == []


def test_the_token_of_the_view_beacon_still_works_after_its_own_window(client, rep, clock):
    # the view beacon takes its token for 30 minutes; a page left open keeps reporting
    shared = share_quote(rep)
    page = open_page(client, shared)
    clock.shift(2 * 3600)

    assert page.send(client, {"totals": 3600}).status_code == 204
    assert seconds_stored(shared.quote.pk) == {"totals": 3600}
