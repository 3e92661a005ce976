"""A quote shared at a pinned moment, so each test knows when its reminders fall due."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.portal.tests.portal_fixtures import Shared, share_quote

UTC = dt.UTC
# Thursday 10 December 2026, 10:00 in Berlin (CET, UTC+1).
SHARED_AT = dt.datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
# Monday 14 December 09:30 Berlin: the first working moment after "3 days after sharing".
DAY_3 = dt.datetime(2026, 12, 14, 8, 30, tzinfo=UTC)


@pytest.fixture
def berlin(company: Company) -> Company:
    company.time_zone = "Europe/Berlin"
    company.save()
    return company


@pytest.fixture
def rita(berlin: Company) -> User:
    return member(berlin, Role.REP, full_name="Rita Rep", email="rita@northwind.example")


@pytest.fixture
def shared(rita: User) -> Shared:
    """Rita's quote shared with Anna on Thursday 10 December 2026 (valid 30 days)."""
    with time_machine.travel(SHARED_AT, tick=False):
        return share_quote(rita)


def at(moment: dt.datetime):  # type: ignore[no-untyped-def]
    """The clock pinned at `moment` (ticking, so a page's view token stays fresh)."""
    return time_machine.travel(moment, tick=True)
