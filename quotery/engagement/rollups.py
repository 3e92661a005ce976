"""Event rollups (`EventRollup`): per company, quote, kind and hour, how many events and when
the first of them happened, kept in the transaction that appends the events.

`rollups_add` is called by `quotery.engagement.chain.append_events`, the one place events are
inserted (single appends, batches and folded pending opens alike), in its transaction: the
rollups commit or roll back with the events. It is one upsert
(`INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count`) on both databases,
so two transactions adding to the same hour never lose a count: the second waits for the
first's row and adds to what it committed.

`rollups_rebuild` recomputes them from the events (the seeded sample, a repair), and
`rollup_mismatches` compares them with the events (`manage.py verify_rollups`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from quotery.engagement.models import EventRollup, QuoteEvent

_ROLLUPS = EventRollup._meta.db_table
_EVENTS = QuoteEvent._meta.db_table
_COLUMNS = "company_id, quote_id, kind, hour, count, first_at"
_UPSERT_HEAD = f"INSERT INTO {_ROLLUPS} ({_COLUMNS}) VALUES "  # noqa: S608
_UPSERT_TAIL = (
    " ON CONFLICT (quote_id, kind, hour) DO UPDATE SET "
    f"count = {_ROLLUPS}.count + excluded.count, "
    f"first_at = {{least}}({_ROLLUPS}.first_at, excluded.first_at)"
)
# The hour of an event (UTC), as the database computes it: the same value `event_hour`
# gives, stored the same way (SQLite: Django's text form of a naive UTC datetime).
_HOUR_SQL = {
    "postgresql": "date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    "sqlite": "strftime('%%Y-%%m-%%d %%H:00:00', occurred_at)",
}
_GROUPED_SQL = (
    "SELECT company_id, quote_id, kind, {hour} AS hour, COUNT(*), MIN(occurred_at) "  # noqa: S608
    f"FROM {_EVENTS} {{where}} GROUP BY company_id, quote_id, kind, {{hour}}"
)


def event_hour(moment: dt.datetime) -> dt.datetime:
    """The start of the UTC hour the moment falls in."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def rollups_add(events: Sequence[QuoteEvent]) -> None:
    """Adds the (just inserted) events to their rollups: one statement, whatever their
    number. Runs in the caller's transaction, which inserted the events."""
    grouped: dict[tuple[int, int, str, dt.datetime], list[Any]] = {}
    for event in events:
        key = (event.company_id, event.quote_id, str(event.kind), event_hour(event.occurred_at))
        row = grouped.get(key)
        if row is None:
            grouped[key] = [1, event.occurred_at]
        else:
            row[0] += 1
            row[1] = min(row[1], event.occurred_at)
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    for (company_id, quote_id, kind, hour), (count, first_at) in grouped.items():
        params += [company_id, quote_id, kind, adapt(hour), count, adapt(first_at)]
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    sql = (
        _UPSERT_HEAD
        + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(grouped))
        + _UPSERT_TAIL.format(least=least)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _grouped_events_sql(company_id: int | None) -> tuple[str, list[Any]]:
    hour = _HOUR_SQL[connection.vendor]
    where, params = ("WHERE company_id = %s", [company_id]) if company_id else ("", [])
    return _GROUPED_SQL.format(hour=hour, where=where), params


def rollups_rebuild(*, company_id: int | None = None) -> int:
    """Recomputes the rollups of one company (or of all) from its events, in one
    transaction; returns how many rollup rows there are now. Appends to the company's
    quotes wait until it commits on PostgreSQL (the table lock), and on SQLite (one
    writer)."""
    select, params = _grouped_events_sql(company_id)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_ROLLUPS} IN SHARE ROW EXCLUSIVE MODE")
        if company_id:
            cursor.execute(f"DELETE FROM {_ROLLUPS} WHERE company_id = %s", [company_id])  # noqa: S608
        else:
            cursor.execute(f"DELETE FROM {_ROLLUPS}")  # noqa: S608
        cursor.execute(f"INSERT INTO {_ROLLUPS} ({_COLUMNS}) {select}", params)
        return int(cursor.rowcount)


@dataclass(frozen=True)
class RollupMismatch:
    """One (quote, kind, hour) where the rollup does not say what the events say."""

    quote_id: int
    kind: str
    hour: dt.datetime
    events: tuple[int, dt.datetime | None]  # count, first moment (0, None: no events)
    rollup: tuple[int, dt.datetime | None]  # count, first moment (0, None: no rollup)

    def __str__(self) -> str:
        return (
            f"quote {self.quote_id}, {self.kind}, {self.hour:%Y-%m-%d %H}:00 UTC: "
            f"{self.events[0]} events (first {self.events[1]}), "
            f"the rollup says {self.rollup[0]} (first {self.rollup[1]})"
        )


def rollup_mismatches(*, company_id: int | None = None) -> list[RollupMismatch]:
    """Every (quote, kind, hour) whose rollup differs from its events (count or first
    moment), or exists on one side only. Empty when they agree. Reads every event of the
    company (or of all): for checks, not for pages."""
    select, params = _grouped_events_sql(company_id)
    convert = _datetime_from_db
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        expected = {
            (quote, kind, convert(hour)): (int(count), convert(first))
            for _company, quote, kind, hour, count, first in cursor.fetchall()
        }
    rollups = EventRollup.objects.all()
    if company_id:
        rollups = rollups.filter(company_id=company_id)
    actual = {
        (row.quote_id, row.kind, row.hour): (row.count, row.first_at) for row in rollups.iterator()
    }
    mismatches = []
    for key in sorted(expected.keys() | actual.keys(), key=lambda k: (k[0], k[2], k[1])):
        events, rollup = expected.get(key, (0, None)), actual.get(key, (0, None))
        if events != rollup:
            mismatches.append(RollupMismatch(key[0], key[1], key[2], events, rollup))
    return mismatches


def _datetime_from_db(value: Any) -> dt.datetime:
    """A datetime from raw SQL: PostgreSQL gives aware datetimes, SQLite Django's text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)
