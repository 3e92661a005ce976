"""The hourly rollups (quotery.engagement.rollups) always say what the events say: kept in the
transaction of every append (one event, a batch, folded pending opens), rolled back with it,
built from existing events by the data migration, checked and rebuilt by
`manage.py verify_rollups`."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.engagement import payloads
from quotery.engagement.chain import (
    ChainForked,
    append_events,
    pending_opens_fold,
    verify_quote_chain,
)
from quotery.engagement.models import (
    CompanyEventRollup,
    EventKind,
    EventRollup,
    QuoteEvent,
    QuoteRollup,
)
from quotery.engagement.pending_opens import pending_open_insert
from quotery.engagement.rollups import rollup_mismatches, rollups_rebuild
from quotery.engagement.tests.conftest import EXAMPLES, quote_shared_at, record
from quotery.quotes.locks import quote_lock_chain_head
from quotery.quotes.models import Quote
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOON = dt.datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 3, hour, minute, second, micro, tzinfo=UTC)


def rollups_of(quote: Quote) -> set[tuple[str, dt.datetime, int, dt.datetime]]:
    return {
        (row.kind, row.hour, row.count, row.first_at)
        for row in EventRollup.objects.filter(quote=quote)
    }


# The kinds a quote's rollup row counts, and their columns' prefixes.
QUOTE_KINDS = {
    EventKind.QUOTE_SHARED: "shared",
    EventKind.QUOTE_VIEWED: "viewed",
    EventKind.PDF_DOWNLOADED: "downloaded",
    EventKind.QUOTE_ACCEPTED: "accepted",
    EventKind.QUOTE_DECLINED: "declined",
}


def counted_from_events() -> dict[str, dict]:
    """What each rollup table must say, computed here in Python from every event row."""
    hourly: dict[tuple, list] = {}
    company: dict[tuple, list] = {}
    quotes: dict[int, dict[str, list]] = {}
    rows = QuoteEvent.objects.values_list("company_id", "quote_id", "kind", "occurred_at")
    for company_id, quote_id, kind, moment in rows:
        hour = moment.replace(minute=0, second=0, microsecond=0)
        row = hourly.setdefault((quote_id, kind, hour), [0, moment])
        row[0], row[1] = row[0] + 1, min(row[1], moment)
        company.setdefault((company_id, kind, hour), [0])[0] += 1
        if kind in QUOTE_KINDS:
            kinds = quotes.setdefault(quote_id, {})
            for name in ("any", kind):
                span = kinds.setdefault(name, [0, moment, moment])
                span[0], span[1], span[2] = span[0] + 1, min(span[1], moment), max(span[2], moment)
    return {
        "hourly": {key: tuple(value) for key, value in hourly.items()},
        "company": {key: tuple(value) for key, value in company.items()},
        "quotes": {
            quote_id: (
                tuple(kinds["any"][1:]),
                {kind: tuple(kinds.get(kind, (0, None, None))) for kind in QUOTE_KINDS},
            )
            for quote_id, kinds in quotes.items()
        },
    }


def counted_by_rollups() -> dict[str, dict]:
    def kinds(row: QuoteRollup) -> dict[str, tuple]:
        return {
            kind: tuple(getattr(row, f"{prefix}_{value}") for value in ("count", "first", "last"))
            for kind, prefix in QUOTE_KINDS.items()
        }

    return {
        "hourly": {
            (row.quote_id, row.kind, row.hour): (row.count, row.first_at)
            for row in EventRollup.objects.all()
        },
        "company": {
            (row.company_id, row.kind, row.hour): (row.count,)
            for row in CompanyEventRollup.objects.all()
        },
        "quotes": {
            row.quote_id: ((row.first_at, row.last_at), kinds(row))
            for row in QuoteRollup.objects.all()
        },
    }


def payload(kind: str) -> payloads.EventPayload:
    """The data the named event function writes for `kind` (a view names an open)."""
    return payloads.QuoteViewed(open=1) if kind == EventKind.QUOTE_VIEWED else EXAMPLES[kind]


def unsaved(quote: Quote, kind: str, moment: dt.datetime, share: PortalShare) -> QuoteEvent:
    return QuoteEvent(
        company_id=quote.company_id,
        quote_id=quote.pk,
        kind=kind,
        occurred_at=moment,
        share=share,
        recipient_email=share.recipient_email,
        revision_number=1,
        data=payload(kind).to_data(),
    )


def test_each_append_adds_to_its_hour_and_keeps_the_first_moment(rep):
    # given a quote shared at 09:59:59.5
    quote, share = quote_shared_at(rep, at(9, 59, 59, 500000))

    # when it is viewed at 10:45, 10:15 (recorded late) and 11:00 sharp, and downloaded at 10:30
    for moment in (at(10, 45), at(10, 15), at(11)):
        record(quote, payload(EventKind.QUOTE_VIEWED), moment, share=share)
    record(quote, payload(EventKind.PDF_DOWNLOADED), at(10, 30), share=share)

    # then one rollup per kind and UTC hour, with its count and its earliest event
    assert rollups_of(quote) == {
        (EventKind.QUOTE_SHARED, at(9), 1, at(9, 59, 59, 500000)),
        (EventKind.QUOTE_VIEWED, at(10), 2, at(10, 15)),
        (EventKind.QUOTE_VIEWED, at(11), 1, at(11)),
        (EventKind.PDF_DOWNLOADED, at(10), 1, at(10, 30)),
    }
    assert all(row.company_id == quote.company_id for row in EventRollup.objects.all())


def test_a_batch_append_counts_each_event_once(rep):
    quote, share = quote_shared_at(rep, at(9))
    batch = [unsaved(quote, EventKind.QUOTE_VIEWED, at(10, minute), share) for minute in (5, 1, 9)]
    batch.append(unsaved(quote, EventKind.PDF_DOWNLOADED, at(12, 30), share))

    with transaction.atomic():
        append_events(quote.pk, quote_lock_chain_head(quote.pk), batch)

    assert rollups_of(quote) == {
        (EventKind.QUOTE_SHARED, at(9), 1, at(9)),
        (EventKind.QUOTE_VIEWED, at(10), 3, at(10, 1)),
        (EventKind.PDF_DOWNLOADED, at(12), 1, at(12, 30)),
    }


def test_folded_pending_opens_are_counted_when_chained_not_before(rep):
    quote, share = quote_shared_at(rep, at(9))
    for minute in (20, 10):
        pending_open_insert(
            company_id=quote.company_id,
            quote_id=quote.pk,
            share_id=share.pk,
            occurred_at=at(10, minute),
            revision_number=1,
            user_agent="Mozilla/5.0",
            ip=None,
        )
    assert not EventRollup.objects.filter(kind=EventKind.LINK_OPENED).exists()

    assert pending_opens_fold(quote.pk) == 2

    assert (EventKind.LINK_OPENED, at(10), 2, at(10, 10)) in rollups_of(quote)


def test_an_append_rolled_back_leaves_no_count(rep):
    quote, share = quote_shared_at(rep, at(9))
    before = rollups_of(quote)

    with pytest.raises(RuntimeError), transaction.atomic():
        record(quote, payload(EventKind.QUOTE_VIEWED), at(9, 30), share=share)
        record(quote, payload(EventKind.QUOTE_VIEWED), at(11), share=share)
        raise RuntimeError("the caller's transaction fails after the append")

    assert rollups_of(quote) == before
    assert rollup_mismatches() == []


# One step of a quote's life: ("one", kind, minutes), ("batch", [(kind, minutes), ...]),
# ("pending", [minutes, ...]) folded at once, or ("failed", kind, minutes) rolled back.
KINDS = st.sampled_from(
    [
        EventKind.QUOTE_VIEWED,
        EventKind.PDF_DOWNLOADED,
        EventKind.LINK_OPENED,
        EventKind.QUOTE_DECLINED,
    ]
)
MINUTES = st.integers(min_value=0, max_value=6 * 60)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("one"), KINDS, MINUTES),
        st.tuples(st.just("batch"), st.lists(st.tuples(KINDS, MINUTES), min_size=1, max_size=6)),
        st.tuples(st.just("pending"), st.lists(MINUTES, min_size=1, max_size=4)),
        st.tuples(st.just("failed"), KINDS, MINUTES),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=st.lists(STEPS, min_size=1, max_size=3))
def test_rollups_and_events_agree_after_any_sequence_of_appends(rep, plan):
    # given one to three quotes, each through its own random sequence of appends
    for steps in plan:
        quote, share = quote_shared_at(rep, NOON)
        for step in steps:
            if step[0] == "one":
                record(quote, payload(step[1]), NOON + dt.timedelta(minutes=step[2]), share=share)
            elif step[0] == "batch":
                events = [
                    unsaved(quote, kind, NOON + dt.timedelta(minutes=minutes), share)
                    for kind, minutes in step[1]
                ]
                with transaction.atomic():
                    append_events(quote.pk, quote_lock_chain_head(quote.pk), events)
            elif step[0] == "pending":
                for minutes in step[1]:
                    pending_open_insert(
                        company_id=quote.company_id,
                        quote_id=quote.pk,
                        share_id=share.pk,
                        occurred_at=NOON + dt.timedelta(minutes=minutes),
                        revision_number=1,
                        user_agent="Mozilla/5.0",
                        ip=None,
                    )
                assert pending_opens_fold(quote.pk) == len(step[1])
            else:
                with pytest.raises(RuntimeError), transaction.atomic():
                    record(
                        quote, payload(step[1]), NOON + dt.timedelta(minutes=step[2]), share=share
                    )
                    raise RuntimeError("rolled back")

    # then the rollups count exactly the events, hour by hour, with their first moments
    assert counted_by_rollups() == counted_from_events()
    assert rollup_mismatches() == []


def test_verify_rollups_names_a_difference_and_rebuild_repairs_it(rep):
    # given a quote whose view was deleted behind the app's back
    quote, share = quote_shared_at(rep, at(9))
    view = record(quote, payload(EventKind.QUOTE_VIEWED), at(10, 15), share=share)
    record(quote, payload(EventKind.QUOTE_VIEWED), at(10, 40), share=share)
    QuoteEvent.objects.filter(pk=view.pk).delete()

    # then the check names the hour (per quote and for the company) and the quote's views,
    # and fails
    out = StringIO()
    with pytest.raises(CommandError, match="3 rollups disagree"):
        call_command("verify_rollups", stdout=out)
    c, q = quote.company_id, quote.pk
    assert out.getvalue().splitlines() == [
        f"engagement_eventrollup ({c}, {q}, quote_viewed, 2026-11-03 10:00:00.000000 UTC): "
        "the events give 1, 2026-11-03 10:40:00.000000 UTC; "
        "the rollup says 2, 2026-11-03 10:15:00.000000 UTC",
        f"engagement_companyeventrollup ({c}, quote_viewed, 2026-11-03 10:00:00.000000 UTC): "
        "the events give 1; the rollup says 2",
        f"engagement_quoterollup ({c}, {q}): viewed_count: the events give 1, the rollup says 2; "
        "viewed_first: the events give 2026-11-03 10:40:00.000000 UTC, "
        "the rollup says 2026-11-03 10:15:00.000000 UTC",
    ]

    # when rebuilt, they agree again
    out = StringIO()
    call_command("verify_rollups", "--rebuild", f"--company={quote.company_id}", stdout=out)
    assert "The rollups agree with the events." in out.getvalue()
    assert (EventKind.QUOTE_VIEWED, at(10), 1, at(10, 40)) in rollups_of(quote)


def test_rebuilding_one_company_leaves_the_others_alone(rep, other_company):
    quote, _ = quote_shared_at(rep, at(9))
    other, _ = quote_shared_at(member(other_company, Role.REP), at(9))
    QuoteRollup.objects.filter(quote=other).update(shared_count=5)  # wrong, and not ours to fix

    rollups_rebuild(company_id=quote.company_id)

    assert QuoteRollup.objects.get(quote=other).shared_count == 5
    assert [str(m) for m in rollup_mismatches(company_id=quote.company_id)] == []
    assert len(rollup_mismatches()) == 1


def test_the_data_migration_builds_the_quote_rollups_of_existing_events(rep):
    # given events stored before there were rollups per quote (at micro-second precision)
    # (the hourly ones' migration, 0010, runs in the sharing app's migration test)
    quote, share = quote_shared_at(rep, at(9))
    record(quote, payload(EventKind.QUOTE_VIEWED), at(10, 59, 59, 999999), share=share)
    record(quote, payload(EventKind.QUOTE_VIEWED), at(10, 0, 0, 1), share=share)
    record(quote, payload(EventKind.LINK_OPENED), at(11), share=share)
    kept = counted_by_rollups()
    QuoteRollup.objects.all().delete()

    # when the migration runs
    migration = importlib.import_module("quotery.engagement.migrations.0012_quote_rollup")
    migration.build_quote_rollups(None, SimpleNamespace(connection=connection))

    # then the rows are the ones the appends kept
    assert counted_by_rollups() == kept
    row = QuoteRollup.objects.get(quote=quote)
    assert (row.first_at, row.last_at) == (at(9), at(10, 59, 59, 999999))
    assert (row.viewed_count, row.viewed_first, row.viewed_last) == (
        2,
        at(10, 0, 0, 1),
        at(10, 59, 59, 999999),
    )


def test_a_quote_row_counts_each_kind_with_its_first_and_last_moment(rep):
    # given a quote shared at 9, opened and viewed twice, downloaded once, then declined
    quote, share = quote_shared_at(rep, at(9))
    for moment in (at(10, 30), at(10, 5)):
        record(quote, payload(EventKind.LINK_OPENED), moment, share=share)
        record(quote, payload(EventKind.QUOTE_VIEWED), moment, share=share)
    record(quote, payload(EventKind.PDF_DOWNLOADED), at(12), share=share)
    record(quote, payload(EventKind.QUOTE_DECLINED), at(13), share=share)

    # then its one row counts the page's kinds only (not the opens), each with its moments,
    # and the first and last moment of any of them; a kind without events has none
    row = QuoteRollup.objects.get(quote=quote)
    assert (row.first_at, row.last_at) == (at(9), at(13))
    assert [
        (
            getattr(row, f"{prefix}_count"),
            getattr(row, f"{prefix}_first"),
            getattr(row, f"{prefix}_last"),
        )
        for prefix in QUOTE_KINDS.values()
    ] == [
        (1, at(9), at(9)),
        (2, at(10, 5), at(10, 30)),
        (1, at(12), at(12)),
        (0, None, None),
        (1, at(13), at(13)),
    ]
    assert rollup_mismatches() == []


def test_only_events_the_quote_rows_count_make_one(rep):
    # given a quote shared, then its row deleted as if it had none of the counted kinds
    quote, share = quote_shared_at(rep, at(9))
    QuoteRollup.objects.filter(quote=quote).delete()

    # when only an open (a kind the row does not count) is appended
    record(quote, payload(EventKind.LINK_OPENED), at(10), share=share)

    # then no row is made for it (the share is still missing, and verify says so)
    assert not QuoteRollup.objects.filter(quote=quote).exists()
    assert [m.table for m in rollup_mismatches()] == ["engagement_quoterollup"]


def test_a_batch_append_writes_each_rollup_table_in_one_statement(rep):
    quote, share = quote_shared_at(rep, at(9))
    batch = [unsaved(quote, EventKind.QUOTE_VIEWED, at(hour), share) for hour in (10, 11, 12)]

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        append_events(quote.pk, quote_lock_chain_head(quote.pk), batch)

    upserts = [q["sql"] for q in queries.captured_queries if "ON CONFLICT" in q["sql"]]
    tables = ["engagement_eventrollup", "engagement_companyeventrollup", "engagement_quoterollup"]
    if connection.vendor == "postgresql":  # one statement with the head's move and the events
        [statement] = upserts
        assert re.findall(r"INSERT INTO (\w+) \(company_id", statement) == tables
    else:
        assert [sql.split()[2] for sql in upserts] == tables


def written(quote: Quote) -> tuple[int, object, str]:
    return QuoteEvent.objects.count(), rollups_of(quote), Quote.objects.get(pk=quote.pk).chain_hash


def choices_saved(share: PortalShare, choices: str) -> tuple[str, list[object]]:
    """A caller's write to run with an append: the link's choices saved."""
    sql = f"UPDATE {PortalShare._meta.db_table} SET choices = %s WHERE id = %s"  # noqa: S608
    return sql, [choices, share.pk]


@pytest.mark.parametrize("events", [1, 3])
def test_an_append_after_a_head_that_moved_fails_and_writes_nothing(rep, events):
    quote, share = quote_shared_at(rep, at(9))
    with transaction.atomic():
        stale = quote_lock_chain_head(quote.pk)
        append_events(quote.pk, stale, [unsaved(quote, EventKind.QUOTE_VIEWED, at(10), share)])
    before = written(quote)
    batch = [unsaved(quote, EventKind.QUOTE_VIEWED, at(11 + n), share) for n in range(events)]

    with pytest.raises(ChainForked), transaction.atomic():
        # the head it was read as has moved since
        append_events(quote.pk, stale, batch, write=choices_saved(share, "{}"))

    assert written(quote) == before
    assert PortalShare.objects.get(pk=share.pk).choices == ""  # nor the caller's write
    assert all(event.pk is None for event in batch)


@pytest.mark.parametrize("events", [1, 3])
def test_an_append_saves_its_events_with_their_ids_in_order_and_the_caller_s_write(rep, events):
    quote, share = quote_shared_at(rep, at(9))
    batch = [unsaved(quote, EventKind.QUOTE_VIEWED, at(10 + n), share) for n in range(events)]

    with transaction.atomic():
        head = quote_lock_chain_head(quote.pk)
        append_events(quote.pk, head, batch, write=choices_saved(share, '{"saved":true}'))

    stored = list(QuoteEvent.objects.filter(quote=quote).order_by("sequence"))[-events:]
    assert [(event.pk, event.sequence, event.hash) for event in batch] == [
        (event.pk, event.sequence, event.hash) for event in stored
    ]
    assert all(not event._state.adding for event in batch)
    assert verify_quote_chain(quote.pk).ok
    assert PortalShare.objects.get(pk=share.pk).choices == '{"saved":true}'
