"""portal_attention_record: a counted view's batch of time on each part, through the
services the client page uses (open, view beacon, attention beacon), on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from quotery.core.exceptions import TooManyRequests, ValidationFailed
from quotery.core.request_meta import RequestMeta
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.services.attention import portal_attention_record
from quotery.portal.services.sharing import portal_open_record_pending, portal_view_confirm
from quotery.portal.tests.attention_helpers import attention_events, seconds_stored
from quotery.portal.tests.portal_fixtures import Shared, share_quote
from quotery.portal.view_confirmation import view_token_for
from tests.concurrency import run_at_once

META = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (iPhone) Safari/605.1")
START = dt.datetime(2026, 9, 14, 7, 30, tzinfo=dt.UTC)


def counted_view(shared: Shared, *, confirm: bool = True) -> str:
    """The client's page opened (and, with `confirm`, its view counted): its token."""
    opened = portal_open_record_pending(share=shared.share, meta=META)
    token = view_token_for(share=shared.share, pending_open=opened)
    if confirm:
        assert portal_view_confirm(share=shared.share, view_token=token, meta=META)
    return token


def record(shared: Shared, token: str, batch: str, last: str = ""):  # type: ignore[no-untyped-def]
    return portal_attention_record(
        share=shared.share, view_token=token, batch=batch, meta=META, last=last
    )


@pytest.mark.django_db
def test_a_batch_records_what_it_adds_and_the_part_last_looked_at(rep):
    with time_machine.travel(START, tick=False) as clock:
        shared = share_quote(rep, sections=3)
        token = counted_view(shared)
        clock.shift(45)

        first = record(shared, token, '{"section:3": 40, "notes": 2.9}', last="section:3")
        again = record(shared, token, '{"section:3": 40, "notes": 2.9}', last="notes")
        clock.shift(30)
        second = record(shared, token, '{"section:3": 41, "section:1": 30}', last="section:1")

    assert (first.added, again.added, second.added) == (
        {"notes": 2, "section:3": 40},
        {},
        {"section:1": 30, "section:3": 1},
    )
    events = attention_events(shared.quote.pk)
    assert [event.sequence for event in events] == [first.sequence, second.sequence]
    assert [event.data.get("last") for event in events] == ["section:3", "section:1"]
    view = QuoteEvent.objects.get(quote=shared.quote, kind=EventKind.QUOTE_VIEWED)
    assert {event.data["view"] for event in events} == {view.sequence}
    # the company's IP setting (network only, by default) applies as to every event
    assert {(event.ip, event.user_agent) for event in events} == {("203.0.113.0", META.user_agent)}
    assert verify_quote_chain(shared.quote.pk).ok
    # the Engagement page's rollups count the new events like any other
    out = StringIO()
    call_command("verify_rollups", stdout=out)
    assert "The rollups agree with the events." in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("batch", "last", "error"),
    [
        ('{"section:4": 1}', "", "not a part of this quote"),
        ('{"totals": 1}', "section:4", "not a part of this quote"),
        ('{"totals": 1}', "footer", "not a part of this quote"),
        ('{"totals": 99}', "", "since the page was opened"),
        ('{"totals": "1"}', "", "must be a number"),
    ],
)
def test_a_refused_batch_stores_nothing(rep, batch, last, error):
    with time_machine.travel(START, tick=False) as clock:
        shared = share_quote(rep, sections=3)
        token = counted_view(shared)
        clock.shift(30)
        before = QuoteEvent.objects.count()

        with pytest.raises(ValidationFailed, match=error):
            record(shared, token, batch, last=last)

    assert QuoteEvent.objects.count() == before


@pytest.mark.django_db
def test_an_open_no_view_confirmed_records_no_time(rep):
    with time_machine.travel(START, tick=False) as clock:
        shared = share_quote(rep)
        token = counted_view(shared, confirm=False)
        clock.shift(30)
        with pytest.raises(ValidationFailed, match="has not been counted"):
            record(shared, token, '{"totals": 5}')
    assert attention_events(shared.quote.pk) == []


@pytest.mark.django_db
def test_more_than_four_batches_a_minute_of_one_view_are_refused(rep):
    with time_machine.travel(START, tick=False) as clock:
        shared = share_quote(rep)
        token = counted_view(shared)
        clock.shift(60)
        for seconds in range(1, 5):
            record(shared, token, f'{{"totals": {seconds}}}')
        with pytest.raises(TooManyRequests):
            record(shared, token, '{"totals": 5}')
        # another view of the same link has its own budget
        other = counted_view(shared)
        clock.shift(10)
        assert record(shared, other, '{"totals": 6}').added == {"totals": 6}
    assert seconds_stored(shared.quote.pk) == {"totals": 10}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel writers are a PostgreSQL concern; SQLite admits one writer at a time",
)
def test_racing_batches_of_one_view_count_each_second_once(rep):
    shared = share_quote(rep, sections=2)
    token = counted_view(shared)
    # the page's interval batch and its pagehide batch, with the same running totals
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=40)):
        results, errors = run_at_once(
            [lambda: record(shared, token, '{"section:1": 30, "totals": 12}')] * 3
        )
    assert errors == []
    assert sorted(len(result.added) for result in results) == [0, 0, 2]  # type: ignore[attr-defined]
    assert seconds_stored(shared.quote.pk) == {"section:1": 30, "totals": 12}
    assert verify_quote_chain(shared.quote.pk).ok
