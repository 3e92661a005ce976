"""The Engagement page's per-quote figures: grouped per quote once (from the hourly rollups,
plus the events of part-hours at the range's ends in zones whose days do not start on a
whole UTC hour) and reduced, in the same statement, to the per-rep counts, the first
LIST_LIMIT hot and unseen quotes with their totals, the middle row(s) of the sorted delays
to first view, and the decisions (won, lost, their delays and the won value)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Aggregate, Count, Min, Model, Q, QuerySet, Sum

from quotery.engagement.models import EventKind, EventRollup, QuoteEvent
from quotery.engagement.selectors.company.money import money_thousandths_sql
from quotery.engagement.selectors.company.scope import DateRange, hour_split
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
_DECISIONS = [EventKind.QUOTE_ACCEPTED, EventKind.QUOTE_DECLINED]
# Part-hours of the range (from the events) added to its whole hours (from the rollups).
_COMBINED_SQL = """
SELECT quote_id, SUM(views) AS views, SUM(downloads) AS downloads, SUM(accepted) AS accepted,
       SUM(declined) AS declined, MIN(first_view) AS first_view, MIN(decided_at) AS decided_at
FROM ({hourly} UNION ALL {exact}) AS parts GROUP BY quote_id
"""


def _per_quote(
    rows: QuerySet[Any], counted: Callable[[str], Aggregate], moment: str
) -> QuerySet[Model]:
    """Per quote: views, downloads, acceptances, declines (each `counted(kind)`), first
    view and first answer (the least `moment`), over rollups or events alike."""
    return (
        rows.filter(kind__in=_PER_QUOTE_KINDS)
        .values("quote_id")
        .annotate(
            views=counted(EventKind.QUOTE_VIEWED),
            downloads=counted(EventKind.PDF_DOWNLOADED),
            accepted=counted(EventKind.QUOTE_ACCEPTED),
            declined=counted(EventKind.QUOTE_DECLINED),
            first_view=Min(moment, filter=Q(kind=EventKind.QUOTE_VIEWED)),
            decided_at=Min(moment, filter=Q(kind__in=_DECISIONS)),
        )
        .order_by()
    )


def _rollup_count(kind: str) -> Aggregate:
    return Sum("count", filter=Q(kind=kind), default=0)


def _event_count(kind: str) -> Aggregate:
    # Counting quote_id (in the covering index), not pk (only in the table).
    return Count("quote_id", filter=Q(kind=kind))


def _per_quote_sql(
    rollups: QuerySet[EventRollup], events: QuerySet[QuoteEvent], date_range: DateRange
) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters of the per-quote rows: over the range, each quote's views,
    downloads, acceptances, declines, first view and first answer. The range's whole UTC
    hours come from the rollups; the part-hours at its ends, when its zone's days do not
    start on the hour, from the events. EmptyResultSet for a scope that can read nothing
    (finance)."""
    (first, last), edges = hour_split(date_range.start, date_range.end)
    hourly = _per_quote(rollups.filter(hour__gte=first, hour__lt=last), _rollup_count, "first_at")
    hourly_sql, hourly_params = hourly.query.sql_with_params()
    if not edges:
        return hourly_sql, hourly_params
    in_edges = Q()
    for since, until in edges:
        in_edges |= Q(occurred_at__gte=since, occurred_at__lt=until)
    exact = _per_quote(events.filter(in_edges), _event_count, "occurred_at")
    exact_sql, exact_params = exact.query.sql_with_params()
    return (
        _COMBINED_SQL.format(hourly=hourly_sql, exact=exact_sql),
        (*hourly_params, *exact_params),
    )


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
    rollups: QuerySet[EventRollup],
    events: QuerySet[QuoteEvent],
    date_range: DateRange,
    now: dt.datetime,
    currency: str,
) -> QuoteFigures:
    """Per-quote aggregates, reduced in the database to the per-rep counts, the first
    LIST_LIMIT hot and unseen quotes with their totals, the median's middle delays and the
    decisions. One statement. `rollups` and `events` are the member's scopes; `currency`
    the company's.

    A quote is in the range's cohort when first shared within it; the rep table lists the
    owners of every quote with an event in the range (their cohort counts may be 0).
    """
    try:
        per_quote_sql, per_quote_params = _per_quote_sql(rollups, events, date_range)
    except EmptyResultSet:  # a scope that can read nothing (finance)
        return QuoteFigures()
    sql = _FIGURES_SQL.format(
        per_quote=per_quote_sql,
        quote_table=connection.ops.quote_name(Quote._meta.db_table),
        open_states=", ".join(["%s"] * len(OPEN_STATES)),
        thousandths=money_thousandths_sql("q.total"),
        delay=_delay_microseconds_sql("first_view"),
        decision_delay=_delay_microseconds_sql("decided_at"),
    )
    params = _figures_params(per_quote_params, date_range, now, currency)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _read_rows(cursor.fetchall())
