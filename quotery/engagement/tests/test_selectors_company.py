"""The company-wide figures (quotery.engagement.selectors.company): cohorts, the median, day
buckets in the company's time zone, hot and unseen quotes, the per-rep table, and whose events
count."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import zoneinfo

import pytest
from django.db import connection

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind
from quotery.engagement.selectors import DateRange, company_engagement
from quotery.engagement.selectors.company import day_spans
from quotery.engagement.tests.conftest import quote_shared_at, record, view_at
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


def test_the_median_of_an_even_number_of_delays_is_the_mean_of_the_middle_two(manager, rep):
    # given four quotes viewed 1 h, 2 h, 3 h 0.5 s and 10 h after their first share
    for delay in (
        dt.timedelta(hours=10),
        dt.timedelta(hours=1),
        dt.timedelta(hours=3, milliseconds=500),
        dt.timedelta(hours=2),
    ):
        quote, share = quote_shared_at(rep, at(3))
        view_at(quote, share, at(3) + delay)

    stats = figures(manager)

    # then (2 h + 3 h 0.5 s) / 2 = 2 h 30 min 0.25 s, shown to the second
    assert stats.median_to_first_view == dt.timedelta(hours=2, minutes=30)


def test_the_median_equals_the_one_computed_from_every_delay(manager, rep):
    # given quotes with delays down to the microsecond, shared at odd moments: the middle
    # two (7.499999 s and 7.500001 s) average to exactly 7.5 s, which rounds to 8 s
    delays = [
        dt.timedelta(seconds=seconds, microseconds=micro)
        for seconds, micro in [
            (7, 499_999),
            (86_400 * 2, 1),
            (1, 0),
            (7, 500_001),
            (3600, 0),
            (2, 999_999),
            (45_000, 250_000),
            (0, 1),
        ]
    ]
    for number, delay in enumerate(delays):
        shared = at(2 + number, 9, number) + dt.timedelta(microseconds=number * 7)
        quote, share = quote_shared_at(rep, shared)
        view_at(quote, share, shared + delay)
    # and a quote first shared in October (not in the cohort), viewed in November
    old, old_share = quote_shared_at(rep, at(20, month=10))
    view_at(old, old_share, at(1))

    even = figures(manager).median_to_first_view
    # and a ninth quote, making the count odd
    quote, share = quote_shared_at(rep, at(25))
    view_at(quote, share, at(25) + dt.timedelta(seconds=90, microseconds=123_456))
    odd = figures(manager).median_to_first_view

    seconds = [delay.total_seconds() for delay in delays]
    assert (
        even == dt.timedelta(seconds=round(statistics.median(seconds))) == dt.timedelta(seconds=8)
    )
    assert odd == dt.timedelta(seconds=round(statistics.median([*seconds, 90.123456])))
    assert odd == dt.timedelta(seconds=8)  # 7.500001 s


def test_hot_quotes_list_the_ten_strongest_and_count_them_all(manager, rep):
    # given twelve hot quotes: quote i has 2 + i % 4 views and 1 + i % 2 downloads
    quotes = []
    for number in range(12):
        quote, share = quote_shared_at(rep, at(2), title=f"Hot {number}")
        for view in range(2 + number % 4):
            view_at(quote, share, at(3, 8 + view))
        for download in range(1 + number % 2):
            record(quote, EventKind.PDF_DOWNLOADED, at(4, 8 + download), share=share)
        quotes.append((quote, 2 + number % 4, 1 + number % 2))

    stats = figures(manager)

    strongest = sorted(quotes, key=lambda row: (-row[1], -row[2], -row[0].pk))[:10]
    assert stats.hot_total == 12
    assert [(row.quote.pk, row.views, row.downloads) for row in stats.hot] == [
        (quote.pk, views, downloads) for quote, views, downloads in strongest
    ]
    assert stats.hot[0].first_shared_at == at(2)


def test_unseen_quotes_list_the_ten_shared_longest_ago_and_count_them_all(manager, rep):
    # given twelve open quotes never viewed, shared on 1..12 November, one also downloaded
    unseen = [quote_shared_at(rep, at(1 + number))[0] for number in range(12)]
    downloaded, download_share = quote_shared_at(rep, at(1, 6))
    record(downloaded, EventKind.PDF_DOWNLOADED, at(2), share=download_share)

    stats = figures(manager)

    assert stats.unseen_total == 13
    assert [row.quote.pk for row in stats.unseen] == [downloaded.pk] + [
        quote.pk for quote in unseen[:9]
    ]
    assert (stats.unseen[0].views, stats.unseen[0].downloads) == (0, 1)
    assert stats.unseen[1].first_shared_at == at(1)


def test_a_rep_whose_quotes_were_only_viewed_in_the_range_has_a_row_of_zeros(manager, company):
    # given Olga's quote shared in October and viewed in November, nothing else of hers
    olga = member(company, Role.REP, full_name="Olga Older")
    quote, share = quote_shared_at(olga, at(20, month=10))
    view_at(quote, share, at(2))
    # and Nina, whose quotes saw nothing at all in November
    nina = member(company, Role.REP, full_name="Nina None")
    quote_shared_at(nina, at(20, month=10))

    rows = figures(manager).reps

    assert [(row.name, row.shared, row.viewed, row.downloads, row.accepted) for row in rows] == [
        ("Olga Older", 0, 0, 0, 0)
    ]


def test_views_per_day_across_the_change_back_to_winter_time(manager, rep):
    # Berlin moves from UTC+2 back to UTC+1 at 01:00 UTC on 25 October 2026
    autumn = DateRange(first=dt.date(2026, 10, 24), last=dt.date(2026, 10, 26), zone=BERLIN)
    quote, share = quote_shared_at(rep, dt.datetime(2026, 10, 20, 9, tzinfo=UTC))
    view_at(quote, share, dt.datetime(2026, 10, 23, 22, 30, tzinfo=UTC))  # 00:30 CEST, 24th
    view_at(quote, share, dt.datetime(2026, 10, 24, 21, 59, tzinfo=UTC))  # 23:59 CEST, 24th
    view_at(quote, share, dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST, 25th
    view_at(quote, share, dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET, 25th
    view_at(quote, share, dt.datetime(2026, 10, 25, 22, 59, tzinfo=UTC))  # 23:59 CET, 25th
    view_at(quote, share, dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC))  # 00:00 CET, 26th
    view_at(quote, share, dt.datetime(2026, 10, 26, 23, 0, tzinfo=UTC))  # 27th: outside

    stats = figures(manager, autumn)

    assert {point.day: point.count for point in stats.views_per_day} == {
        dt.date(2026, 10, 24): 2,
        dt.date(2026, 10, 25): 3,
        dt.date(2026, 10, 26): 1,
    }
    assert stats.views == 6


@pytest.mark.parametrize(
    "zone_name", ["Europe/Berlin", "Asia/Kolkata", "America/Santiago", "Australia/Lord_Howe"]
)
def test_day_spans_cover_the_range_once_each_within_its_local_day(zone_name):
    zone = zoneinfo.ZoneInfo(zone_name)
    year = DateRange(first=dt.date(2026, 1, 1), last=dt.date(2026, 12, 31), zone=zone)

    spans = day_spans(year)

    assert spans[0][1] == year.start and spans[-1][2] == year.end
    for (_, _, until), (_, since, _) in itertools.pairwise(spans):
        assert until == since  # contiguous: no gap, no overlap
    for day, since, until in spans:
        assert since < until
        assert since.astimezone(zone).date() == day
        assert (until - dt.timedelta(microseconds=1)).astimezone(zone).date() == day
    assert sorted({day for day, _, _ in spans}) == [
        dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)
    ]


def test_a_rep_sees_only_their_own_views_per_day_and_totals(company, rep, manager):
    colleague = member(company, Role.REP, full_name="Colleague")
    mine, my_share = quote_shared_at(rep, at(3))
    view_at(mine, my_share, at(4))
    record(mine, EventKind.PDF_DOWNLOADED, at(4, 11), share=my_share)
    theirs, their_share = quote_shared_at(colleague, at(3))
    view_at(theirs, their_share, at(4))
    record(theirs, EventKind.LINK_OPENED, at(4, 12), share=their_share)
    record(theirs, EventKind.QUOTE_DECLINED, at(5), share=their_share)

    own = figures(rep)

    assert {point.day: point.count for point in own.views_per_day if point.count} == {
        dt.date(2026, 11, 4): 1
    }
    assert (own.views, own.pdf_downloads, own.scanner_opens, own.declined) == (1, 1, 0, 0)


def test_the_page_runs_five_queries_whatever_the_volume(manager, rep, django_assert_num_queries):
    for number in range(3):
        quote, share = quote_shared_at(rep, at(2 + number))
        view_at(quote, share, at(3 + number))
        view_at(quote, share, at(4 + number))
        record(quote, EventKind.PDF_DOWNLOADED, at(5 + number), share=share)
    quote_shared_at(rep, at(3))

    # totals per kind and day, per-quote figures, open pipeline, listed quotes, reps' names
    # (and on PostgreSQL, JIT turned off for the per-quote figures' transaction)
    with django_assert_num_queries(5 if connection.vendor == "sqlite" else 6):
        stats = figures(manager)

    assert (stats.hot_total, stats.unseen_total, stats.quotes_shared) == (3, 1, 4)
