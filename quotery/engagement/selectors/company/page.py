"""Everything the Engagement page shows for a range, put together from the totals per kind
(`days`), the per-quote figures (`figures`) and the open pipeline (`pipeline`), with the
listed quotes and the reps' names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from quotery.accounts.models import Membership, User
from quotery.engagement.selectors.company.days import DayCount, kind_totals
from quotery.engagement.selectors.company.figures import QuoteFigures, quote_figures
from quotery.engagement.selectors.company.money import thousandths_money
from quotery.engagement.selectors.company.pipeline import Pipeline, open_pipeline
from quotery.engagement.selectors.company.scope import (
    DateRange,
    engagement_scope,
    hourly_totals_scope,
)
from quotery.quotes.models import Quote


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
    """The page's figures. Money is in `currency` (the company's): quotes written in
    another currency are counted apart (`*_other_currency`) and never converted."""

    range: DateRange
    currency: str = "EUR"
    won: int = 0
    won_value: Decimal = Decimal(0)
    won_other_currency: int = 0
    lost: int = 0
    average_to_decision: dt.timedelta | None = None
    pipeline: Pipeline = field(default_factory=Pipeline)
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

    @property
    def decided(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        """Won quotes as a fraction of the quotes answered (accepted or declined) in the
        range; None when none was answered."""
        return self.won / self.decided if self.decided else None


def company_engagement(
    *, membership: Membership, date_range: DateRange, now: dt.datetime
) -> CompanyEngagement:
    """Everything the Engagement page shows for the range. Five queries whatever the
    number of events: totals per kind with views per local day (from the hourly rollups),
    the per-quote figures aggregated down to reps, lists, decisions and the median's
    middle rows (the same), the open pipeline, the listed quotes, the reps' names; one or
    two more in a zone whose days do not start on a whole UTC hour. (The decline reasons
    come from `decline_reasons`, one more.)"""
    currency = membership.company.default_currency
    totals = kind_totals(hourly_totals_scope(membership), engagement_scope(membership), date_range)
    figures = quote_figures(membership, date_range, now, currency)
    hot, unseen = _listed_quotes(membership, figures)
    decided = figures.won + figures.lost
    return CompanyEngagement(
        range=date_range,
        currency=currency,
        won=figures.won,
        won_value=thousandths_money(figures.won_value_thousandths, currency),
        won_other_currency=figures.won_other_currency,
        lost=figures.lost,
        average_to_decision=(
            dt.timedelta(seconds=round(figures.decision_delay_total / decided / 1_000_000))
            if decided
            else None
        ),
        pipeline=open_pipeline(membership, now, currency),
        quotes_shared=sum(counts[0] for counts in figures.reps.values()),
        quotes_viewed=sum(counts[1] for counts in figures.reps.values()),
        median_to_first_view=figures.median,
        views=totals.views,
        pdf_downloads=totals.pdf_downloads,
        scanner_opens=totals.scanner_opens,
        accepted=totals.accepted,
        declined=totals.declined,
        changes_requested=totals.changes_requested,
        hot=hot,
        hot_total=figures.hot_total,
        unseen=unseen,
        unseen_total=figures.unseen_total,
        views_per_day=totals.views_per_day,
        reps=_rep_rows(membership, figures.reps),
    )


def _listed_quotes(
    membership: Membership, figures: QuoteFigures
) -> tuple[list[QuoteRow], list[QuoteRow]]:
    """The hot and the unseen quotes' rows, their quotes read in one query."""
    # The same order as the SQL's: most views, then most downloads, then newest quote.
    hot = sorted(figures.hot, key=lambda row: (-row[1], -row[2], -row[0]))
    listed = {
        quote.pk: quote
        for quote in Quote.objects.filter(
            company_id=membership.company_id,
            pk__in=[row[0] for row in hot] + [row[0] for row in figures.unseen],
        ).select_related("client", "owner")
    }
    hot_rows = [
        QuoteRow(listed[quote_id], views, downloads, listed[quote_id].first_shared_at)
        for quote_id, views, downloads in hot
        if quote_id in listed
    ]
    unseen_rows = sorted(
        (
            QuoteRow(listed[quote_id], views, downloads, listed[quote_id].first_shared_at)
            for quote_id, views, downloads in figures.unseen
            if quote_id in listed
        ),
        key=lambda row: (row.first_shared_at, row.quote.pk),
    )
    return hot_rows, unseen_rows


def _rep_rows(membership: Membership, reps: dict[int, list[int]]) -> list[RepRow]:
    """The per-rep table, by most quotes shared, then most accepted, then name."""
    names = dict(
        User.objects.filter(
            membership__company_id=membership.company_id, pk__in=list(reps)
        ).values_list("pk", "full_name")
    )
    return sorted(
        (
            RepRow(names.get(owner_id, "") or "(unnamed)", *counts)
            for owner_id, counts in reps.items()
        ),
        key=lambda row: (-row.shared, -row.accepted, row.name),
    )
