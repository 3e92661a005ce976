"""The company-wide figures: cohorts, the median, day buckets in the company's time zone,
hot and unseen quotes, the per-rep table, and whose events count."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from quotery.accounts.models import Role
from quotery.engagement.local_dates import offset_segments
from quotery.engagement.models import EventKind
from quotery.engagement.selectors import DateRange, company_engagement
from quotery.engagement.tests.conftest import quote_shared_at, record, view_at
from quotery.factories import member
from quotery.quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC
NOVEMBER = DateRange(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 30), zone=BERLIN)
AFTER_NOVEMBER = dt.datetime(2026, 12, 15, tzinfo=UTC)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def figures(user, date_range=NOVEMBER, now=AFTER_NOVEMBER):
    return company_engagement(membership=user.membership, date_range=date_range, now=now)


def test_shared_viewed_and_the_median_time_to_first_view(manager, rep):
    # given three quotes first shared in November, viewed after 1 h, 2 h and 10 h,
    # and a fourth never viewed
    for delay in (1, 2, 10):
        quote, share = quote_shared_at(rep, at(3))
        view_at(quote, share, at(3) + dt.timedelta(hours=delay))
        view_at(quote, share, at(4) + dt.timedelta(hours=delay))  # later views change nothing
    quote_shared_at(rep, at(5))

    stats = figures(manager)

    assert stats.quotes_shared == 4
    assert stats.quotes_viewed == 3
    assert stats.viewed_share == 0.75
    assert stats.median_to_first_view == dt.timedelta(hours=2)
    assert stats.views == 6


def test_a_quote_first_shared_before_the_range_is_not_in_its_cohort(manager, rep):
    quote, share = quote_shared_at(rep, at(20, month=10))
    view_at(quote, share, at(2))
    stats = figures(manager)
    assert stats.quotes_shared == 0
    assert stats.median_to_first_view is None
    assert stats.views == 1  # the view itself happened in November


def test_scanner_opens_and_outcomes(manager, rep):
    quote, share = quote_shared_at(rep, at(3))
    record(quote, EventKind.LINK_OPENED, at(3, 11), share=share)  # a scanner
    view_at(quote, share, at(4))
    record(quote, EventKind.PDF_DOWNLOADED, at(4, 12), share=share)
    record(quote, EventKind.CHANGES_REQUESTED, at(5), share=share)
    record(quote, EventKind.QUOTE_ACCEPTED, at(8), share=share)
    other, other_share = quote_shared_at(rep, at(3))
    record(other, EventKind.QUOTE_DECLINED, at(9), share=other_share)

    stats = figures(manager)

    assert (stats.views, stats.scanner_opens, stats.pdf_downloads) == (1, 1, 1)
    assert (stats.accepted, stats.changes_requested, stats.declined) == (1, 1, 1)


def test_views_per_day_use_the_companys_time_zone(manager, rep):
    # given views at 23:30 UTC on 1 and 2 November: already the next day in Berlin
    quote, share = quote_shared_at(rep, at(1, 8))
    view_at(quote, share, at(1, 23, 30))
    view_at(quote, share, at(2, 22, 59))  # 23:59 in Berlin: still the 2nd
    view_at(quote, share, at(2, 23, 30))

    per_day = {point.day: point.count for point in figures(manager).views_per_day}

    assert len(per_day) == 30
    assert per_day[dt.date(2026, 11, 1)] == 0
    assert per_day[dt.date(2026, 11, 2)] == 2
    assert per_day[dt.date(2026, 11, 3)] == 1
    assert sum(per_day.values()) == 3


def test_views_per_day_across_the_change_to_summer_time(manager, rep):
    # Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on 29 March 2026
    spring = DateRange(first=dt.date(2026, 3, 27), last=dt.date(2026, 3, 31), zone=BERLIN)
    quote, share = quote_shared_at(rep, dt.datetime(2026, 3, 27, 9, tzinfo=UTC))
    view_at(quote, share, dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC))  # 00:30 CET, 29th
    view_at(quote, share, dt.datetime(2026, 3, 29, 22, 30, tzinfo=UTC))  # 00:30 CEST, 30th
    view_at(quote, share, dt.datetime(2026, 3, 29, 21, 30, tzinfo=UTC))  # 23:30 CEST, 29th
    view_at(quote, share, dt.datetime(2026, 3, 26, 23, 30, tzinfo=UTC))  # 00:30, 27th

    per_day = {point.day: point.count for point in figures(manager, spring).views_per_day}

    assert per_day == {
        dt.date(2026, 3, 27): 1,
        dt.date(2026, 3, 28): 0,
        dt.date(2026, 3, 29): 2,
        dt.date(2026, 3, 30): 1,
        dt.date(2026, 3, 31): 0,
    }


def test_offset_segments_find_each_change_to_the_minute():
    start = dt.datetime(2026, 1, 1, tzinfo=BERLIN)
    end = dt.datetime(2027, 1, 1, tzinfo=BERLIN)
    segments = offset_segments(BERLIN, start, end)
    assert [(moment.astimezone(UTC), offset) for moment, offset in segments] == [
        (dt.datetime(2025, 12, 31, 23, tzinfo=UTC), dt.timedelta(hours=1)),
        (dt.datetime(2026, 3, 29, 1, tzinfo=UTC), dt.timedelta(hours=2)),
        (dt.datetime(2026, 10, 25, 1, tzinfo=UTC), dt.timedelta(hours=1)),
    ]
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    assert offset_segments(kolkata, start, end) == [
        (start.astimezone(UTC), dt.timedelta(hours=5, minutes=30))
    ]


def test_hot_and_unseen_quotes(manager, rep):
    # given a hot quote (two views and a download), a quote viewed once,
    # one shared on the 2nd never viewed, one shared on the 27th (not yet a week)
    hot, hot_share = quote_shared_at(rep, at(2), title="Hot one")
    view_at(hot, hot_share, at(3))
    view_at(hot, hot_share, at(4))
    record(hot, EventKind.PDF_DOWNLOADED, at(4, 11), share=hot_share)
    once, once_share = quote_shared_at(rep, at(2))
    view_at(once, once_share, at(3))
    unseen, _ = quote_shared_at(rep, at(2), title="Never opened")
    quote_shared_at(rep, at(27))
    # an accepted quote, though downloaded and viewed, is no longer "hot"
    done, done_share = quote_shared_at(rep, at(2))
    view_at(done, done_share, at(3))
    view_at(done, done_share, at(3, 12))
    record(done, EventKind.PDF_DOWNLOADED, at(3, 13), share=done_share)
    Quote.objects.filter(pk=done.pk).update(state=QuoteState.ACCEPTED)

    stats = figures(manager, now=at(30, 23))

    assert [row.quote.pk for row in stats.hot] == [hot.pk]
    assert (stats.hot[0].views, stats.hot[0].downloads) == (2, 1)
    assert [row.quote.pk for row in stats.unseen] == [unseen.pk]
    assert stats.hot_total == 1 and stats.unseen_total == 1


def test_unseen_counts_the_week_up_to_now_or_to_the_end_of_the_range(manager, rep):
    quote_shared_at(rep, at(22))
    # six days later: not yet
    assert figures(manager, now=at(28)).unseen == []
    # a week later
    assert len(figures(manager, now=at(29, 11)).unseen) == 1
    # a quote shared on the 25th had no week within November
    late, _ = quote_shared_at(rep, at(25))
    unseen = figures(manager, now=AFTER_NOVEMBER).unseen
    assert late.pk not in [row.quote.pk for row in unseen] and len(unseen) == 1


def test_the_per_rep_table(manager, company):
    rita = member(company, Role.REP, full_name="Rita Rep")
    sam = member(company, Role.REP, full_name="Sam Sales")
    for _ in range(2):
        quote, share = quote_shared_at(rita, at(3))
        view_at(quote, share, at(4))
        record(quote, EventKind.PDF_DOWNLOADED, at(4, 12), share=share)
    quote, share = quote_shared_at(rita, at(5))
    record(quote, EventKind.QUOTE_ACCEPTED, at(6), share=share)
    quote_shared_at(sam, at(3))

    rows = {row.name: row for row in figures(manager).reps}

    assert (rows["Rita Rep"].shared, rows["Rita Rep"].viewed) == (3, 2)
    assert (rows["Rita Rep"].downloads, rows["Rita Rep"].accepted) == (2, 1)
    assert (rows["Sam Sales"].shared, rows["Sam Sales"].viewed) == (1, 0)
    assert [row.name for row in figures(manager).reps] == ["Rita Rep", "Sam Sales"]


def test_a_rep_sees_only_their_own_quotes(company, rep, manager):
    colleague = member(company, Role.REP, full_name="Colleague")
    mine, my_share = quote_shared_at(rep, at(3))
    view_at(mine, my_share, at(4))
    theirs, their_share = quote_shared_at(colleague, at(3))
    view_at(theirs, their_share, at(4))
    view_at(theirs, their_share, at(5))

    own = figures(rep)
    everyone = figures(manager)

    assert (own.quotes_shared, own.views) == (1, 1)
    assert [row.name for row in own.reps] == [rep.full_name]
    assert (everyone.quotes_shared, everyone.views) == (2, 3)


def test_finance_reads_nothing(finance, rep):
    quote, share = quote_shared_at(rep, at(3))
    view_at(quote, share, at(4))
    stats = figures(finance)
    assert (stats.quotes_shared, stats.views, stats.reps) == (0, 0, [])


def test_security_23_another_companys_events_are_never_counted(manager, rep, other_company):
    # given a busy quote in another company and one quiet quote here
    outsider = member(other_company, Role.REP)
    theirs, their_share = quote_shared_at(outsider, at(3), title="Their hot quote")
    for day in (4, 5, 6):
        view_at(theirs, their_share, at(day))
    record(theirs, EventKind.PDF_DOWNLOADED, at(6, 11), share=their_share)
    record(theirs, EventKind.QUOTE_ACCEPTED, at(7), share=their_share)
    quote_shared_at(rep, at(3))

    stats = figures(manager)

    assert (stats.quotes_shared, stats.views, stats.pdf_downloads, stats.accepted) == (1, 0, 0, 0)
    assert stats.hot == [] and stats.hot_total == 0
    assert sum(point.count for point in stats.views_per_day) == 0
    assert [row.name for row in stats.reps] == [rep.full_name]
