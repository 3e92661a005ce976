"""Days that are easy to get wrong: daylight-saving changes, the end of a year and a leap
day, with the clock pinned so the answers are the same whatever day the suite runs on."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote, QuoteState, end_of_validity
from quotery.quotes.services.quotes import quote_expire_due
from quotery.quotes.tests.conftest import force_state

UTC = dt.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("valid_until", "ends_at_utc"),
    [
        # 25 Oct 2026 has 25 hours in Berlin (CEST -> CET): it ends at 23:00 UTC.
        (dt.date(2026, 10, 25), dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
        # 28 Mar 2027 has 23 hours (CET -> CEST): it ends at 22:00 UTC.
        (dt.date(2027, 3, 28), dt.datetime(2027, 3, 28, 22, 0, tzinfo=UTC)),
        # The day before each change ends at the other offset.
        (dt.date(2026, 10, 24), dt.datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),
        (dt.date(2027, 3, 27), dt.datetime(2027, 3, 27, 23, 0, tzinfo=UTC)),
        # A leap day and a year end.
        (dt.date(2028, 2, 29), dt.datetime(2028, 2, 29, 23, 0, tzinfo=UTC)),
        (dt.date(2026, 12, 31), dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC)),
    ],
)
def test_a_day_ends_at_local_midnight_across_clock_changes(valid_until, ends_at_utc):
    assert end_of_validity(valid_until, BERLIN) == ends_at_utc


def sent_quote_valid_until(valid_until: dt.date, *, zone: str = "Europe/Berlin") -> Quote:
    company = CompanyFactory(time_zone=zone)
    quote = make_quote(
        owner=member(company, Role.REP),
        issue_date=valid_until - dt.timedelta(days=20),
        valid_days=20,
    )
    return force_state(quote, QuoteState.SENT)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("valid_until", "ends_at_utc"),
    [
        (dt.date(2026, 10, 25), dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
        (dt.date(2027, 3, 28), dt.datetime(2027, 3, 28, 22, 0, tzinfo=UTC)),
        (dt.date(2028, 2, 29), dt.datetime(2028, 2, 29, 23, 0, tzinfo=UTC)),
    ],
    ids=["autumn-change", "spring-change", "leap-day"],
)
def test_the_expiry_task_reads_the_pinned_clock_on_days_of_23_25_and_29(valid_until, ends_at_utc):
    # given a sent quote valid until a day on which the clocks change (or a leap day)
    quote = sent_quote_valid_until(valid_until)
    # when the task runs a second before the day ends, nothing expires
    with time_machine.travel(ends_at_utc - SECOND, tick=False):
        assert quote_expire_due() == 0
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.SENT
    # and when it runs at local midnight, the quote expires
    with time_machine.travel(ends_at_utc, tick=False):
        assert quote_expire_due() == 1
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.EXPIRED


@pytest.mark.django_db
def test_a_quote_made_at_new_year_is_numbered_by_the_companys_local_year():
    # given the last half hour of 2026 in UTC: already 2027 in Berlin, still 2026 in LA
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        berlin = make_quote(owner=member(CompanyFactory(time_zone="Europe/Berlin")))
        los_angeles = make_quote(owner=member(CompanyFactory(time_zone="America/Los_Angeles")))
    # then each quote is issued on its company's own date and numbered in that year
    assert (berlin.issue_date, berlin.number) == (dt.date(2027, 1, 1), "Q-2027-0001")
    assert (los_angeles.issue_date, los_angeles.number) == (
        dt.date(2026, 12, 31),
        "Q-2026-0001",
    )
