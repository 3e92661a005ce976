"""When reminders fall due: pure computation, no database.

Times are computed on the wall clock of the company's time zone: "3 days after sharing at
10:00" is 10:00 local three days later, whether or not the clocks changed in between, and a
reminder that falls outside working hours waits for the next working day's start (09:00
local is a different UTC time in winter and summer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from quotery.quotes.models import end_of_validity
from quotery.reminders.models import ReminderReason

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class WorkingHours:
    zone: ZoneInfo
    days: frozenset[int]  # ISO weekdays, 1 = Monday
    starts: dt.time
    ends: dt.time

    def describe(self) -> str:
        """'Monday to Friday, 09:00-17:00 (Europe/Berlin)'."""
        days = sorted(self.days)
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            named = f"{WEEKDAY_NAMES[days[0] - 1]} to {WEEKDAY_NAMES[days[-1] - 1]}"
        else:
            named = ", ".join(WEEKDAY_NAMES[day - 1] for day in days)
        return f"{named}, {self.starts:%H:%M}-{self.ends:%H:%M} ({self.zone.key})"


def local_at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`time` on `day` in `zone`, in UTC. A time the clocks skip (02:30 on the spring
    change) reads as the moment after the gap, as zoneinfo resolves it."""
    return dt.datetime.combine(day, time, zone).astimezone(dt.UTC)


def next_working_moment(moment: dt.datetime, hours: WorkingHours) -> dt.datetime:
    """`moment` itself when it falls in working hours; otherwise the start of the next
    working period (later the same day, or the next working day). In UTC."""
    local = moment.astimezone(hours.zone)
    day = local.date()
    for _ in range(8):
        if day.isoweekday() in hours.days:
            starts = local_at(day, hours.starts, hours.zone)
            ends = local_at(day, hours.ends, hours.zone)
            if moment < starts:
                return starts
            if moment < ends:
                return moment.astimezone(dt.UTC)
        day += dt.timedelta(days=1)
    raise ValueError("Working hours need at least one working day.")


def days_later(moment: dt.datetime, days: int, zone: ZoneInfo) -> dt.datetime:
    """The same wall-clock time `days` calendar days later in `zone`, in UTC."""
    local = moment.astimezone(zone)
    later = local.replace(tzinfo=None) + dt.timedelta(days=days)
    return later.replace(tzinfo=zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class Schedule:
    """Which reminders a quote's recipients get: `after_share_days` without a counted view,
    and one `before_expiry_days` before the validity ends (0: none)."""

    after_share_days: tuple[int, ...]
    before_expiry_days: int
    hours: WorkingHours

    @property
    def is_empty(self) -> bool:
        return not self.after_share_days and not self.before_expiry_days


@dataclass(frozen=True)
class Slot:
    key: str
    reason: str  # a ReminderReason value
    days: int
    due_at: dt.datetime  # in working hours, UTC


@dataclass(frozen=True)
class ShareFacts:
    """What decides one share's reminders, read from the database."""

    last_sent_at: dt.datetime
    send_count: int
    valid_until: dt.date
    viewed_since_sent: bool  # a counted view (the page's script confirmed it)
    answered_since_sent: bool  # a client's change request or message


def slots_for_share(facts: ShareFacts, schedule: Schedule) -> list[Slot]:
    """Every reminder the schedule plans for the share since its last sending, earliest
    first, whether or not already taken. Nothing once the client answered; no "not viewed"
    reminder once they viewed; nothing due at or after the quote expires, and no "expires
    soon" reminder that was due before the share was sent."""
    if facts.answered_since_sent:
        return []
    hours = schedule.hours
    expires_at = end_of_validity(facts.valid_until, hours.zone)
    slots: list[Slot] = []
    if not facts.viewed_since_sent:
        for days in schedule.after_share_days:
            due = next_working_moment(days_later(facts.last_sent_at, days, hours.zone), hours)
            slots.append(
                Slot(f"s{facts.send_count}:after:{days}", ReminderReason.NO_VIEW, days, due)
            )
    if schedule.before_expiry_days:
        days = schedule.before_expiry_days
        planned = days_later(expires_at, -days, hours.zone)
        if planned >= facts.last_sent_at:
            due = next_working_moment(planned, hours)
            key = f"v{facts.valid_until.isoformat()}:before:{days}"
            slots.append(Slot(key, ReminderReason.BEFORE_EXPIRY, days, due))
    return sorted((slot for slot in slots if slot.due_at < expires_at), key=lambda s: s.due_at)


def due_slots(slots: Iterable[Slot], taken: set[str], now: dt.datetime) -> list[Slot]:
    """The slots due by `now` and not yet taken, earliest first."""
    return [slot for slot in slots if slot.due_at <= now and slot.key not in taken]


def next_slot(slots: Iterable[Slot], taken: set[str], now: dt.datetime) -> Slot | None:
    """The first slot still to come (for the quote page's "next reminder")."""
    return next((slot for slot in slots if slot.due_at > now and slot.key not in taken), None)
