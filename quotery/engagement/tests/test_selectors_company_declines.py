"""Decline reasons on the Engagement page: counted per reason over the range, from the
declines themselves, scoped to the company and to what the member may see (SECURITY.md 23)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Plan, Role
from quotery.engagement.selectors import DateRange
from quotery.engagement.selectors.company import decline_reasons
from quotery.portal.services.answers import quote_decline
from quotery.portal.tests.portal_fixtures import CLIENT_META, share_quote
from quotery.sharing.models import Decline

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOVEMBER = DateRange(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 30), zone=BERLIN)


def declined(owner, reason: str, at: dt.datetime | None = None, email="anna@client.test"):  # type: ignore[no-untyped-def]
    shared = share_quote(owner, email=email)
    row = quote_decline(share=shared.share, reason=reason, detail="", request_meta=CLIENT_META)
    if at is not None:
        Decline.objects.filter(pk=row.pk).update(declined_at=at)
    return row


def counts(user, date_range=NOVEMBER) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        row.label: row.count
        for row in decline_reasons(membership=user.membership, date_range=date_range)
    }


def nov(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC)


def test_each_reason_is_counted_over_the_range(manager, rep):
    # given declines in November for price (twice), timing, none, and one in October
    declined(rep, "price", nov(3))
    declined(rep, "price", nov(20))
    declined(rep, "timing", nov(30, 20))  # 21:00 in Berlin, still 30 November
    declined(rep, "", nov(10))
    # 00:30 on 1 November in Berlin (CET, UTC+1) counts; 23:30 on 31 October does not
    declined(rep, "other_supplier", dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC))
    declined(rep, "not_needed", dt.datetime(2026, 10, 31, 22, 30, tzinfo=dt.UTC))

    # then the manager sees every reason in the list's order, zeros included
    assert counts(manager) == {
        "Price": 2,
        "Timing": 1,
        "Chose another supplier": 1,
        "No longer needed": 0,
        "Other": 0,
        "No reason given": 1,
    }


def test_nothing_declined_gives_no_rows(manager, rep):
    declined(rep, "price", dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC))
    assert counts(manager) == {}


def test_a_rep_counts_their_own_quotes_the_manager_all_finance_none(company, manager, rep):
    other_rep = member(company, Role.REP)
    declined(rep, "price", nov(3))
    declined(other_rep, "timing", nov(4))
    assert counts(manager)["Price"] == 1 and counts(manager)["Timing"] == 1
    assert counts(rep)["Price"] == 1 and counts(rep)["Timing"] == 0
    assert counts(member(company, Role.FINANCE)) == {}


def test_security_23_another_companys_declines_never_count(manager, other_company):
    stranger = member(other_company, Role.REP)
    declined(stranger, "price", nov(3))
    assert counts(manager) == {}


def test_the_page_shows_the_reasons_table(login, manager, rep):
    declined(rep, "other_supplier")
    html = login(manager).get(reverse("engagement:dashboard")).content.decode()
    assert '<h2 id="decline-reasons-heading">Decline reasons</h2>' in html
    assert '<tr><th scope="row">Chose another supplier</th><td class="num">1</td></tr>' in html


def test_the_page_says_so_when_nothing_was_declined(login, manager):
    html = login(manager).get(reverse("engagement:dashboard")).content.decode()
    assert "No quotes were declined in this range." in html


def test_starter_plans_see_no_reasons(login, company, manager, rep):
    company.plan = Plan.STARTER
    company.save()
    declined(rep, "other_supplier")
    html = login(manager).get(reverse("engagement:dashboard")).content.decode()
    assert "Chose another supplier" not in html
