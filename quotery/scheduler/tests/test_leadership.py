"""One scheduler leads: on PostgreSQL through a session-level advisory lock on connections of
their own (real sessions, one ended by the server as a dead client's would be); on SQLite the
one scheduler leads without a lock."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import connection

from quotery.scheduler.leadership import SCHEDULER_LOCK_KEY, Leadership

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Advisory locks are PostgreSQL's; on SQLite (one machine) the scheduler leads "
    "without one (run with DATABASE_URL=postgres://...).",
)


@pytest.fixture
def schedulers() -> Iterator[tuple[Leadership, Leadership]]:
    first, second = Leadership(retry_seconds=0.1), Leadership(retry_seconds=0.1)
    yield first, second
    first.release()
    second.release()


def backend_pid(leadership: Leadership) -> int:
    assert leadership.lock_connection is not None
    with leadership.lock_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def lock_holders() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            # This database's only: advisory locks are per database, and other test runs
            # (other databases on the same server) may hold the same key at the same time.
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((classid::bigint << 32) | objid::bigint) = %s",
            [SCHEDULER_LOCK_KEY],
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's case")
def test_on_sqlite_the_scheduler_leads_without_a_lock() -> None:
    leadership = Leadership()

    assert leadership.leads()
    assert leadership.lock_connection is None


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_leads_the_other_follows_until_the_leader_stops(schedulers) -> None:  # type: ignore[no-untyped-def]
    first, second = schedulers

    assert (first.leads(), second.leads()) == (True, False)
    assert (first.leads(), second.leads()) == (True, False)
    assert lock_holders() == 1

    # when the leader stops, the follower takes over at its next try
    first.release()
    time.sleep(0.15)
    assert second.leads()
    assert lock_holders() == 1
    time.sleep(0.15)
    assert not first.leads()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_leader_whose_session_dies_loses_the_lead_to_the_follower(schedulers) -> None:  # type: ignore[no-untyped-def]
    first, second = schedulers
    assert (first.leads(), second.leads()) == (True, False)

    # when the server ends the leader's session (as it does for a dead client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid(first)])
    deadline = time.monotonic() + 10
    while lock_holders() and time.monotonic() < deadline:
        time.sleep(0.05)

    # then the follower takes over and the old leader knows it no longer leads
    time.sleep(0.15)
    assert second.leads()
    assert not first.leads()
