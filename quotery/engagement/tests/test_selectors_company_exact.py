"""The Engagement page's per-quote figures read rollups (a row per quote, hourly rows for
the kinds of a quote with events on both sides of a range end, events for part-hours);
whatever the events and the range, they equal the figures counted here in Python from
every event, by the page's definitions (quotery.engagement.selectors.company)."""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotery.accounts.factories import member
from quotery.accounts.models import Role, User
from quotery.engagement import payloads
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors import DateRange, company_engagement
from quotery.engagement.tests.conftest import quote_shared_at, record, view_at
from quotery.quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Kolkata's days start at 18:30 UTC, inside an hour; Berlin's on the hour.
ZONES = [zoneinfo.ZoneInfo("Europe/Berlin"), zoneinfo.ZoneInfo("Asia/Kolkata")]
FIRST_DAY = dt.date(2026, 11, 10)
# Events fall from two days before the range's first day to a day after its last.
EARLIEST = dt.datetime(2026, 11, 8, tzinfo=UTC)
MINUTES = st.integers(min_value=0, max_value=6 * 24 * 60 - 1)
SECONDS = st.integers(min_value=0, max_value=59)
KINDS = st.sampled_from(
    [
        EventKind.QUOTE_VIEWED,
        EventKind.QUOTE_VIEWED,
        EventKind.PDF_DOWNLOADED,
        EventKind.QUOTE_ACCEPTED,
        EventKind.QUOTE_DECLINED,
        EventKind.QUOTE_SHARED,
        EventKind.LINK_OPENED,
    ]
)
QUOTES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=1),  # owner
        st.sampled_from([QuoteState.SENT, QuoteState.CHANGES_REQUESTED, QuoteState.DECLINED]),
        MINUTES,  # first shared
        st.lists(st.tuples(KINDS, MINUTES, SECONDS), max_size=8),
    ),
    min_size=1,
    max_size=4,
)


def moment(minutes: int, seconds: int = 0) -> dt.datetime:
    return EARLIEST + dt.timedelta(minutes=minutes, seconds=seconds)


def add_quote(owner: User, state: str, shared: int, events: list) -> None:
    quote, share = quote_shared_at(owner, moment(shared))
    for kind, minutes, seconds in events:
        at = moment(minutes, seconds)
        if kind == EventKind.QUOTE_VIEWED:
            view_at(quote, share, at)
        elif kind == EventKind.QUOTE_SHARED:
            shared_again = payloads.QuoteShared(resend=True, with_message=False, send=2)
            record(quote, shared_again, at, share=share)
        else:
            record(quote, kind, at, share=share)
    Quote.objects.filter(pk=quote.pk).update(state=state)


def expected_figures(owner_id: int | None, company_id: int, date_range: DateRange, now):
    """The page's per-quote figures, counted from every event of the company."""
    start, end = date_range.start, date_range.end
    in_range: dict[int, list[QuoteEvent]] = defaultdict(list)
    events = QuoteEvent.objects.filter(company_id=company_id, occurred_at__gte=start)
    for event in events.filter(occurred_at__lt=end):
        in_range[event.quote_id].append(event)
    quotes = Quote.objects.filter(pk__in=list(in_range))
    if owner_id is not None:
        quotes = quotes.filter(owner_id=owner_id)
    reps: dict[int, list[int]] = {}
    delays, hot, unseen, decided = [], [], [], []
    unseen_cutoff = min(end, now) - dt.timedelta(days=7)
    for quote in quotes:
        assert quote.first_shared_at is not None  # every quote here was shared
        mine = in_range[quote.pk]
        counted = [e for e in mine if e.kind in PAGE_KINDS]
        if not counted:
            continue

        def of(kind: str, events=counted) -> list[dt.datetime]:
            return sorted(e.occurred_at for e in events if e.kind == kind)

        views, downloads = of(EventKind.QUOTE_VIEWED), of(EventKind.PDF_DOWNLOADED)
        accepted = of(EventKind.QUOTE_ACCEPTED)
        answers = sorted(accepted + of(EventKind.QUOTE_DECLINED))
        cohort = start <= quote.first_shared_at < end
        is_open = quote.state in {QuoteState.SENT, QuoteState.CHANGES_REQUESTED}
        row = reps.setdefault(quote.owner_id, [0, 0, 0, 0])
        row[0] += cohort
        row[1] += cohort and bool(views)
        row[2] += len(downloads)
        row[3] += len(accepted)
        if cohort and views:
            delays.append((views[0] - quote.first_shared_at).total_seconds())
        if is_open and len(views) >= 2 and downloads:
            hot.append((quote.pk, len(views), len(downloads)))
        if cohort and not views and is_open and quote.first_shared_at <= unseen_cutoff:
            unseen.append((quote.first_shared_at, quote.pk))
        if answers:
            decided.append((bool(accepted), answers[0] - quote.first_shared_at))
    won = sum(1 for accepted, _ in decided if accepted)
    microseconds = sum(delay // dt.timedelta(microseconds=1) for _, delay in decided)
    average = (
        dt.timedelta(seconds=round(microseconds / len(decided) / 1_000_000)) if decided else None
    )
    return {
        "reps": sorted(tuple(counts) for counts in reps.values()),
        "shared": sum(counts[0] for counts in reps.values()),
        "viewed": sum(counts[1] for counts in reps.values()),
        "median": (dt.timedelta(seconds=round(statistics.median(delays))) if delays else None),
        "hot": sorted(hot, key=lambda row: (-row[1], -row[2], -row[0]))[:10],
        "hot_total": len(hot),
        "unseen": [pk for _, pk in sorted(unseen)[:10]],
        "unseen_total": len(unseen),
        "won_lost": (won, len(decided) - won),
        "average_to_decision": average,
    }


PAGE_KINDS = {
    EventKind.QUOTE_SHARED,
    EventKind.QUOTE_VIEWED,
    EventKind.PDF_DOWNLOADED,
    EventKind.QUOTE_ACCEPTED,
    EventKind.QUOTE_DECLINED,
}


def shown_figures(user: User, date_range: DateRange, now: dt.datetime) -> dict:
    page = company_engagement(membership=user.membership, date_range=date_range, now=now)
    return {
        "reps": sorted((r.shared, r.viewed, r.downloads, r.accepted) for r in page.reps),
        "shared": page.quotes_shared,
        "viewed": page.quotes_viewed,
        "median": page.median_to_first_view,
        "hot": [(row.quote.pk, row.views, row.downloads) for row in page.hot],
        "hot_total": page.hot_total,
        "unseen": [row.quote.pk for row in page.unseen],
        "unseen_total": page.unseen_total,
        "won_lost": (page.won, page.lost),
        "average_to_decision": page.average_to_decision,
    }


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    quotes=QUOTES,
    zone=st.sampled_from(ZONES),
    days=st.integers(min_value=1, max_value=3),
    reader=st.sampled_from(["manager", "rep"]),
)
def test_the_figures_equal_those_counted_from_every_event(
    company, manager, rep, quotes, zone, days, reader
):
    # given quotes of two reps with events before, inside and after the range, at any
    # second (so in the part-hours at a Kolkata day's ends too)
    colleague = User.objects.filter(membership__company=company, full_name="Colleague").first()
    colleague = colleague or member(company, Role.REP, full_name="Colleague")
    for owner, state, shared, events in quotes:
        add_quote((rep, colleague)[owner], state, shared, events)
    date_range = DateRange(FIRST_DAY, FIRST_DAY + dt.timedelta(days=days - 1), zone)
    now = dt.datetime(2026, 11, 20, tzinfo=UTC)

    # when the page's figures are read (by the manager: all quotes; by a rep: their own)
    user = manager if reader == "manager" else rep
    owner_id = None if reader == "manager" else rep.pk

    # then they are the ones counted from the events
    assert shown_figures(user, date_range, now) == expected_figures(
        owner_id, company.pk, date_range, now
    )
