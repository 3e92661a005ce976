"""The Engagement page's money and decisions (quotery.engagement.selectors.company): won value,
win rate and average time to decision over the range, the open pipeline as of now, in the
company's currency; and the counts of a zone whose days do not start on a whole UTC hour,
where the rollups' part-hours are counted from the events."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.engagement import payloads
from quotery.engagement.models import EventKind
from quotery.engagement.selectors import DateRange, company_engagement
from quotery.engagement.tests.conftest import quote_shared_at, record, view_at
from quotery.quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db

UTC = dt.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOVEMBER = DateRange(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 30), zone=BERLIN)
NOW = dt.datetime(2026, 12, 15, 9, tzinfo=UTC)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def figures(user, date_range=NOVEMBER, now=NOW):
    return company_engagement(membership=user.membership, date_range=date_range, now=now)


def answered(owner, shared, answer, kind, total, currency="EUR") -> Quote:  # type: ignore[no-untyped-def]
    """A quote shared at `shared` and accepted or declined at `answer`, worth `total`."""
    quote, share = quote_shared_at(owner, shared, currency=currency)
    record(quote, kind, answer, share=share)
    state = QuoteState.ACCEPTED if kind == EventKind.QUOTE_ACCEPTED else QuoteState.DECLINED
    Quote.objects.filter(pk=quote.pk).update(total=Decimal(total), state=state)
    return quote


def open_quote(owner, total, *, valid_until, state=QuoteState.SENT, currency="EUR") -> Quote:  # type: ignore[no-untyped-def]
    quote, _ = quote_shared_at(owner, at(20), currency=currency)
    Quote.objects.filter(pk=quote.pk).update(
        total=Decimal(total), state=state, valid_until=valid_until
    )
    return quote


def test_won_value_win_rate_and_average_time_to_decision(manager, rep):
    # given in November: two quotes accepted (after 2 days and after 4 days 6 hours), one
    # declined after 1 day, one accepted in US dollars after 12 hours; one accepted in
    # October and one still open
    answered(rep, at(2), at(4), EventKind.QUOTE_ACCEPTED, "1234567.891")
    answered(rep, at(3), at(7, 16), EventKind.QUOTE_ACCEPTED, "0.109")
    answered(rep, at(5), at(6), EventKind.QUOTE_DECLINED, "999.00")
    answered(rep, at(8), at(8, 22), EventKind.QUOTE_ACCEPTED, "500.00", currency="USD")
    answered(rep, at(1, month=10), at(20, month=10), EventKind.QUOTE_ACCEPTED, "7000.00")
    quote_shared_at(rep, at(9))

    stats = figures(manager)

    # then the won value adds the two euro quotes (half-up to cents: 1,234,568.00), the
    # dollar one is counted apart, and the answers average 2 days 4 h 30 min
    assert stats.currency == "EUR"
    assert stats.won_value == Decimal("1234568.00")
    assert (stats.won, stats.won_other_currency, stats.lost, stats.decided) == (3, 1, 1, 4)
    assert stats.win_rate == 0.75
    # (2 d + 4 d 6 h + 1 d + 12 h) / 4 = 7 d 18 h / 4 = 1 d 22 h 30 min
    assert stats.average_to_decision == dt.timedelta(days=1, hours=22, minutes=30)


def test_nothing_answered_gives_no_rate_and_no_average(manager, rep):
    quote_shared_at(rep, at(2))

    stats = figures(manager)

    assert (stats.won, stats.lost, stats.won_value) == (0, 0, Decimal("0.00"))
    assert stats.win_rate is None and stats.average_to_decision is None


def test_the_pipeline_is_the_quotes_open_now_whatever_the_range(manager, rep):
    # given, on 15 December: two sent quotes valid into next year, one waiting after a change
    # request, one whose valid-until day was yesterday, a draft, an accepted one, and an
    # open quote in US dollars
    next_year = dt.date(2027, 1, 10)
    open_quote(rep, "1000.005", valid_until=next_year)
    open_quote(rep, "250.00", valid_until=dt.date(2026, 12, 15))  # its last day, still open
    open_quote(rep, "49.99", valid_until=next_year, state=QuoteState.CHANGES_REQUESTED)
    open_quote(rep, "7777.00", valid_until=dt.date(2026, 12, 14))  # reads as expired
    open_quote(rep, "8888.00", valid_until=next_year, state=QuoteState.DRAFT)
    open_quote(rep, "9999.00", valid_until=next_year, state=QuoteState.ACCEPTED)
    open_quote(rep, "123.00", valid_until=next_year, currency="USD")

    pipeline = figures(manager).pipeline

    # then 1000.005 + 250.00 + 49.99 = 1300.00 (half-up), four open, one of them in dollars
    assert (pipeline.quotes, pipeline.value, pipeline.other_currency) == (
        4,
        Decimal("1300.00"),
        1,
    )


def test_a_rep_adds_up_only_their_own_quotes_and_finance_nothing(company, manager, rep, finance):
    colleague = member(company, Role.REP)
    answered(rep, at(2), at(3), EventKind.QUOTE_ACCEPTED, "100.00")
    answered(colleague, at(2), at(3), EventKind.QUOTE_ACCEPTED, "900.00")
    open_quote(rep, "10.00", valid_until=dt.date(2027, 1, 1))
    open_quote(colleague, "90.00", valid_until=dt.date(2027, 1, 1))

    own, everyone, nothing = figures(rep), figures(manager), figures(finance)

    assert (own.won_value, own.pipeline.value) == (Decimal("100.00"), Decimal("10.00"))
    assert (everyone.won_value, everyone.pipeline.value) == (Decimal("1000.00"), Decimal("100.00"))
    assert (nothing.won, nothing.won_value, nothing.pipeline.quotes) == (0, Decimal(0), 0)


def test_security_23_another_companys_money_is_never_added(manager, rep, other_company):
    outsider = member(other_company, Role.REP)
    answered(outsider, at(2), at(3), EventKind.QUOTE_ACCEPTED, "5000.00")
    open_quote(outsider, "5000.00", valid_until=dt.date(2027, 1, 1))

    stats = figures(manager)

    assert (stats.won, stats.won_value, stats.pipeline.quotes) == (0, Decimal("0.00"), 0)


def test_a_half_hour_zone_counts_part_hours_from_the_events(manager, rep):
    # Kolkata is UTC+5:30: its days start at 18:30 UTC, inside a rollup's hour. Given a
    # quote shared and viewed at 18:10 UTC on 31 October (still 31 October there), then
    # viewed at 18:40 UTC (1 November there), at 18:20 UTC on 30 November (the range's last
    # evening) and at 18:45 UTC (1 December there, outside the range), downloaded at 18:50
    # UTC on 31 October (1 November there) and declined at 18:35 UTC on 2 November
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    november = DateRange(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 30), zone=kolkata)
    quote, share = quote_shared_at(rep, at(31, 18, 10, month=10))
    view_at(quote, share, at(31, 18, 10, month=10))
    view_at(quote, share, at(31, 18, 40, month=10))
    view_at(quote, share, at(30, 18, 20))
    view_at(quote, share, at(30, 18, 45))
    record(quote, EventKind.PDF_DOWNLOADED, at(31, 18, 50, month=10), share=share)
    record(quote, payloads.QuoteDeclined(reason="price", with_detail=False), at(2, 18, 35))

    stats = figures(manager, november)
    per_day = {point.day: point.count for point in stats.views_per_day}

    # then the days are Kolkata's, to the minute, and so are the range's ends
    assert (stats.views, stats.pdf_downloads, stats.declined) == (2, 1, 1)
    assert per_day[dt.date(2026, 11, 1)] == 1
    assert per_day[dt.date(2026, 11, 30)] == 1
    assert sum(per_day.values()) == 2
    assert stats.reps[0].downloads == 1  # the per-quote figures' part-hour too
    assert (stats.lost, stats.average_to_decision) == (1, dt.timedelta(days=2, minutes=25))
