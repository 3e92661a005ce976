"""Many appends at once never lose a count: real threads, each with its own connection and
transaction, on PostgreSQL (where they truly run at the same time; SQLite admits one writer).

Appends to one quote queue on its row lock; appends to different quotes of one company do
not, and their rollups share the company's index pages. The upsert itself is also raced
directly, without the quote's lock, on one (quote, kind, hour): its `count = count +
excluded.count` must add every transaction's events."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement import payloads
from quotery.engagement.chain import pending_opens_fold, verify_quote_chain
from quotery.engagement.models import EventKind, EventRollup, QuoteEvent
from quotery.engagement.pending_opens import pending_open_insert
from quotery.engagement.rollups import rollup_mismatches, rollups_add
from quotery.engagement.tests.conftest import quote_shared_at, record

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]

THREADS = 8
ROUNDS = 6
HOUR = dt.datetime(2026, 11, 3, 10, tzinfo=dt.UTC)


def run_together(work: Callable[[int], None]) -> list[BaseException]:
    """Runs work(0..THREADS-1) in threads released at the same moment; their errors."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def thread_body(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(number)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread_body, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_appends_and_folds_keep_rollups_and_events_in_agreement() -> None:
    # given two shared quotes of one company
    rep = member(CompanyFactory(), Role.REP)
    quotes = [quote_shared_at(rep, HOUR) for _ in range(2)]

    def work(number: int) -> None:
        quote, share = quotes[number % 2]
        for round_ in range(ROUNDS):
            moment = HOUR + dt.timedelta(minutes=number * ROUNDS + round_)
            if round_ % 3 == 2:
                # an open recorded outside the chain, then folded: by this thread or another
                pending_open_insert(
                    company_id=quote.company_id,
                    quote_id=quote.pk,
                    share_id=share.pk,
                    occurred_at=moment,
                    revision_number=1,
                    user_agent="Mozilla/5.0",
                    ip=None,
                )
                pending_opens_fold(quote.pk)
            else:
                record(quote, payloads.QuoteViewed(open=1), moment, share=share)

    # when eight threads append views and fold opens at the same moments
    errors = run_together(work)

    # then every event is counted once in its hour, and the chains hold
    assert errors == []
    for quote, _ in quotes:
        pending_opens_fold(quote.pk)
        assert verify_quote_chain(quote.pk).ok
    assert QuoteEvent.objects.filter(kind=EventKind.QUOTE_VIEWED).count() == 32
    assert QuoteEvent.objects.filter(kind=EventKind.LINK_OPENED).count() == 16
    views = EventRollup.objects.filter(kind=EventKind.QUOTE_VIEWED)
    opens = EventRollup.objects.filter(kind=EventKind.LINK_OPENED)
    assert sorted(row.count for row in views) == [16, 16]
    assert sorted(row.count for row in opens) == [8, 8]
    assert rollup_mismatches() == []


def test_the_upsert_adds_every_concurrent_transactions_count() -> None:
    # given one quote, and no lock held around the rollups' upsert
    rep = member(CompanyFactory(), Role.REP)
    quote, _ = quote_shared_at(rep, HOUR)
    first_moments = [HOUR + dt.timedelta(minutes=30 - n) for n in range(THREADS)]

    def work(number: int) -> None:
        for _ in range(ROUNDS):
            with transaction.atomic():
                event = QuoteEvent(
                    company_id=quote.company_id,
                    quote_id=quote.pk,
                    kind=EventKind.PDF_DOWNLOADED,
                    occurred_at=first_moments[number],
                )
                rollups_add([event, event])  # two events of one hour, in one statement

    # when eight transactions at once add to the same (quote, kind, hour)
    errors = run_together(work)

    # then none of their counts is lost, and the earliest moment wins
    assert errors == []
    rollup = EventRollup.objects.get(quote=quote, kind=EventKind.PDF_DOWNLOADED)
    assert (rollup.hour, rollup.count, rollup.first_at) == (
        HOUR,
        96,
        dt.datetime(2026, 11, 3, 10, 23, tzinfo=dt.UTC),
    )
