"""Whose events and declines a member's Engagement page reads, and the range it covers."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from quotery.accounts.models import Membership, Role
from quotery.engagement.models import CompanyEventRollup, EventRollup, QuoteEvent
from quotery.quotes.models import Quote
from quotery.sharing.models import Decline

Span = tuple[dt.datetime, dt.datetime]


def _hour_floor(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def hour_split(since: dt.datetime, until: dt.datetime) -> tuple[Span, list[Span]]:
    """[since, until) cut into the whole UTC hours inside it (possibly empty: from ==
    until) and the parts of an hour before and after them (none when both ends are on
    the hour), so the whole hours can be counted from the hourly rollups and the parts
    from the events."""
    since, until = since.astimezone(dt.UTC), until.astimezone(dt.UTC)
    first = _hour_floor(since)
    if first < since:
        first += dt.timedelta(hours=1)
    last = max(_hour_floor(until), first)
    if first >= until:
        return (since, since), [(since, until)]
    edges = [(since, first)] if since < first else []
    if last < until:
        edges.append((last, until))
    return (first, last), edges


@dataclass(frozen=True)
class DateRange:
    """Local calendar days `first`..`last` (inclusive) in `zone`."""

    first: dt.date
    last: dt.date
    zone: zoneinfo.ZoneInfo

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=self.zone)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _readable_by[Row: models.Model](
    membership: Membership, rows: QuerySet[Row], owner: str = "quote__owner_id"
) -> QuerySet[Row]:
    """Managers and admins read the company's rows, a sales rep those of their own quotes
    (`owner`: the lookup of the row's quote's owner), anyone else (finance) none."""
    rows = rows.filter(company_id=membership.company_id)
    if membership.role == Role.REP:
        return rows.filter(**{owner: membership.user_id})
    if membership.role in {Role.MANAGER, Role.ADMIN}:
        return rows
    return rows.none()


def engagement_scope(membership: Membership) -> QuerySet[QuoteEvent]:
    """The events a member's Engagement page reads: managers and admins the whole
    company's, a sales rep the events of their own quotes. Finance has no such page."""
    return _readable_by(membership, QuoteEvent.objects.all())


def rollup_scope(membership: Membership) -> QuerySet[EventRollup]:
    """The event rollups a member's Engagement page reads, by the same rule as the events."""
    return _readable_by(membership, EventRollup.objects.all())


def hourly_totals_scope(
    membership: Membership,
) -> QuerySet[CompanyEventRollup] | QuerySet[EventRollup]:
    """The hourly counts a member's totals and views per day add up: the company's
    (`CompanyEventRollup`, a row per kind and hour) for managers and admins, the hourly
    rollups of their own quotes for a sales rep, none for anyone else."""
    if membership.role in {Role.MANAGER, Role.ADMIN}:
        return CompanyEventRollup.objects.filter(company_id=membership.company_id)
    return rollup_scope(membership)


@dataclass(frozen=True)
class Reader:
    """Whose quotes a member's figures cover: the company's, or one owner's in it."""

    company_id: int
    owner_id: int | None


def reader(membership: Membership) -> Reader | None:
    """The member's `Reader` by the same rule as the events; None for finance."""
    if membership.role == Role.REP:
        return Reader(membership.company_id, membership.user_id)
    if membership.role in {Role.MANAGER, Role.ADMIN}:
        return Reader(membership.company_id, None)
    return None


def quote_scope(membership: Membership) -> QuerySet[Quote]:
    """The quotes whose money a member's Engagement page adds up, by the same rule."""
    return _readable_by(membership, Quote.objects.all(), owner="owner_id")


def decline_scope(membership: Membership) -> QuerySet[Decline]:
    """The declines a member's Engagement page reads, by the same rule as the events."""
    return _readable_by(membership, Decline.objects.all())
