"""When reminders fall due: working hours on the company's wall clock, across the clock
changes of Europe/Berlin and Europe/London, and past weekends. Expected instants are
written out in UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from quotery.reminders.schedule import (
    Schedule,
    ShareFacts,
    WorkingHours,
    days_later,
    due_slots,
    next_working_moment,
    slots_for_share,
)

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def hours(zone: ZoneInfo = BERLIN) -> WorkingHours:
    return WorkingHours(zone=zone, days=WEEKDAYS, starts=dt.time(9), ends=dt.time(17))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Wednesday 11:00 in Berlin (winter, UTC+1): in hours, unchanged
        (utc(2026, 12, 9, 10, 0), utc(2026, 12, 9, 10, 0)),
        # Wednesday 07:30 local: waits for 09:00 local the same day
        (utc(2026, 12, 9, 6, 30), utc(2026, 12, 9, 8, 0)),
        # Wednesday 17:00 local sharp: the day is over, Thursday 09:00
        (utc(2026, 12, 9, 16, 0), utc(2026, 12, 10, 8, 0)),
        # Friday 18:00 local: Monday 09:00
        (utc(2026, 12, 11, 17, 0), utc(2026, 12, 14, 8, 0)),
        # Saturday noon: Monday 09:00
        (utc(2026, 12, 12, 11, 0), utc(2026, 12, 14, 8, 0)),
        # Sunday 28 March 2027 (clocks go forward at 02:00): Monday 09:00 CEST is 07:00 UTC
        (utc(2027, 3, 28, 10, 0), utc(2027, 3, 29, 7, 0)),
        # Sunday 31 October 2027 (clocks go back at 03:00): Monday 09:00 CET is 08:00 UTC
        (utc(2027, 10, 31, 10, 0), utc(2027, 11, 1, 8, 0)),
    ],
    ids=["in-hours", "early", "at-end", "friday-evening", "weekend", "spring", "autumn"],
)
def test_next_working_moment_in_berlin(moment, expected):
    assert next_working_moment(moment, hours()) == expected


def test_next_working_moment_in_london_across_the_autumn_change():
    # Friday 23 October 2026, 18:00 BST (17:00 UTC) -> Monday 26 October 09:00 GMT
    assert next_working_moment(utc(2026, 10, 23, 17, 0), hours(LONDON)) == utc(2026, 10, 26, 9, 0)
    # and in spring: Friday 26 March 2027 20:00 GMT -> Monday 29 March 09:00 BST (08:00 UTC)
    assert next_working_moment(utc(2027, 3, 26, 20, 0), hours(LONDON)) == utc(2027, 3, 29, 8, 0)


def test_days_later_keeps_the_wall_clock_across_a_clock_change():
    # Friday 26 March 2027, 10:00 CET (09:00 UTC) + 3 days = Monday 10:00 CEST (08:00 UTC)
    assert days_later(utc(2027, 3, 26, 9, 0), 3, BERLIN) == utc(2027, 3, 29, 8, 0)
    # London, Friday 23 October 2026 16:30 BST + 3 days = Monday 16:30 GMT
    assert days_later(utc(2026, 10, 23, 15, 30), 3, LONDON) == utc(2026, 10, 26, 16, 30)


def test_a_working_week_of_other_days_and_hours():
    sunday_to_thursday = WorkingHours(
        zone=ZoneInfo("Asia/Dubai"),
        days=frozenset({7, 1, 2, 3, 4}),
        starts=dt.time(8),
        ends=dt.time(16),
    )
    # Friday 11 December 2026 10:00 in Dubai (UTC+4) -> Sunday 13 December 08:00
    assert next_working_moment(utc(2026, 12, 11, 6, 0), sunday_to_thursday) == utc(
        2026, 12, 13, 4, 0
    )
    assert sunday_to_thursday.describe() == (
        "Monday, Tuesday, Wednesday, Thursday, Sunday, 08:00-16:00 (Asia/Dubai)"
    )
    assert hours().describe() == "Monday to Friday, 09:00-17:00 (Europe/Berlin)"


def facts(sent: dt.datetime, valid_until: dt.date, **kwargs: bool) -> ShareFacts:
    return ShareFacts(
        last_sent_at=sent,
        send_count=1,
        valid_until=valid_until,
        viewed_since_sent=kwargs.get("viewed", False),
        answered_since_sent=kwargs.get("answered", False),
    )


DEFAULT = Schedule(after_share_days=(3, 7), before_expiry_days=3, hours=hours())


def test_the_default_schedule_of_a_quote_shared_on_a_thursday_evening():
    # shared Thursday 10 December 2026, 18:00 Berlin; valid until Thursday 31 December
    shared = facts(utc(2026, 12, 10, 17, 0), dt.date(2026, 12, 31))
    slots = slots_for_share(shared, DEFAULT)
    assert [(slot.key, slot.due_at) for slot in slots] == [
        # +3 days is Sunday 18:00: Monday 14 December 09:00 local
        ("s1:after:3", utc(2026, 12, 14, 8, 0)),
        # +7 days is Thursday 17 December 18:00, after hours: Friday 09:00
        ("s1:after:7", utc(2026, 12, 18, 8, 0)),
        # 3 days before the end of the 31st: Tuesday 29 December, 00:00 -> 09:00
        ("v2026-12-31:before:3", utc(2026, 12, 29, 8, 0)),
    ]


def test_a_viewed_share_keeps_only_the_expiry_reminder_and_an_answered_one_none():
    sent, until = utc(2026, 12, 10, 17, 0), dt.date(2026, 12, 31)
    viewed = slots_for_share(facts(sent, until, viewed=True), DEFAULT)
    assert [slot.key for slot in viewed] == ["v2026-12-31:before:3"]
    assert slots_for_share(facts(sent, until, answered=True), DEFAULT) == []


def test_no_reminder_is_due_at_or_after_expiry_nor_before_the_share():
    # shared Monday 21 December, valid until Wednesday 23rd: the day-3 and day-7 steps fall
    # after expiry; "3 days before expiry" (Monday 00:00) came before the share (10:00)
    shared = facts(utc(2026, 12, 21, 9, 0), dt.date(2026, 12, 23))
    assert slots_for_share(shared, DEFAULT) == []


def test_a_slot_that_falls_on_a_weekend_moves_to_monday_and_late_runs_pass_over_earlier():
    # valid until Monday 4 January 2027: "2 days before" is Saturday 2nd 00:00 -> Monday 09:00,
    # which is still before the end of the 4th
    schedule = Schedule(after_share_days=(1,), before_expiry_days=2, hours=hours())
    shared = facts(utc(2026, 12, 30, 9, 0), dt.date(2027, 1, 4))
    slots = slots_for_share(shared, schedule)
    assert [(slot.key, slot.due_at) for slot in slots] == [
        ("s1:after:1", utc(2026, 12, 31, 9, 0)),
        ("v2027-01-04:before:2", utc(2027, 1, 4, 8, 0)),
    ]
    # a sweep on Monday 4 January 10:00 local finds both due, earliest first
    due = due_slots(slots, set(), utc(2027, 1, 4, 9, 0))
    assert [slot.key for slot in due] == ["s1:after:1", "v2027-01-04:before:2"]
    assert due_slots(slots, {"s1:after:1"}, utc(2026, 12, 31, 9, 0)) == []
