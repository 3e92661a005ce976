"""Whose events and declines a member's Engagement page reads, and the range it covers."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from quotery.accounts.models import Membership, Role
from quotery.engagement.models import QuoteEvent
from quotery.sharing.models import Decline


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


def _readable_by[Row: models.Model](membership: Membership, rows: QuerySet[Row]) -> QuerySet[Row]:
    """Managers and admins read the company's rows, a sales rep those of their own quotes,
    anyone else (finance) none."""
    rows = rows.filter(company_id=membership.company_id)
    if membership.role == Role.REP:
        return rows.filter(quote__owner_id=membership.user_id)
    if membership.role in {Role.MANAGER, Role.ADMIN}:
        return rows
    return rows.none()


def engagement_scope(membership: Membership) -> QuerySet[QuoteEvent]:
    """The events a member's Engagement page reads: managers and admins the whole
    company's, a sales rep the events of their own quotes. Finance has no such page."""
    return _readable_by(membership, QuoteEvent.objects.all())


def decline_scope(membership: Membership) -> QuerySet[Decline]:
    """The declines a member's Engagement page reads, by the same rule as the events."""
    return _readable_by(membership, Decline.objects.all())
