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
(`quotes_visible_to`). Four queries whatever the number of quotes or events: the counts per
need, the first rows of each need, the pipeline, the month's acceptances.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
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


def _event_count(kind: str) -> Coalesce:
    events = (
        QuoteEvent.objects.filter(quote_id=OuterRef("pk"), company_id=OuterRef("company_id"))
        .filter(kind=kind)
        .order_by()
        .values("quote_id")
        .annotate(n=Count("quote_id"))
        .values("n")
    )
    return Coalesce(Subquery(events, output_field=IntegerField()), Value(0))


def _candidates(membership: Membership, now: dt.datetime) -> QuerySet[Quote]:
    """The member's quotes that need something, each annotated with its `need`."""
    zone = membership.company.zone
    today = timezone.localdate(now, zone)
    latest_message = ConversationMessage.objects.filter(
        quote_id=OuterRef("pk"), company_id=OuterRef("company_id")
    ).order_by("-created_at", "-pk")
    is_open = Q(state__in=OPEN_STATES, valid_until__gte=today)
    hot = Q(views__gte=STRONG_SIGNAL_MIN_VIEWS, downloads__gte=STRONG_SIGNAL_MIN_DOWNLOADS)
    client_waits = Q(last_author=AuthorKind.CLIENT)
    need = Case(
        When(state=QuoteState.CHANGES_REQUESTED, then=Value(Need.CHANGES.value)),
        When(client_waits, then=Value(Need.REPLY.value)),
        When(is_open & hot, then=Value(Need.HOT.value)),
        When(
            is_open & Q(views=0, first_shared_at__lte=now - UNSEEN_AFTER),
            then=Value(Need.UNSEEN.value),
        ),
        When(
            is_open & Q(valid_until__lt=today + EXPIRING_WITHIN),
            then=Value(Need.EXPIRING.value),
        ),
        default=Value(""),
    )
    return (
        quotes_visible_to(membership)
        .exclude(state__in=LOCKED_STATES)
        .annotate(
            last_author=Subquery(latest_message.values("author_kind")[:1]),
            last_written_at=Subquery(
                latest_message.filter(author_kind=AuthorKind.CLIENT).values("created_at")[:1],
                output_field=DateTimeField(),
            ),
            views=_event_count(EventKind.QUOTE_VIEWED),
            downloads=_event_count(EventKind.PDF_DOWNLOADED),
        )
        .annotate(need=need)
        .exclude(need="")
    )


def _need_counts(candidates: QuerySet[Quote]) -> dict[str, int]:
    # "need" is an annotation of `_candidates`, which the type checker cannot see.
    rows = candidates.order_by().values("need").annotate(n=Count("pk"))  # type: ignore[misc]
    return {row["need"]: row["n"] for row in rows}


def _need_rows(candidates: QuerySet[Quote]) -> list[Quote]:
    """The first NEED_ROWS quotes of each need: the longest-waiting client first, the most
    viewed hot quote, the longest-unseen share, the soonest to expire."""
    waiting_since = Case(
        When(need__in=[Need.CHANGES.value, Need.REPLY.value], then=F("last_written_at")),
        When(need=Need.UNSEEN.value, then=F("first_shared_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    hotness = Case(
        When(need=Need.HOT.value, then=F("views") * -1),
        default=Value(0),
        output_field=IntegerField(),
    )
    ranked = candidates.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("need")],
            order_by=[hotness.asc(), waiting_since.asc(nulls_last=True), "valid_until", "pk"],
        ),
        resend_share_id=Subquery(
            PortalShare.objects.filter(
                quote_id=OuterRef("pk"), company_id=OuterRef("company_id"), revoked_at=None
            )
            .order_by("created_at", "pk")
            .values("pk")[:1]
        ),
    )
    return list(
        ranked.filter(rank__lte=NEED_ROWS)
        .select_related("client", "owner", "contact")
        .order_by("rank")
    )


def _need_groups(membership: Membership, now: dt.datetime) -> list[NeedGroup]:
    candidates = _candidates(membership, now)
    counts = _need_counts(candidates)
    if not counts:
        return []
    by_need: dict[str, list[NeedRow]] = defaultdict(list)
    for quote in _need_rows(candidates):
        need = Need(quote.need)  # type: ignore[attr-defined]
        by_need[need].append(
            NeedRow(
                quote=quote,
                need=need,
                views=quote.views,  # type: ignore[attr-defined]
                downloads=quote.downloads,  # type: ignore[attr-defined]
                client_wrote_at=quote.last_written_at  # type: ignore[attr-defined]
                if need in (Need.CHANGES, Need.REPLY)
                else None,
                resend_share_id=quote.resend_share_id,  # type: ignore[attr-defined]
            )
        )
    return [
        NeedGroup(need=need, rows=by_need[need], total=counts[need])
        for need in NEED_ORDER
        if counts.get(need)
    ]


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
    """Everything above the quote table on the start page. Four queries (two when the
    member reads no open quotes: finance)."""
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
