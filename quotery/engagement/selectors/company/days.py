"""The Engagement page's totals per kind and its chart's views per local day, counted in one
statement: each count is a sum over a range of the hourly rollups' covering
(company, kind, hour, ...) index, with no grouping or sorting at all. Where a day does not
start on a whole UTC hour (zones such as Asia/Kolkata), the part-hours at its ends are
counted from the events' covering (company, kind, occurred_at, quote) index, in a second
statement."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Aggregate, Count, Model, QuerySet, Sum
from django.db.models.expressions import RawSQL

from quotery.engagement.local_dates import offset_segments
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors.company.scope import DateRange, hour_split

# One count per (kind, from, until) row of the VALUES list.
_COUNTS_SQL = """
SELECT buckets.column1, buckets.column2, COALESCE(({count}), 0)
FROM (VALUES {rows}) AS buckets
"""
_COUNTED_KINDS = (
    EventKind.LINK_OPENED,
    EventKind.PDF_DOWNLOADED,
    EventKind.QUOTE_ACCEPTED,
    EventKind.QUOTE_DECLINED,
    EventKind.CHANGES_REQUESTED,
)


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    count: int


@dataclass(frozen=True)
class KindTotals:
    """The events of the range by kind, and the counted views of each of its days."""

    views: int
    pdf_downloads: int
    scanner_opens: int
    accepted: int
    declined: int
    changes_requested: int
    views_per_day: list[DayCount]


def day_spans(date_range: DateRange) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """[(local day, from, until), ...]: UTC intervals covering the range, each within one
    local calendar day of the range's zone. A day has one span, or more when the zone's
    offset changes that day (each offset segment is cut at its own local midnights), so
    counting events per span and adding the spans up per day gives exactly the events'
    local dates, daylight saving time included."""
    start, end = date_range.start.astimezone(dt.UTC), date_range.end.astimezone(dt.UTC)
    segments = offset_segments(date_range.zone, start, end)
    spans: list[tuple[dt.date, dt.datetime, dt.datetime]] = []
    for index, (segment_start, offset) in enumerate(segments):
        segment_end = segments[index + 1][0] if index + 1 < len(segments) else end
        moment = segment_start
        while moment < segment_end:
            day = (moment + offset).date()
            midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
            until = min(midnight - offset, segment_end)
            spans.append((day, moment, until))
            moment = until
    return spans


Bucket = tuple[int, str, dt.datetime, dt.datetime]


def _bucket_counts(counting: QuerySet[Model], buckets: list[Bucket]) -> list[tuple[int, str, int]]:
    """(index, kind, count) for each bucket (index, kind, since, until), `counting` being
    the scoped count whose kind and bounds are the VALUES list's columns 2 to 4."""
    if not buckets:
        return []
    try:
        count_sql, count_params = counting.query.sql_with_params()
    except EmptyResultSet:  # a scope that can read nothing (finance)
        return []
    sql = _COUNTS_SQL.format(count=count_sql, rows=", ".join(["(%s, %s, %s, %s)"] * len(buckets)))
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = list(count_params)
    for index, kind, since, until in buckets:
        params += [index, kind, adapt(since), adapt(until)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(index), str(kind), int(count)) for index, kind, count in cursor.fetchall()]


def _counting(rows: QuerySet[Any], moment: str, counted: Aggregate) -> QuerySet[Model]:
    """The scoped count of rows of the bucket's kind with `moment` in its bounds."""
    return (
        rows.filter(
            kind=RawSQL("buckets.column2", ()),
            **{
                f"{moment}__gte": RawSQL("buckets.column3", ()),
                f"{moment}__lt": RawSQL("buckets.column4", ()),
            },
        )
        .order_by()
        .values("company_id")
        .annotate(n=counted)
        .values("n")
    )


def bucket_counts(
    hourly: QuerySet[Any], events: QuerySet[QuoteEvent], buckets: list[Bucket]
) -> list[tuple[int, str, int]]:
    """(index, kind, count) per piece of each bucket (index, kind, since, until): its whole
    UTC hours from the rollups, the part-hours at its ends (if any) from the events. One
    statement, two when a bucket has a part-hour."""
    whole: list[Bucket] = []
    exact: list[Bucket] = []
    for index, kind, since, until in buckets:
        (first, last), edges = hour_split(since, until)
        if first < last:
            whole.append((index, kind, first, last))
        exact += [(index, kind, edge_since, edge_until) for edge_since, edge_until in edges]
    # Counting quote_id (in the covering index), not pk (only in the table).
    by_events = _counting(events, "occurred_at", Count("quote_id"))
    return _bucket_counts(_counting(hourly, "hour", Sum("count")), whole) + _bucket_counts(
        by_events, exact
    )


def kind_totals(
    hourly: QuerySet[Any], events: QuerySet[QuoteEvent], date_range: DateRange
) -> KindTotals:
    """The totals per kind in the range and every day of the range with its number of
    counted views (days in the company's zone), in one statement (two in a zone whose days
    start on a part-hour)."""
    spans = day_spans(date_range)
    buckets: list[Bucket] = [
        (index, str(EventKind.QUOTE_VIEWED), since, until)
        for index, (_, since, until) in enumerate(spans)
    ] + [(-1, str(kind), date_range.start, date_range.end) for kind in _COUNTED_KINDS]
    totals: Counter[str] = Counter()
    per_day: Counter[dt.date] = Counter()
    for index, kind, count in bucket_counts(hourly, events, buckets):
        totals[kind] += count
        if index >= 0:
            per_day[spans[index][0]] += count
    views = totals[EventKind.QUOTE_VIEWED]
    return KindTotals(
        views=views,
        pdf_downloads=totals[EventKind.PDF_DOWNLOADED],
        scanner_opens=max(totals[EventKind.LINK_OPENED] - views, 0),
        accepted=totals[EventKind.QUOTE_ACCEPTED],
        declined=totals[EventKind.QUOTE_DECLINED],
        changes_requested=totals[EventKind.CHANGES_REQUESTED],
        views_per_day=[
            DayCount(day, per_day[day])
            for day in (date_range.first + dt.timedelta(days=i) for i in range(date_range.days))
        ],
    )
