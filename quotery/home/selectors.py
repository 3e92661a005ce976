"""The start page's reads: what needs the member now, and what their quotes are worth.

What needs you, in this order (a quote is listed once, under the first that applies):
- changes requested: the client asked for changes;
- awaiting your reply: the latest message of the conversation is the client's;
- hot: an open quote with a strong buying signal (engagement's rule: several counted views
  and a PDF download, over the whole log);
- not viewed: an open quote first shared a week ago or more with no counted view yet;
- expiring: an open quote whose last valid day is one of the next 7 days (today included),
  in the company's time zone.
Open means sent or changes requested and not past its validity (`effective_state`).

Figures, in the company's time zone: the pipeline (open quotes and their totals) and this
month's won value (acceptances since the first of the month, at the total accepted). Money is
summed exactly (Decimal) per currency; the company's own currency comes first, and quotes in
other currencies are summed apart rather than converted.

Reps read their own quotes, managers and admins the company's, finance the accepted ones
(`quotes_visible_to`). Seven queries whatever the number of quotes or events, none of them
per quote: changes requested and expiring quotes, the conversations that end with the
client, one grouped pass over the views and downloads (hot), the unseen quotes, the rows
shown, the pipeline, the month's acceptances.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from quotery.accounts.models import Membership
from quotery.core.money import round_money
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors.quote import (
    STRONG_SIGNAL_MIN_DOWNLOADS,
    STRONG_SIGNAL_MIN_VIEWS,
    UNSEEN_AFTER,
)
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.selectors import quotes_visible_to
from quotery.quotes.states import LOCKED_STATES, OPEN_STATES
from quotery.sharing.models import Acceptance, AuthorKind, ConversationMessage, PortalShare

# Rows shown per need; the rest are counted.
NEED_ROWS = 5
EXPIRING_WITHIN = dt.timedelta(days=7)


class Need(StrEnum):
    CHANGES = "changes"
    REPLY = "reply"
    HOT = "hot"
    UNSEEN = "unseen"
    EXPIRING = "expiring"


NEED_ORDER = list(Need)
NEED_TITLES = {
    Need.CHANGES: "Changes requested",
    Need.REPLY: "Awaiting your reply",
    Need.HOT: "Hot: strong buying signal",
    Need.UNSEEN: "Not viewed a week after sharing",
    Need.EXPIRING: "Expiring within 7 days",
}


@dataclass(frozen=True)
class NeedRow:
    quote: Quote
    need: Need
    views: int
    downloads: int
    # When the client last wrote (changes, reply); None otherwise.
    client_wrote_at: dt.datetime | None
    # The oldest live share, for the one-click resend of an unseen quote.
    resend_share_id: int | None


@dataclass(frozen=True)
class NeedGroup:
    need: Need
    rows: list[NeedRow]
    total: int

    @property
    def title(self) -> str:
        return NEED_TITLES[self.need]

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Amount:
    currency: str
    value: Decimal
    count: int


@dataclass(frozen=True)
class MoneyFigure:
    """Amounts per currency: the company's currency first (zero when it has none), then
    the others by code."""

    amounts: list[Amount]

    @property
    def main(self) -> Amount:
        return self.amounts[0]

    @property
    def others(self) -> list[Amount]:
        return self.amounts[1:]

    @property
    def count(self) -> int:
        return sum(amount.count for amount in self.amounts)


@dataclass(frozen=True)
class StartPage:
    groups: list[NeedGroup]
    pipeline: MoneyFigure
    won: MoneyFigure
    month_start: dt.date
    sees_open_quotes: bool
    needs: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", sum(group.total for group in self.groups))


def _open(membership: Membership, now: dt.datetime) -> QuerySet[Quote]:
    """The member's open quotes: sent or changes requested, within their validity."""
    today = timezone.localdate(now, membership.company.zone)
    return quotes_visible_to(membership).filter(state__in=OPEN_STATES, valid_until__gte=today)


def _changes_and_expiring(
    membership: Membership, now: dt.datetime
) -> tuple[list[tuple[int, dt.datetime]], list[tuple[int, dt.date]]]:
    """Quotes with changes requested (and since when), and open quotes whose last valid
    day is within EXPIRING_WITHIN (and which day). One query."""
    today = timezone.localdate(now, membership.company.zone)
    rows = (
        quotes_visible_to(membership)
        .filter(
            Q(state=QuoteState.CHANGES_REQUESTED)
            | Q(
                state__in=OPEN_STATES,
                valid_until__gte=today,
                valid_until__lt=today + EXPIRING_WITHIN,
            )
        )
        .order_by()
        .values_list("pk", "state", "state_changed_at", "valid_until")
    )
    changes, expiring = [], []
    for pk, state, changed_at, valid_until in rows:
        if state == QuoteState.CHANGES_REQUESTED:
            changes.append((pk, changed_at))
        if valid_until >= today and valid_until < today + EXPIRING_WITHIN:
            expiring.append((pk, valid_until))
    return changes, expiring


def _awaiting_reply(membership: Membership) -> dict[int, dt.datetime]:
    """Quotes (not yet answered for good) whose conversation ends with the client: each
    with when the client last wrote. Read from the messages, not per quote."""
    # Later: written after it, or at the same instant and stored after it.
    later_from_staff = (
        ConversationMessage.objects.filter(quote_id=OuterRef("quote_id"))
        .filter(
            Q(created_at__gt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
        )
        .exclude(author_kind=AuthorKind.CLIENT)
    )
    rows = (
        ConversationMessage.objects.filter(
            company_id=membership.company_id,
            author_kind=AuthorKind.CLIENT,
            quote__in=quotes_visible_to(membership).exclude(state__in=LOCKED_STATES),
        )
        .exclude(Exists(later_from_staff))
        .order_by()
        .values("quote_id")
        .annotate(last=Max("created_at"))
    )
    return {row["quote_id"]: row["last"] for row in rows}


def _hot(membership: Membership, now: dt.datetime) -> dict[int, tuple[int, int]]:
    """Open quotes with a strong buying signal: quote -> (views, downloads). One grouped
    pass over the company's views and downloads (the kind-first index)."""
    rows = (
        QuoteEvent.objects.filter(
            company_id=membership.company_id,
            kind__in=[EventKind.QUOTE_VIEWED, EventKind.PDF_DOWNLOADED],
            quote__in=_open(membership, now),
        )
        .order_by()
        .values("quote_id")
        .annotate(
            views=Count("quote_id", filter=Q(kind=EventKind.QUOTE_VIEWED)),
            downloads=Count("quote_id", filter=Q(kind=EventKind.PDF_DOWNLOADED)),
        )
        .filter(views__gte=STRONG_SIGNAL_MIN_VIEWS, downloads__gte=STRONG_SIGNAL_MIN_DOWNLOADS)
    )
    return {row["quote_id"]: (row["views"], row["downloads"]) for row in rows}


def _unseen(membership: Membership, now: dt.datetime) -> dict[int, dt.datetime]:
    """Open quotes first shared UNSEEN_AFTER ago or more with no counted view: quote ->
    when first shared."""
    viewed = QuoteEvent.objects.filter(
        quote_id=OuterRef("pk"), company_id=OuterRef("company_id"), kind=EventKind.QUOTE_VIEWED
    )
    rows = (
        _open(membership, now)
        .filter(first_shared_at__lte=now - UNSEEN_AFTER)
        .exclude(Exists(viewed))
        .order_by()
        .values_list("pk", "first_shared_at")
    )
    # first_shared_at__lte excludes the quotes never shared (NULL)
    return {pk: shared_at for pk, shared_at in rows if shared_at is not None}


def _first(rows: dict[int, Any], taken: set[int]) -> list[int]:
    """The ids not listed under an earlier need, by their key (then id), all of them."""
    ids = [pk for _, pk in sorted((key, pk) for pk, key in rows.items() if pk not in taken)]
    taken.update(ids)
    return ids


def _need_groups(membership: Membership, now: dt.datetime) -> list[NeedGroup]:
    changes, expiring = _changes_and_expiring(membership, now)
    replies = _awaiting_reply(membership)
    hot = _hot(membership, now)
    unseen = _unseen(membership, now)
    taken: set[int] = set()
    # Each need's ids in its order: the longest-waiting client first, the most viewed hot
    # quote, the longest-unseen share, the soonest to expire.
    ordered = {
        Need.CHANGES: _first(dict(changes), taken),
        Need.REPLY: _first(replies, taken),
        Need.HOT: _first(
            {pk: (-views, -downloads) for pk, (views, downloads) in hot.items()}, taken
        ),
        Need.UNSEEN: _first(unseen, taken),
        Need.EXPIRING: _first(dict(expiring), taken),
    }
    shown = {pk for ids in ordered.values() for pk in ids[:NEED_ROWS]}
    if not shown:
        return []
    live_share = PortalShare.objects.filter(
        quote_id=OuterRef("pk"), company_id=OuterRef("company_id"), revoked_at=None
    ).order_by("created_at", "pk")
    quotes = {
        quote.pk: quote
        for quote in quotes_visible_to(membership)
        .filter(pk__in=shown)
        .select_related("client", "owner", "contact")
        .annotate(resend_share_id=Subquery(live_share.values("pk")[:1]))
    }
    changed_at = dict(changes)
    groups = []
    for need, ids in ordered.items():
        if not ids:
            continue
        rows = []
        for pk in ids[:NEED_ROWS]:
            views, downloads = hot.get(pk, (0, 0))
            rows.append(
                NeedRow(
                    quote=quotes[pk],
                    need=need,
                    views=views,
                    downloads=downloads,
                    client_wrote_at=replies.get(pk, changed_at.get(pk))
                    if need in (Need.CHANGES, Need.REPLY)
                    else None,
                    resend_share_id=quotes[pk].resend_share_id,
                )
            )
        groups.append(NeedGroup(need=need, rows=rows, total=len(ids)))
    return groups


def _money(rows: list[tuple[str, Decimal]], main_currency: str) -> MoneyFigure:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for currency, value in rows:
        sums[currency] += value
        counts[currency] += 1
    ordered = [main_currency, *sorted(code for code in sums if code != main_currency)]
    return MoneyFigure(
        amounts=[
            Amount(
                currency=code,
                value=round_money(sums[code], code) if code in sums else Decimal(0),
                count=counts[code],
            )
            for code in ordered
        ]
    )


def month_bounds(now: dt.datetime, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The start of this month and of the next, in `zone` (local midnights)."""
    first = timezone.localdate(now, zone).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(following, dt.time.min, tzinfo=zone),
    )


def pipeline_value(membership: Membership, now: dt.datetime) -> MoneyFigure:
    """The member's open quotes (sent or changes requested, within their validity) and
    their totals."""
    today = timezone.localdate(now, membership.company.zone)
    rows = (
        quotes_visible_to(membership)
        .filter(state__in=OPEN_STATES, valid_until__gte=today)
        .order_by()
        .values_list("currency", "total")
    )
    return _money(list(rows), membership.company.default_currency)


def won_this_month(membership: Membership, now: dt.datetime) -> MoneyFigure:
    """Acceptances of the member's quotes since the first of this month (company time), at
    the total the client accepted."""
    start, end = month_bounds(now, membership.company.zone)
    rows = (
        Acceptance.objects.filter(
            company_id=membership.company_id,
            quote__in=quotes_visible_to(membership),
            accepted_at__gte=start,
            accepted_at__lt=end,
        )
        .order_by()
        .values_list("currency", "total")
    )
    return _money(
        [(currency, Decimal(total)) for currency, total in rows],
        membership.company.default_currency,
    )


def start_page(*, membership: Membership, now: dt.datetime) -> StartPage:
    """Everything above the quote table on the start page. Seven queries (six when nothing
    needs the member, one when they read no open quotes: finance)."""
    sees_open_quotes = membership.can_edit_quotes
    start, _ = month_bounds(now, membership.company.zone)
    return StartPage(
        groups=_need_groups(membership, now) if sees_open_quotes else [],
        pipeline=pipeline_value(membership, now)
        if sees_open_quotes
        else _money([], membership.company.default_currency),
        won=won_this_month(membership, now),
        month_start=start.date(),
        sees_open_quotes=sees_open_quotes,
    )
