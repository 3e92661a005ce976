"""The Engagement page's per-quote figures: grouped per quote once and reduced, in the same
statement, to the per-rep counts, the first LIST_LIMIT hot and unseen quotes with their
totals, and the middle row(s) of the sorted delays to first view."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet

from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors.company.scope import DateRange
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


# One row per quote with a share, view, download or acceptance in the range (`per_quote`,
# the ORM's own SQL for the scoped events), joined to its quote once (`facts`), then
# reduced to a few rows. The parts share one column layout: (part, id, a, b, c, d).
_FIGURES_SQL = """
WITH per_quote AS ({per_quote}),
facts AS MATERIALIZED (
    SELECT p.quote_id, p.views, p.downloads, p.accepted, p.first_view,
           q.owner_id, q.first_shared_at,
           CASE WHEN q.first_shared_at >= %s AND q.first_shared_at < %s
                THEN 1 ELSE 0 END AS cohort,
           CASE WHEN q.state IN ({open_states}) THEN 1 ELSE 0 END AS is_open
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
"""


def _delay_microseconds_sql() -> str:
    """SQL for `first_view - first_shared_at` in whole microseconds (exact on both
    databases, so the median is the one Python would compute from every delay)."""
    if connection.vendor == "postgresql":
        return "CAST(EXTRACT(EPOCH FROM (first_view - first_shared_at)) * 1000000 AS BIGINT)"
    # SQLite: Django's own timestamp difference (microseconds), as F() - F() compiles.
    sql, _ = connection.ops.subtract_temporals(
        "DateTimeField", ("first_view", ()), ("first_shared_at", ())
    )
    return str(sql)


def _per_quote_sql(in_range: QuerySet[QuoteEvent]) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters of the per-quote rows: over the events of the range, each
    quote's views, downloads, acceptances and first view. EmptyResultSet for a scope that
    can read nothing (finance)."""
    per_quote = (
        in_range.filter(
            kind__in=[
                EventKind.QUOTE_SHARED,
                EventKind.QUOTE_VIEWED,
                EventKind.PDF_DOWNLOADED,
                EventKind.QUOTE_ACCEPTED,
            ]
        )
        .values("quote_id")
        .annotate(
            # Counting quote_id (in the covering index), not pk (only in the table).
            views=Count("quote_id", filter=Q(kind=EventKind.QUOTE_VIEWED)),
            downloads=Count("quote_id", filter=Q(kind=EventKind.PDF_DOWNLOADED)),
            accepted=Count("quote_id", filter=Q(kind=EventKind.QUOTE_ACCEPTED)),
            first_view=Min("occurred_at", filter=Q(kind=EventKind.QUOTE_VIEWED)),
        )
        .order_by()
    )
    return per_quote.query.sql_with_params()


def _figures_params(
    per_quote_params: Iterable[Any], date_range: DateRange, now: dt.datetime
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
        else:
            middle.append(int(a))
    if middle:
        seconds = statistics.median(
            dt.timedelta(microseconds=value).total_seconds() for value in middle
        )
        figures.median = dt.timedelta(seconds=round(seconds))
    return figures


def quote_figures(
    in_range: QuerySet[QuoteEvent], date_range: DateRange, now: dt.datetime
) -> QuoteFigures:
    """Per-quote aggregates, reduced in the database to the per-rep counts, the first
    LIST_LIMIT hot and unseen quotes with their totals, and the median's middle delays.
    One statement.

    A quote is in the range's cohort when first shared within it; the rep table lists the
    owners of every quote with an event in the range (their cohort counts may be 0).
    """
    try:
        per_quote_sql, per_quote_params = _per_quote_sql(in_range)
    except EmptyResultSet:  # a scope that can read nothing (finance)
        return QuoteFigures()
    sql = _FIGURES_SQL.format(
        per_quote=per_quote_sql,
        quote_table=connection.ops.quote_name(Quote._meta.db_table),
        open_states=", ".join(["%s"] * len(OPEN_STATES)),
        delay=_delay_microseconds_sql(),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _figures_params(per_quote_params, date_range, now))
        return _read_rows(cursor.fetchall())
