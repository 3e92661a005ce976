"""The company-wide Engagement page: figures for a date range, aggregated in the database.

Speed: a million events must render in well under a second (PostgreSQL: 300 ms), so the
events of the range are read from the covering (company, kind, occurred_at, quote) index,
and never come to Python:
- the totals per kind and the views per local day are plain counts of index ranges, one
  per kind and one per day (`day_spans`), in one statement: no grouping, no sorting;
- the per-quote figures are grouped once and reduced, in the same statement, to the
  per-rep table, the hot and unseen lists (ten rows and a count each) and the middle
  row(s) of the sorted delays to first view; Python sees a few dozen rows.
Every figure is exact: nothing is sampled or cached.

Definitions (also shown on the page):
- quotes shared: quotes first shared within the range;
- viewed: of those, the ones with a counted view within the range;
- median time to first view: from the first share to the first counted view, over those;
- views, PDF downloads and outcomes: events within the range;
- hot quotes: open quotes with a strong buying signal within the range (several views and a
  PDF download);
- unseen quotes: open quotes first shared in the range, at least a week before its end
  (or before now), with no counted view;
- decline reasons: the reasons clients picked when declining within the range (one row
  per decline, so one count per reason).
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.expressions import RawSQL

from quotery.accounts.models import Membership, Role, User
from quotery.engagement.local_dates import offset_segments
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors.quote import (
    STRONG_SIGNAL_MIN_DOWNLOADS,
    STRONG_SIGNAL_MIN_VIEWS,
    UNSEEN_AFTER,
)
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.models import Decline, DeclineReason

OPEN_STATES = frozenset({QuoteState.SENT, QuoteState.CHANGES_REQUESTED})
LIST_LIMIT = 10
OUTCOME_KINDS = (EventKind.QUOTE_ACCEPTED, EventKind.CHANGES_REQUESTED, EventKind.QUOTE_DECLINED)


@dataclass(frozen=True)
class DateRange:
    """Local calendar days `first`..`last` (inclusive) in `zone`."""

    first: dt.date
    last: dt.date
    zone: zoneinfo.ZoneInfo

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=self.zone)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    count: int


@dataclass(frozen=True)
class RepRow:
    name: str
    shared: int
    viewed: int
    downloads: int
    accepted: int


@dataclass(frozen=True)
class QuoteRow:
    quote: Quote
    views: int
    downloads: int
    first_shared_at: dt.datetime | None


@dataclass(frozen=True)
class ReasonCount:
    reason: str  # a DeclineReason value, or "" for no reason given
    label: str
    count: int


@dataclass
class CompanyEngagement:
    range: DateRange
    quotes_shared: int = 0
    quotes_viewed: int = 0
    median_to_first_view: dt.timedelta | None = None
    views: int = 0
    pdf_downloads: int = 0
    scanner_opens: int = 0
    accepted: int = 0
    declined: int = 0
    changes_requested: int = 0
    hot: list[QuoteRow] = field(default_factory=list)
    hot_total: int = 0
    unseen: list[QuoteRow] = field(default_factory=list)
    unseen_total: int = 0
    views_per_day: list[DayCount] = field(default_factory=list)
    reps: list[RepRow] = field(default_factory=list)

    @property
    def viewed_share(self) -> float | None:
        """Viewed quotes as a fraction of shared ones (None when nothing was shared)."""
        return self.quotes_viewed / self.quotes_shared if self.quotes_shared else None


def engagement_scope(membership: Membership) -> QuerySet[QuoteEvent]:
    """The events a member's Engagement page reads: managers and admins the whole
    company's, a sales rep the events of their own quotes. Finance has no such page."""
    events = QuoteEvent.objects.filter(company_id=membership.company_id)
    if membership.role == Role.REP:
        return events.filter(quote__owner_id=membership.user_id)
    if membership.role in {Role.MANAGER, Role.ADMIN}:
        return events
    return events.none()


def company_engagement(
    *, membership: Membership, date_range: DateRange, now: dt.datetime
) -> CompanyEngagement:
    """Everything the Engagement page shows for the range. Four queries whatever the
    number of events: totals per kind with views per local day, the per-quote figures
    aggregated down to reps, lists and the median's middle rows, the listed quotes, the
    reps' names. (The decline reasons come from `decline_reasons`, one more.)"""
    scope = engagement_scope(membership)
    in_range = scope.filter(occurred_at__gte=date_range.start, occurred_at__lt=date_range.end)
    result = CompanyEngagement(range=date_range)
    _fill_totals_and_days(result, scope, date_range)

    figures = _quote_figures(in_range, date_range, now)
    result.median_to_first_view = figures.median
    result.hot_total, result.unseen_total = figures.hot_total, figures.unseen_total
    # The same order as the SQL's: most views, then most downloads, then newest quote.
    hot = sorted(figures.hot, key=lambda row: (-row[1], -row[2], -row[0]))
    listed = {
        quote.pk: quote
        for quote in Quote.objects.filter(
            company_id=membership.company_id,
            pk__in=[row[0] for row in hot] + [row[0] for row in figures.unseen],
        ).select_related("client", "owner")
    }
    result.hot = [
        QuoteRow(listed[quote_id], views, downloads, listed[quote_id].first_shared_at)
        for quote_id, views, downloads in hot
        if quote_id in listed
    ]
    result.unseen = sorted(
        (
            QuoteRow(listed[quote_id], views, downloads, listed[quote_id].first_shared_at)
            for quote_id, views, downloads in figures.unseen
            if quote_id in listed
        ),
        key=lambda row: (row.first_shared_at, row.quote.pk),
    )

    reps = figures.reps
    result.quotes_shared = sum(counts[0] for counts in reps.values())
    result.quotes_viewed = sum(counts[1] for counts in reps.values())
    names = dict(
        User.objects.filter(
            membership__company_id=membership.company_id, pk__in=list(reps)
        ).values_list("pk", "full_name")
    )
    result.reps = sorted(
        (
            RepRow(names.get(owner_id, "") or "(unnamed)", *counts)
            for owner_id, counts in reps.items()
        ),
        key=lambda row: (-row.shared, -row.accepted, row.name),
    )
    return result


def decline_scope(membership: Membership) -> QuerySet[Decline]:
    """The declines a member's Engagement page reads, by the same rule as the events:
    managers and admins the company's, a sales rep those of their own quotes."""
    declines = Decline.objects.filter(company_id=membership.company_id)
    if membership.role == Role.REP:
        return declines.filter(quote__owner_id=membership.user_id)
    if membership.role in {Role.MANAGER, Role.ADMIN}:
        return declines
    return declines.none()


def decline_reasons(*, membership: Membership, date_range: DateRange) -> list[ReasonCount]:
    """How often clients gave each reason when declining within the range: every reason
    of the list in its order (zero included) once anything was declined, then "no reason
    given" when some gave none. Empty when nothing was declined. One query."""
    counts = dict(
        decline_scope(membership)
        .filter(declined_at__gte=date_range.start, declined_at__lt=date_range.end)
        .order_by()
        .values("reason")
        .annotate(n=Count("pk"))
        .values_list("reason", "n")
    )
    if not counts:
        return []
    rows = [
        ReasonCount(reason=str(reason), label=str(reason.label), count=counts.get(reason, 0))
        for reason in DeclineReason
    ]
    if counts.get(""):
        rows.append(ReasonCount(reason="", label="No reason given", count=counts[""]))
    return rows


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


# The totals per kind and the views per local day, as one count per (kind, from, until)
# row: each count is a range scan of the covering (company, kind, occurred_at, quote)
# index, with no grouping or sorting of the events at all.
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


def _fill_totals_and_days(
    result: CompanyEngagement, scope: QuerySet[QuoteEvent], date_range: DateRange
) -> None:
    """The totals per kind in the range and every day of the range with its number of
    counted views (days in the company's zone), in one statement."""
    counting = (
        scope.filter(
            kind=RawSQL("buckets.column2", ()),
            occurred_at__gte=RawSQL("buckets.column3", ()),
            occurred_at__lt=RawSQL("buckets.column4", ()),
        )
        .order_by()
        .values("company_id")
        .annotate(n=Count("quote_id"))  # quote_id is in the covering index, pk is not
        .values("n")
    )
    spans = day_spans(date_range)
    adapt = connection.ops.adapt_datetimefield_value
    buckets: list[tuple[int, str, dt.datetime, dt.datetime]] = [
        (index, str(EventKind.QUOTE_VIEWED), since, until)
        for index, (_, since, until) in enumerate(spans)
    ] + [(-1, str(kind), date_range.start, date_range.end) for kind in _COUNTED_KINDS]
    totals: Counter[str] = Counter()
    per_day: Counter[dt.date] = Counter()
    try:
        count_sql, count_params = counting.query.sql_with_params()
    except EmptyResultSet:  # a scope that can read nothing (finance)
        rows: list[tuple[int, str, int]] = []
    else:
        sql = _COUNTS_SQL.format(
            count=count_sql, rows=", ".join(["(%s, %s, %s, %s)"] * len(buckets))
        )
        params: list[Any] = list(count_params)
        for index, kind, since, until in buckets:
            params += [index, kind, adapt(since), adapt(until)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    for index, kind, count in rows:
        totals[kind] += count
        if index >= 0:
            per_day[spans[index][0]] += count
    result.views = totals[EventKind.QUOTE_VIEWED]
    result.pdf_downloads = totals[EventKind.PDF_DOWNLOADED]
    result.scanner_opens = max(totals[EventKind.LINK_OPENED] - result.views, 0)
    result.accepted = totals[EventKind.QUOTE_ACCEPTED]
    result.declined = totals[EventKind.QUOTE_DECLINED]
    result.changes_requested = totals[EventKind.CHANGES_REQUESTED]
    result.views_per_day = [
        DayCount(day, per_day[day])
        for day in (date_range.first + dt.timedelta(days=i) for i in range(date_range.days))
    ]


@dataclass
class _QuoteFigures:
    reps: dict[int, list[int]]  # owner -> [shared, viewed, downloads, accepted]
    hot: list[tuple[int, int, int]]  # (quote id, views, downloads), at most LIST_LIMIT
    hot_total: int
    unseen: list[tuple[int, int, int]]
    unseen_total: int
    median: dt.timedelta | None


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


def _quote_figures(
    in_range: QuerySet[QuoteEvent], date_range: DateRange, now: dt.datetime
) -> _QuoteFigures:
    """Per-quote aggregates, reduced in the database to the per-rep counts, the first
    LIST_LIMIT hot and unseen quotes with their totals, and the median's middle delays.

    Per quote, over the events of the range: views, downloads, acceptances and the first
    view. A quote is in the range's cohort when first shared within it; the rep table
    lists the owners of every quote with such an event (their cohort counts may be 0).
    """
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
    figures = _QuoteFigures(reps={}, hot=[], hot_total=0, unseen=[], unseen_total=0, median=None)
    try:
        per_quote_sql, per_quote_params = per_quote.query.sql_with_params()
    except EmptyResultSet:  # a scope that can read nothing (finance)
        return figures
    ops = connection.ops
    sql = _FIGURES_SQL.format(
        per_quote=per_quote_sql,
        quote_table=ops.quote_name(Quote._meta.db_table),
        open_states=", ".join(["%s"] * len(OPEN_STATES)),
        delay=_delay_microseconds_sql(),
    )
    unseen_cutoff = ops.adapt_datetimefield_value(min(date_range.end, now) - UNSEEN_AFTER)
    signal = [STRONG_SIGNAL_MIN_VIEWS, STRONG_SIGNAL_MIN_DOWNLOADS]
    params: list[Any] = [
        *per_quote_params,
        ops.adapt_datetimefield_value(date_range.start),
        ops.adapt_datetimefield_value(date_range.end),
        *sorted(OPEN_STATES),
        *signal,
        *signal,
        LIST_LIMIT,
        unseen_cutoff,
        unseen_cutoff,
        LIST_LIMIT,
    ]
    middle: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for part, key, a, b, c, d in cursor.fetchall():
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
