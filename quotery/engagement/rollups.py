"""Event rollups: what the Engagement page counts, kept in the transaction that appends the
events, so a million events never have to be read to draw it.

- `EventRollup`: per company, quote, kind and UTC hour, how many events and the first moment;
- `CompanyEventRollup`: per company, kind and UTC hour, how many events (the same, added
  over the company's quotes: the whole company's totals and views per day);
- `QuoteRollup`: per quote, for each kind the page's per-quote figures count (shares,
  views, downloads, acceptances, declines), how many events, the first and the last moment
  (a quote whose events of a kind all fall inside a range is counted from this one row).

`rollups_add` is called by `quotery.engagement.chain.append_events`, the one place events are
inserted (single appends, batches and folded pending opens alike), in its transaction: the
rollups commit or roll back with the events. Each table gets one upsert
(`INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count`) on both databases,
so two transactions adding to the same row never lose a count: the second waits for the
first's row and adds to what it committed.

`rollups_rebuild` recomputes them from the events (the seeded sample, a repair), and
`rollup_mismatches` compares them with the events (`manage.py verify_rollups`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from quotery.core.rawsql import prepared_cursor
from quotery.engagement.models import (
    QUOTE_ROLLUP_KINDS,
    CompanyEventRollup,
    EventRollup,
    QuoteEvent,
    QuoteRollup,
)

_EVENTS = QuoteEvent._meta.db_table
# The hour of an event (UTC), as the database computes it: the same value `event_hour`
# gives, stored the same way (SQLite: Django's text form of a naive UTC datetime).
_HOUR_SQL = {
    "postgresql": "date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    "sqlite": "strftime('%%Y-%%m-%%d %%H:00:00', occurred_at)",
}


def event_hour(moment: dt.datetime) -> dt.datetime:
    """The start of the UTC hour the moment falls in."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class _Table:
    """One rollup table: its key and value columns, what the events say they are (SQL and
    Python), and how an upsert merges a new row's values into the stored one."""

    model: type[Any]
    keys: tuple[str, ...]  # after company_id, which every table has first
    values: tuple[str, ...]
    key_sql: tuple[str, ...]  # the keys computed from an event row (`{hour}` expanded)
    value_sql: tuple[str, ...]
    merge: tuple[str, ...]  # per value: "add", "least" or "greatest" (ignoring NULL)
    conflict: tuple[str, ...]  # the unique constraint's columns
    key_of: Callable[[QuoteEvent], tuple[Any, ...]]
    values_of: Callable[[QuoteEvent], tuple[Any, ...]]  # the row of one event alone
    kinds: tuple[str, ...] | None = None  # the kinds it counts (None: every kind)

    @property
    def table(self) -> str:
        return str(self.model._meta.db_table)

    def counts(self, event: QuoteEvent) -> bool:
        return self.kinds is None or str(event.kind) in self.kinds


def _count_and_moments(kind: str) -> tuple[str, str, str]:
    """SQL over a quote's events: how many of `kind`, the first and the last moment."""
    return (
        f"SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END)",
        f"MIN(CASE WHEN kind = '{kind}' THEN occurred_at END)",
        f"MAX(CASE WHEN kind = '{kind}' THEN occurred_at END)",
    )


def _quote_rollup_values(event: QuoteEvent) -> tuple[Any, ...]:
    moment = event.occurred_at
    values: list[Any] = [moment, moment]
    for kind in QUOTE_ROLLUP_KINDS:
        values += [1, moment, moment] if event.kind == kind else [0, None, None]
    return tuple(values)


TABLES = (
    _Table(
        EventRollup,
        ("quote_id", "kind", "hour"),
        ("count", "first_at"),
        ("quote_id", "kind", "{hour}"),
        ("COUNT(*)", "MIN(occurred_at)"),
        ("add", "least"),
        ("quote_id", "kind", "hour"),
        lambda e: (e.quote_id, str(e.kind), event_hour(e.occurred_at)),
        lambda e: (1, e.occurred_at),
    ),
    _Table(
        CompanyEventRollup,
        ("kind", "hour"),
        ("count",),
        ("kind", "{hour}"),
        ("COUNT(*)",),
        ("add",),
        ("company_id", "kind", "hour"),
        lambda e: (str(e.kind), event_hour(e.occurred_at)),
        lambda e: (1,),
    ),
    _Table(
        QuoteRollup,
        ("quote_id",),
        (
            "first_at",
            "last_at",
            *(
                f"{prefix}_{value}"
                for prefix in QUOTE_ROLLUP_KINDS.values()
                for value in ("count", "first", "last")
            ),
        ),
        ("quote_id",),
        (
            "MIN(occurred_at)",
            "MAX(occurred_at)",
            *(sql for kind in QUOTE_ROLLUP_KINDS for sql in _count_and_moments(kind)),
        ),
        ("least", "greatest", *(("add", "least", "greatest") * len(QUOTE_ROLLUP_KINDS))),
        ("quote_id",),
        lambda e: (e.quote_id,),
        _quote_rollup_values,
        tuple(QUOTE_ROLLUP_KINDS),
    ),
)


def _merge_sql(table: _Table) -> str:
    postgres = connection.vendor == "postgresql"
    functions = {
        "least": "LEAST" if postgres else "MIN",
        "greatest": "GREATEST" if postgres else "MAX",
    }
    parts = []
    for column, merge in zip(table.values, table.merge, strict=True):
        stored, new = f"{table.table}.{column}", f"excluded.{column}"
        if merge == "add":
            parts.append(f"{column} = {stored} + {new}")
        elif table.model._meta.get_field(column).null:
            # Either may be missing; SQLite's MIN(a, b) is NULL if one is.
            both = f"COALESCE({stored}, {new}), COALESCE({new}, {stored})"
            parts.append(f"{column} = {functions[merge]}({both})")
        else:
            parts.append(f"{column} = {functions[merge]}({stored}, {new})")
    return f" ON CONFLICT ({', '.join(table.conflict)}) DO UPDATE SET {', '.join(parts)}"


def _merged(table: _Table, events: Sequence[QuoteEvent]) -> dict[tuple[Any, ...], list[Any]]:
    """The events' rows of one table, merged in Python as the upsert merges them."""
    rows: dict[tuple[Any, ...], list[Any]] = {}
    for event in events:
        if not table.counts(event):
            continue
        key = (event.company_id, *table.key_of(event))
        values = table.values_of(event)
        row = rows.get(key)
        if row is None:
            rows[key] = list(values)
            continue
        for index, (merge, value) in enumerate(zip(table.merge, values, strict=True)):
            if merge == "add":
                row[index] += value
            elif row[index] is None or value is None:
                row[index] = value if row[index] is None else row[index]
            else:
                row[index] = min(row[index], value) if merge == "least" else max(row[index], value)
    return rows


def rollups_add(events: Sequence[QuoteEvent]) -> None:
    """Adds the (just inserted) events to their rollups: one statement per table, whatever
    their number. Runs in the caller's transaction, which inserted the events."""
    with prepared_cursor() as cursor:
        for sql, params in rollups_statements(events):
            cursor.execute(sql, params)


def rollups_statements(events: Sequence[QuoteEvent]) -> list[tuple[str, list[Any]]]:
    """The statements (and their parameters) `rollups_add` runs: one upsert per table
    that counts any of the events, none for the others. For a caller that runs them inside
    a statement of its own (the chain's append on PostgreSQL)."""
    adapt = connection.ops.adapt_datetimefield_value

    def prepared(value: Any) -> Any:
        return adapt(value) if isinstance(value, dt.datetime) else value

    statements = []
    for table in TABLES:
        rows = _merged(table, events)
        if not rows:  # none of the kinds it counts
            continue
        columns = ("company_id", *table.keys, *table.values)
        marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
        sql = (
            f"INSERT INTO {table.table} ({', '.join(columns)}) VALUES "  # noqa: S608
            + ", ".join([marks] * len(rows))
            + _merge_sql(table)
        )
        statements.append((sql, [prepared(v) for key, row in rows.items() for v in (*key, *row)]))
    return statements


def _grouped_events_sql(table: _Table, company_id: int | None) -> tuple[str, list[Any]]:
    """SELECT company_id, keys..., values... of the table, computed from the events."""
    hour = _HOUR_SQL[connection.vendor]
    keys = [key.format(hour=hour) for key in table.key_sql]
    conditions: list[str] = []
    params: list[Any] = []
    if company_id:
        conditions.append("company_id = %s")
        params.append(company_id)
    if table.kinds is not None:
        conditions.append(f"kind IN ({', '.join(['%s'] * len(table.kinds))})")
        params += list(table.kinds)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = (
        f"SELECT company_id, {', '.join(keys)}, {', '.join(table.value_sql)} "  # noqa: S608
        f"FROM {_EVENTS} {where} GROUP BY company_id, {', '.join(keys)}"
    )
    return sql, params


def rollups_rebuild(*, company_id: int | None = None) -> int:
    """Recomputes the rollups of one company (or of all) from its events, in one
    transaction; returns how many rollup rows there are now. Appends to the company's
    quotes wait until it commits (PostgreSQL: the tables' locks; SQLite: one writer)."""
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for table in TABLES:
            select, params = _grouped_events_sql(table, company_id)
            columns = ", ".join(("company_id", *table.keys, *table.values))
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {table.table} IN SHARE ROW EXCLUSIVE MODE")
            if company_id:
                cursor.execute(f"DELETE FROM {table.table} WHERE company_id = %s", [company_id])  # noqa: S608
            else:
                cursor.execute(f"DELETE FROM {table.table}")  # noqa: S608
            cursor.execute(f"INSERT INTO {table.table} ({columns}) {select}", params)
            rows += int(cursor.rowcount)
    return rows


@dataclass(frozen=True)
class RollupMismatch:
    """One rollup row that does not say what the events say."""

    table: str
    key: tuple[Any, ...]  # company id, then the table's keys
    events: tuple[Any, ...] | None  # the values the events give (None: no events)
    rollup: tuple[Any, ...] | None  # the values stored (None: no row)
    columns: tuple[str, ...] = ()  # the values' names

    def __str__(self) -> str:
        where = f"{self.table} ({_shown(self.key)})"
        if self.events is None or self.rollup is None or len(self.columns) <= 3:
            events = "nothing" if self.events is None else _shown(self.events)
            rollup = "nothing" if self.rollup is None else _shown(self.rollup)
            return f"{where}: the events give {events}; the rollup says {rollup}"
        # A wide row (a quote's): only the columns that differ, by name.
        return f"{where}: " + "; ".join(
            f"{column}: the events give {_shown((given,))}, the rollup says {_shown((stored,))}"
            for column, given, stored in zip(self.columns, self.events, self.rollup, strict=True)
            if given != stored
        )


def _shown(values: tuple[Any, ...]) -> str:
    return ", ".join(
        f"{value:%Y-%m-%d %H:%M:%S.%f} UTC" if isinstance(value, dt.datetime) else str(value)
        for value in values
    )


def rollup_mismatches(*, company_id: int | None = None) -> list[RollupMismatch]:
    """Every rollup row (of the three tables) that differs from what the events give, or
    exists on one side only. Empty when they agree. Reads every event of the company (or
    of all): for checks, not for pages."""
    mismatches = []
    for table in TABLES:
        select, params = _grouped_events_sql(table, company_id)
        with connection.cursor() as cursor:
            cursor.execute(select, params)
            expected = {
                tuple(map(_from_db, row[: 1 + len(table.keys)])): tuple(
                    map(_from_db, row[1 + len(table.keys) :])
                )
                for row in cursor.fetchall()
            }
        stored = table.model.objects.all()
        if company_id:
            stored = stored.filter(company_id=company_id)
        columns = ("company_id", *table.keys)
        actual = {
            tuple(row[: len(columns)]): tuple(row[len(columns) :])
            for row in stored.values_list(*columns, *table.values)
        }
        for key in sorted(expected.keys() | actual.keys(), key=str):
            if expected.get(key) != actual.get(key):
                mismatches.append(
                    RollupMismatch(
                        table.table, key, expected.get(key), actual.get(key), table.values
                    )
                )
    return mismatches


def _from_db(value: Any) -> Any:
    """A value from raw SQL as the ORM reads it: aware UTC datetimes (SQLite gives
    Django's text form), ints as ints."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == " ":
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value
