"""The Engagement page's per-quote figures: grouped per quote once (from the hourly rollups,
plus the events of part-hours at the range's ends in zones whose days do not start on a
whole UTC hour) and reduced, in the same statement, to the per-rep counts, the first
LIST_LIMIT hot and unseen quotes with their totals, the middle row(s) of the sorted delays
to first view, and the decisions (won, lost, their delays and the won value)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from quotery.accounts.models import Membership
from quotery.engagement.models import EventKind, EventRollup, QuoteEvent, QuoteEventSpan
from quotery.engagement.selectors.company.money import money_thousandths_sql
from quotery.engagement.selectors.company.scope import DateRange, Reader, hour_split, reader
from quotery.engagement.selectors.quote import (
    STRONG_SIGNAL_MIN_DOWNLOADS,
    STRONG_SIGNAL_MIN_VIEWS,
    UNSEEN_AFTER,
)
from quotery.quotes.models import Quote
from quotery.quotes.states import OPEN_STATES

LIST_LIMIT = 10


@dataclass
class QuoteFigures:
    # owner id -> [quotes shared, quotes viewed, downloads, acceptances]
    reps: dict[int, list[int]] = field(default_factory=dict)
    # (quote id, views, downloads), at most LIST_LIMIT of each
    hot: list[tuple[int, int, int]] = field(default_factory=list)
    hot_total: int = 0
    unseen: list[tuple[int, int, int]] = field(default_factory=list)
    unseen_total: int = 0
    median: dt.timedelta | None = None
    # quotes accepted / declined within the range (their first answer in it)
    won: int = 0
    lost: int = 0
    # microseconds from first share to answer, summed over the won and lost quotes
    decision_delay_total: int = 0
    # the won quotes' totals in the company's currency, in thousandths (the money columns'
    # decimal places); won quotes in another currency are counted apart, never converted
    won_value_thousandths: int = 0
    won_other_currency: int = 0


# One row per quote with a share, view, download or answer in the range (`per_quote`,
# the ORM's own SQL for the scoped rollups and events), joined to its quote once (`facts`),
# then reduced to a few rows. The parts share one column layout: (part, id, a, b, c, d).
_FIGURES_SQL = """
WITH per_quote AS ({per_quote}),
facts AS MATERIALIZED (
    SELECT p.quote_id, p.views, p.downloads, p.accepted, p.first_view,
           p.declined, p.decided_at, q.owner_id, q.first_shared_at,
           CASE WHEN q.first_shared_at >= %s AND q.first_shared_at < %s
                THEN 1 ELSE 0 END AS cohort,
           CASE WHEN q.state IN ({open_states}) THEN 1 ELSE 0 END AS is_open,
           CASE WHEN q.currency = %s THEN {thousandths} ELSE NULL END AS value
    FROM per_quote p INNER JOIN {quote_table} q ON q.id = p.quote_id
)
SELECT 'rep' AS part, owner_id AS id, SUM(cohort) AS a,
       SUM(CASE WHEN cohort = 1 AND first_view IS NOT NULL THEN 1 ELSE 0 END) AS b,
       SUM(downloads) AS c, SUM(accepted) AS d
FROM facts GROUP BY owner_id
UNION ALL
SELECT 'hot_total', NULL, COUNT(*), 0, 0, 0 FROM facts
WHERE is_open = 1 AND views >= %s AND downloads >= %s
UNION ALL
SELECT * FROM (
    SELECT 'hot' AS part, quote_id AS id, views AS a, downloads AS b, 0 AS c, 0 AS d
    FROM facts WHERE is_open = 1 AND views >= %s AND downloads >= %s
    ORDER BY views DESC, downloads DESC, quote_id DESC LIMIT %s
) AS hot
UNION ALL
SELECT 'unseen_total', NULL, COUNT(*), 0, 0, 0 FROM facts
WHERE cohort = 1 AND first_view IS NULL AND is_open = 1 AND first_shared_at <= %s
UNION ALL
SELECT * FROM (
    SELECT 'unseen' AS part, quote_id AS id, views AS a, downloads AS b, 0 AS c, 0 AS d
    FROM facts WHERE cohort = 1 AND first_view IS NULL AND is_open = 1 AND first_shared_at <= %s
    ORDER BY first_shared_at, quote_id LIMIT %s
) AS unseen
UNION ALL
SELECT 'median', NULL, delay, 0, 0, 0 FROM (
    SELECT delay, ROW_NUMBER() OVER (ORDER BY delay) AS position, COUNT(*) OVER () AS n
    FROM (
        SELECT {delay} AS delay FROM facts WHERE cohort = 1 AND first_view IS NOT NULL
    ) AS delays
) AS ranked
WHERE position IN ((n + 1) / 2, (n + 2) / 2)
UNION ALL
SELECT 'decided', SUM(CASE WHEN accepted > 0 AND value IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN accepted > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN accepted > 0 THEN 0 ELSE 1 END),
       SUM({decision_delay}),
       SUM(CASE WHEN accepted > 0 THEN value ELSE 0 END)
FROM facts WHERE decided_at IS NOT NULL AND first_shared_at IS NOT NULL
"""


def _delay_microseconds_sql(until: str) -> str:
    """SQL for `<until> - first_shared_at` in whole microseconds (exact on both
    databases, so the median is the one Python would compute from every delay)."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM ({until} - first_shared_at)) * 1000000 AS BIGINT)"
    # SQLite: Django's own timestamp difference (microseconds), as F() - F() compiles.
    sql, _ = connection.ops.subtract_temporals(
        "DateTimeField", (until, ()), ("first_shared_at", ())
    )
    return str(sql)


_PER_QUOTE_KINDS = [
    EventKind.QUOTE_SHARED,
    EventKind.QUOTE_VIEWED,
    EventKind.PDF_DOWNLOADED,
    EventKind.QUOTE_ACCEPTED,
    EventKind.QUOTE_DECLINED,
]
_SPANS = QuoteEventSpan._meta.db_table
_HOURLY = EventRollup._meta.db_table
_EVENTS = QuoteEvent._meta.db_table
_QUOTES = Quote._meta.db_table
# Per quote, what happened in the range [start, end), from the smallest source that knows.
# `spanned`: one row per quote from its span rows (one per kind), grouped straight from
# the table (so the planner knows how many quotes to expect), counting the kinds whose
# events all fall inside the range. `straddled`: for the kinds of a quote with events on
# both sides of an end of the range, its hourly rollups of the range's whole hours and its
# events in the part-hours at the range's ends (zones such as Asia/Kolkata), grouped per
# quote (a few rows). The scope (`{owner_join}`): the company, and for a rep the owner.
_SPANNED_SQL = """
SELECT s.quote_id,
       SUM(CASE WHEN s.kind = %s AND {inside} THEN s.count ELSE 0 END) AS views,
       SUM(CASE WHEN s.kind = %s AND {inside} THEN s.count ELSE 0 END) AS downloads,
       SUM(CASE WHEN s.kind = %s AND {inside} THEN s.count ELSE 0 END) AS accepted,
       SUM(CASE WHEN s.kind = %s AND {inside} THEN s.count ELSE 0 END) AS declined,
       SUM(CASE WHEN {inside} THEN s.count ELSE 0 END) AS events,
       MIN(CASE WHEN s.kind = %s AND {inside} THEN s.first_at END) AS first_view,
       MIN(CASE WHEN s.kind IN (%s, %s) AND {inside} THEN s.first_at END) AS decided_at
FROM {spans} s {owner_join}
WHERE s.company_id = %s AND s.kind IN ({kinds}) AND s.first_at < %s AND s.last_at >= %s
GROUP BY s.quote_id
"""
_INSIDE = "s.first_at >= %s AND s.last_at < %s"
_STRADDLING = """s.company_id = %s AND s.kind IN ({kinds}) AND s.first_at < %s
AND s.last_at >= %s AND (s.first_at < %s OR s.last_at >= %s)"""
# Each straddling span looks up its own hours in the (quote, kind, hour) index: a few
# thousand lookups, where a hash join would read every hourly rollup of the company.
# PostgreSQL does so for a LATERAL join kept apart (OFFSET 0: not flattened into a join
# it would plan as a hash join, misjudging how few spans straddle); SQLite (which has no
# LATERAL) joins by nested loops anyway, through the same index.
_HOURLY_SQL = {
    "postgresql": """
SELECT s.quote_id AS quote_id, s.kind AS kind, r.count AS n, r.first_at AS moment
FROM {spans} s {owner_join}
CROSS JOIN LATERAL (
    SELECT r.count, r.first_at FROM {hourly} r
    WHERE r.quote_id = s.quote_id AND r.kind = s.kind AND r.hour >= %s AND r.hour < %s
    OFFSET 0
) AS r
WHERE {straddling}
""",
    "sqlite": """
SELECT s.quote_id AS quote_id, s.kind AS kind, r.count AS n, r.first_at AS moment
FROM {spans} s {owner_join}
INNER JOIN {hourly} r ON r.quote_id = s.quote_id AND r.kind = s.kind
    AND r.hour >= %s AND r.hour < %s
WHERE {straddling}
""",
}
_EDGES_SQL = """
SELECT e.quote_id, e.kind, 1, e.occurred_at
FROM {events} e
INNER JOIN {spans} s ON s.quote_id = e.quote_id AND s.kind = e.kind {owner_join}
WHERE e.company_id = %s AND e.kind IN ({kinds}) AND ({edges}) AND {straddling}
"""
_STRADDLED_SQL = """
SELECT quote_id,
       SUM(CASE WHEN kind = %s THEN n ELSE 0 END) AS views,
       SUM(CASE WHEN kind = %s THEN n ELSE 0 END) AS downloads,
       SUM(CASE WHEN kind = %s THEN n ELSE 0 END) AS accepted,
       SUM(CASE WHEN kind = %s THEN n ELSE 0 END) AS declined,
       SUM(n) AS events,
       MIN(CASE WHEN kind = %s THEN moment END) AS first_view,
       MIN(CASE WHEN kind IN (%s, %s) THEN moment END) AS decided_at
FROM ({parts}) AS parts GROUP BY quote_id
"""
# The earlier of two moments, either of which may be missing (NULL).
_EARLIER = "CASE WHEN c.{0} IS NULL OR p.{0} <= c.{0} THEN p.{0} ELSE c.{0} END"
_PER_QUOTE_SQL = """
SELECT p.quote_id,
       p.views + COALESCE(c.views, 0) AS views,
       p.downloads + COALESCE(c.downloads, 0) AS downloads,
       p.accepted + COALESCE(c.accepted, 0) AS accepted,
       p.declined + COALESCE(c.declined, 0) AS declined,
       {first_view} AS first_view,
       {decided_at} AS decided_at
FROM ({spanned}) AS p LEFT JOIN ({straddled}) AS c ON c.quote_id = p.quote_id
WHERE p.events + COALESCE(c.events, 0) > 0
"""
# The kinds each per-quote column counts, in the order of their placeholders.
_COLUMN_KINDS = [
    EventKind.QUOTE_VIEWED,
    EventKind.PDF_DOWNLOADED,
    EventKind.QUOTE_ACCEPTED,
    EventKind.QUOTE_DECLINED,
    EventKind.QUOTE_VIEWED,
    EventKind.QUOTE_ACCEPTED,
    EventKind.QUOTE_DECLINED,
]


def _per_quote_sql(who: Reader, date_range: DateRange) -> tuple[str, list[Any]]:
    """SQL and parameters of the per-quote rows: over the range, each quote's views,
    downloads, acceptances, declines, first view and first answer; see `_SPANNED_SQL`."""
    adapt = connection.ops.adapt_datetimefield_value
    start, end = adapt(date_range.start), adapt(date_range.end)
    (first, last), edges = hour_split(date_range.start, date_range.end)
    kinds = ", ".join(["%s"] * len(_PER_QUOTE_KINDS))
    owner_join, owner = "", []
    if who.owner_id is not None:
        owner_join = f"INNER JOIN {_QUOTES} oq ON oq.id = s.quote_id AND oq.owner_id = %s"
        owner = [who.owner_id]
    names = {"spans": _SPANS, "owner_join": owner_join, "kinds": kinds}
    column_kinds = [str(kind) for kind in _COLUMN_KINDS]
    spanned_params = _spanned_params(column_kinds, start, end)
    spanned_params += [*owner, who.company_id, *_PER_QUOTE_KINDS, end, start]
    straddling = _STRADDLING.format(kinds=kinds)
    straddling_params = [who.company_id, *_PER_QUOTE_KINDS, end, start, start, end]
    hourly = _HOURLY_SQL[connection.vendor]
    parts = [hourly.format(**names, hourly=_HOURLY, straddling=straddling)]
    straddled_params = [*column_kinds, *owner, adapt(first), adapt(last), *straddling_params]
    if edges:
        parts.append(
            _EDGES_SQL.format(
                **names,
                events=_EVENTS,
                edges=" OR ".join(["(e.occurred_at >= %s AND e.occurred_at < %s)"] * len(edges)),
                straddling=straddling,
            )
        )
        straddled_params += [*owner, who.company_id, *_PER_QUOTE_KINDS]
        straddled_params += [adapt(moment) for edge in edges for moment in edge]
        straddled_params += straddling_params
    sql = _PER_QUOTE_SQL.format(
        spanned=_SPANNED_SQL.format(**names, inside=_INSIDE),
        straddled=_STRADDLED_SQL.format(parts=" UNION ALL ".join(parts)),
        first_view=_EARLIER.format("first_view"),
        decided_at=_EARLIER.format("decided_at"),
    )
    return sql, [*spanned_params, *straddled_params]


def _spanned_params(column_kinds: list[str], start: Any, end: Any) -> list[Any]:
    """The placeholders of `_SPANNED_SQL`'s columns, in order: views, downloads, accepted,
    declined (kind, start, end each), events (start, end), first view (kind, start, end),
    first answer (two kinds, start, end)."""
    views, downloads, accepted, declined, _, answer_a, answer_b = column_kinds
    return [
        *(value for kind in (views, downloads, accepted, declined) for value in (kind, start, end)),
        start,
        end,
        views,
        start,
        end,
        answer_a,
        answer_b,
        start,
        end,
    ]


def _figures_params(
    per_quote_params: Iterable[Any], date_range: DateRange, now: dt.datetime, currency: str
) -> list[Any]:
    """The statement's parameters, in the order of its placeholders."""
    adapt = connection.ops.adapt_datetimefield_value
    unseen_cutoff = adapt(min(date_range.end, now) - UNSEEN_AFTER)
    signal = [STRONG_SIGNAL_MIN_VIEWS, STRONG_SIGNAL_MIN_DOWNLOADS]
    return [
        *per_quote_params,
        adapt(date_range.start),
        adapt(date_range.end),
        *sorted(OPEN_STATES),
        currency,
        *signal,
        *signal,
        LIST_LIMIT,
        unseen_cutoff,
        unseen_cutoff,
        LIST_LIMIT,
    ]


def _read_rows(rows: Iterable[tuple[Any, ...]]) -> QuoteFigures:
    figures = QuoteFigures()
    middle: list[int] = []
    for part, key, a, b, c, d in rows:
        if part == "rep":
            figures.reps[int(key)] = [int(a), int(b), int(c), int(d)]
        elif part == "hot":
            figures.hot.append((int(key), int(a), int(b)))
        elif part == "unseen":
            figures.unseen.append((int(key), int(a), int(b)))
        elif part == "hot_total":
            figures.hot_total = int(a)
        elif part == "unseen_total":
            figures.unseen_total = int(a)
        elif part == "decided":
            figures.won_other_currency = int(key or 0)
            figures.won, figures.lost = int(a or 0), int(b or 0)
            figures.decision_delay_total, figures.won_value_thousandths = int(c or 0), int(d or 0)
        else:
            middle.append(int(a))
    if middle:
        seconds = statistics.median(
            dt.timedelta(microseconds=value).total_seconds() for value in middle
        )
        figures.median = dt.timedelta(seconds=round(seconds))
    return figures


def quote_figures(
    membership: Membership, date_range: DateRange, now: dt.datetime, currency: str
) -> QuoteFigures:
    """Per-quote aggregates, reduced in the database to the per-rep counts, the first
    LIST_LIMIT hot and unseen quotes with their totals, the median's middle delays and the
    decisions. One statement. `currency`: the company's.

    A quote is in the range's cohort when first shared within it; the rep table lists the
    owners of every quote with an event in the range (their cohort counts may be 0).
    """
    who = reader(membership)
    if who is None:  # a role that reads nothing (finance)
        return QuoteFigures()
    per_quote_sql, per_quote_params = _per_quote_sql(who, date_range)
    sql = _FIGURES_SQL.format(
        per_quote=per_quote_sql,
        quote_table=connection.ops.quote_name(Quote._meta.db_table),
        open_states=", ".join(["%s"] * len(OPEN_STATES)),
        thousandths=money_thousandths_sql("q.total"),
        delay=_delay_microseconds_sql("first_view"),
        decision_delay=_delay_microseconds_sql("decided_at"),
    )
    params = _figures_params(per_quote_params, date_range, now, currency)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner's cost for this statement (tens of thousands of quotes) passes
            # the JIT thresholds, and compiling it took 0.3 - 3 s, many times running it.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return _read_rows(cursor.fetchall())
