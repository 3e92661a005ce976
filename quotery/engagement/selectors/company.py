"""The company-wide Engagement page: figures for a date range, aggregated in the database.

Speed: a million events must render in well under a second, so every figure comes from a
grouped query on the (company, kind, occurred_at) index; Python only walks the grouped rows
(one per quote active in the range, one per day), never the events themselves.

Definitions (also shown on the page):
- quotes shared: quotes first shared within the range;
- viewed: of those, the ones with a counted view within the range;
- median time to first view: from the first share to the first counted view, over those;
- views, PDF downloads and outcomes: events within the range;
- hot quotes: open quotes with a strong buying signal within the range (several views and a
  PDF download);
- unseen quotes: open quotes first shared in the range, at least a week before its end
  (or before now), with no counted view.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet

from quotery.accounts.models import Membership, Role, User
from quotery.engagement.local_dates import LocalDate
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors.quote import UNSEEN_AFTER, is_strong_signal
from quotery.quotes.models import Quote, QuoteState

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


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    seconds = statistics.median(value.total_seconds() for value in values)
    return dt.timedelta(seconds=round(seconds))


def company_engagement(
    *, membership: Membership, date_range: DateRange, now: dt.datetime
) -> CompanyEngagement:
    """Everything the Engagement page shows for the range. Five queries whatever the
    number of events: totals per kind, per-quote aggregates, views per local day, the rows
    of the listed quotes, the reps' names."""
    start, end = date_range.start, date_range.end
    in_range = engagement_scope(membership).filter(occurred_at__gte=start, occurred_at__lt=end)
    result = CompanyEngagement(range=date_range)

    totals: Counter[str] = Counter(
        dict(
            in_range.filter(kind__in=EventKind.values)
            .values_list("kind")
            .annotate(n=Count("quote_id"))
            .order_by()
        )
    )
    result.views = totals[EventKind.QUOTE_VIEWED]
    result.pdf_downloads = totals[EventKind.PDF_DOWNLOADED]
    result.scanner_opens = max(totals[EventKind.LINK_OPENED] - result.views, 0)
    result.accepted = totals[EventKind.QUOTE_ACCEPTED]
    result.declined = totals[EventKind.QUOTE_DECLINED]
    result.changes_requested = totals[EventKind.CHANGES_REQUESTED]

    # One row per quote with views, downloads, shares or an acceptance in the range.
    per_quote = (
        in_range.filter(
            kind__in=[
                EventKind.QUOTE_SHARED,
                EventKind.QUOTE_VIEWED,
                EventKind.PDF_DOWNLOADED,
                EventKind.QUOTE_ACCEPTED,
            ]
        )
        .values_list("quote_id", "quote__owner_id", "quote__state", "quote__first_shared_at")
        .annotate(
            # Counting quote_id (in the covering index), not pk (only in the table).
            views=Count("quote_id", filter=Q(kind=EventKind.QUOTE_VIEWED)),
            downloads=Count("quote_id", filter=Q(kind=EventKind.PDF_DOWNLOADED)),
            accepted=Count("quote_id", filter=Q(kind=EventKind.QUOTE_ACCEPTED)),
            first_view=Min("occurred_at", filter=Q(kind=EventKind.QUOTE_VIEWED)),
        )
        .order_by()
    )
    unseen_cutoff = min(end, now) - UNSEEN_AFTER
    delays: list[dt.timedelta] = []
    hot: list[tuple[int, int, int, int]] = []  # (-views, -downloads, quote id) sortable
    unseen: list[tuple[dt.datetime, int]] = []
    reps: dict[int, list[int]] = {}  # owner -> [shared, viewed, downloads, accepted]
    facts: dict[int, tuple[int, int, dt.datetime | None]] = {}
    for (
        quote_id,
        owner_id,
        state,
        first_shared,
        views,
        downloads,
        accepted,
        first_view,
    ) in per_quote:
        rep = reps.setdefault(owner_id, [0, 0, 0, 0])
        rep[2] += downloads
        rep[3] += accepted
        facts[quote_id] = (views, downloads, first_shared)
        if first_shared is not None and start <= first_shared < end:
            rep[0] += 1
            result.quotes_shared += 1
            if first_view is not None:
                rep[1] += 1
                result.quotes_viewed += 1
                delays.append(first_view - first_shared)
            elif state in OPEN_STATES and first_shared <= unseen_cutoff:
                unseen.append((first_shared, quote_id))
        if state in OPEN_STATES and is_strong_signal(views=views, pdf_downloads=downloads):
            hot.append((-views, -downloads, -quote_id, quote_id))
    result.median_to_first_view = _median(delays)

    hot.sort()
    unseen.sort()
    result.hot_total, result.unseen_total = len(hot), len(unseen)
    hot_ids = [row[-1] for row in hot[:LIST_LIMIT]]
    unseen_ids = [quote_id for _, quote_id in unseen[:LIST_LIMIT]]
    listed = {
        quote.pk: quote
        for quote in Quote.objects.filter(
            company_id=membership.company_id, pk__in=hot_ids + unseen_ids
        ).select_related("client", "owner")
    }

    def quote_row(quote_id: int) -> QuoteRow:
        views, downloads, first_shared = facts[quote_id]
        return QuoteRow(listed[quote_id], views, downloads, first_shared)

    result.hot = [quote_row(quote_id) for quote_id in hot_ids if quote_id in listed]
    result.unseen = [quote_row(quote_id) for quote_id in unseen_ids if quote_id in listed]

    result.views_per_day = _views_per_day(in_range, date_range)

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


def _views_per_day(in_range: QuerySet[QuoteEvent], date_range: DateRange) -> list[DayCount]:
    """Every day of the range with its number of counted views, days in the company's zone."""
    local_day = LocalDate(
        "occurred_at", zone=date_range.zone, start=date_range.start, end=date_range.end
    )
    counted = dict(
        in_range.filter(kind=EventKind.QUOTE_VIEWED)
        .annotate(day=local_day)
        .values_list("day")
        .annotate(n=Count("quote_id"))
        .order_by()
    )
    return [
        DayCount(day, counted.get(day, 0))
        for day in (date_range.first + dt.timedelta(days=i) for i in range(date_range.days))
    ]
