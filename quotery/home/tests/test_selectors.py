"""The start page's reads: each need, its order, role scoping, tenancy, time zones, money."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Membership, Role, User
from quotery.engagement.tests.conftest import BROWSER, shared, visit
from quotery.home.selectors import NEED_ROWS, Need, StartPage, start_page
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.services.answers import (
    client_message_post,
    quote_request_changes,
    rep_message_post,
)
from quotery.portal.tests.portal_fixtures import latest_revision_hash
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# A Tuesday morning in Berlin.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=BERLIN)


def needs(page: StartPage) -> dict[str, list[str]]:
    return {group.need: [row.quote.title for row in group.rows] for group in page.groups}


def read(user: User, now: dt.datetime = NOW) -> StartPage:
    return start_page(membership=user.membership, now=now)


def accept(share: PortalShare, now: dt.datetime | None = None) -> None:
    quote = Quote.objects.get(pk=share.quote_id)
    quote_accept(
        share=share,
        signer_name="Anna Client",
        signer_email=share.recipient_email,
        consent=True,
        revision_hash=latest_revision_hash(quote),
        request_meta=BROWSER,
        now=now,
    )


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_each_need_lists_its_quotes_once_in_order(rep, clock) -> None:
    # given, eight days ago: one quote shared and never viewed, one only fetched by a scanner
    clock.move_to(NOW - dt.timedelta(days=8))
    shared(rep, title="Unseen")
    visit(shared(rep, title="Scanner only"), seen=False)
    # and, three days ago, one shared but viewed since
    clock.move_to(NOW - dt.timedelta(days=3))
    visit(shared(rep, title="Viewed once"))
    clock.move_to(NOW)
    # and today: changes asked for, a message awaiting a reply, one answered, a hot quote,
    # one running out in three days, a draft, and one hot *and* running out
    quote_request_changes(
        share=shared(rep, title="Changes"), message="Fewer chairs", request_meta=BROWSER
    )
    client_message_post(
        share=shared(rep, title="Reply"), body="Any discount?", request_meta=BROWSER
    )
    answered = shared(rep, title="Answered")
    client_message_post(share=answered, body="Delivery date?", request_meta=BROWSER)
    rep_message_post(quote=Quote.objects.get(pk=answered.quote_id), user=rep, body="Friday.")
    hot = shared(rep, title="Hot")
    visit(hot, downloads=1)
    visit(hot)
    shared(rep, title="Expiring", valid_days=3)
    make_quote(owner=rep, title="Draft", valid_days=2)
    hot_and_expiring = shared(rep, title="Hot and expiring", valid_days=1)
    for _ in range(3):
        visit(hot_and_expiring, downloads=1)

    # when the rep's start page is read
    page = read(rep)

    # then each quote is listed once, under the first need that applies, in the page's order
    assert needs(page) == {
        Need.CHANGES: ["Changes"],
        Need.REPLY: ["Reply"],
        Need.HOT: ["Hot and expiring", "Hot"],
        Need.UNSEEN: ["Unseen", "Scanner only"],
        Need.EXPIRING: ["Expiring"],
    }
    assert [group.need for group in page.groups] == list(Need)
    assert page.needs == 7
    hot_row = page.groups[2].rows[1]
    assert (hot_row.views, hot_row.downloads) == (2, 1)
    unseen_row = page.groups[3].rows[0]
    assert unseen_row.resend_share_id == PortalShare.objects.get(quote__title="Unseen").pk
    assert page.groups[0].rows[0].client_wrote_at == NOW


def test_expiring_means_the_last_valid_day_is_within_the_next_seven_days(rep, clock) -> None:
    # given open quotes whose last valid day is today, in 5, 6 and 7 days
    for days in (0, 6, 7, 5):
        shared(rep, title=f"{days} days", valid_days=days)

    # then today the first three run out within 7 days (today included), soonest first
    assert needs(read(rep)) == {Need.EXPIRING: ["0 days", "5 days", "6 days"]}

    # and six days later, the two past their validity are no longer open
    clock.move_to(NOW + dt.timedelta(days=6))
    assert needs(read(rep, NOW + dt.timedelta(days=6))) == {Need.EXPIRING: ["6 days", "7 days"]}


def test_the_local_day_decides_at_midnight_in_the_company_zone(rep) -> None:
    # given a quote issued on 10 March (Berlin) valid for 7 days: its last day is 17 March
    with time_machine.travel(NOW, tick=False):
        shared(rep, title="Week", valid_days=7)
    # when it is 23:30 UTC on 10 March: already 11 March in Berlin
    late = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)
    with time_machine.travel(late, tick=False):
        # then 17 March is within the next seven local days (11..17 March)
        assert needs(read(rep, late)) == {Need.EXPIRING: ["Week"]}
    # and half an hour earlier in Berlin (22:30 UTC, still 10 March) it is not yet
    earlier = dt.datetime(2026, 3, 10, 22, 30, tzinfo=dt.UTC)
    with time_machine.travel(earlier, tick=False):
        assert needs(read(rep, earlier)) == {}


def test_a_need_shows_its_first_rows_and_counts_the_rest(rep, clock) -> None:
    for number in range(NEED_ROWS + 2):
        quote_request_changes(
            share=shared(rep, title=f"Changes {number}"), message="Less", request_meta=BROWSER
        )
        clock.shift(dt.timedelta(minutes=1))

    page = read(rep)

    group = page.groups[0]
    assert group.total == NEED_ROWS + 2
    assert group.more == 2
    # the client who has waited longest first
    assert [row.quote.title for row in group.rows] == [f"Changes {n}" for n in range(NEED_ROWS)]


def test_pipeline_and_won_this_month_in_exact_money(rep, clock) -> None:
    # given two open quotes in euros, one in pounds, a draft and an expired quote
    first = shared(rep, title="Open 1")
    shared(rep, title="Open 2", sections=2)
    shared(rep, title="Pounds", currency="GBP")
    make_quote(owner=rep, title="Draft")
    shared(rep, title="Expired", valid_days=0)
    # and two accepted in March, one on the last evening of February (local time)
    clock.move_to(dt.datetime(2026, 2, 28, 23, 30, tzinfo=BERLIN))
    accept(shared(rep, title="February"))
    clock.move_to(dt.datetime(2026, 2, 28, 23, 30, tzinfo=dt.UTC))  # 1 March, 00:30 Berlin
    accept(shared(rep, title="March 1"))
    clock.move_to(NOW)
    accept(shared(rep, title="March 2", sections=3))

    page = read(rep, NOW + dt.timedelta(days=1))

    # The factory's section: 1 x 19.99 at 7 % tax, 2 x 19.99 less 5 % at 20 %; tax is
    # rounded once per rate over all sections.
    one_section = Decimal("66.97")
    assert Quote.objects.get(pk=first.quote_id).total == one_section
    two_sections = Decimal("133.93")
    three_sections = Decimal("200.90")
    assert page.pipeline.main.currency == "EUR"
    assert page.pipeline.main.value == one_section + two_sections
    assert page.pipeline.main.count == 2
    assert [(a.currency, a.value, a.count) for a in page.pipeline.others] == [
        ("GBP", one_section, 1)
    ]
    assert page.pipeline.count == 3
    assert page.won.main.value == one_section + three_sections
    assert page.won.count == 2
    assert page.month_start == dt.date(2026, 3, 1)


def test_no_money_reads_zero_in_the_company_currency(rep, clock) -> None:
    page = read(rep)
    assert [(a.currency, a.value, a.count) for a in page.pipeline.amounts] == [
        ("EUR", Decimal(0), 0)
    ]
    assert page.won.main.value == Decimal(0)
    assert page.groups == []


def test_reps_read_their_own_managers_all_finance_the_won(
    rep: User, manager: User, finance: User, clock
) -> None:
    # given a colleague's quote with changes requested, and the rep's own accepted quote
    colleague = member(rep.membership.company, Role.REP)
    quote_request_changes(
        share=shared(colleague, title="Colleague's"), message="Less", request_meta=BROWSER
    )
    quote_request_changes(share=shared(rep, title="Own"), message="More", request_meta=BROWSER)
    accept(shared(rep, title="Won"))

    # then the rep sees their own, the manager both, finance only the won value
    assert needs(read(rep)) == {Need.CHANGES: ["Own"]}
    assert needs(read(manager)) == {Need.CHANGES: ["Colleague's", "Own"]}
    assert read(colleague).won.count == 0
    for_finance = read(finance)
    assert for_finance.groups == [] and not for_finance.sees_open_quotes
    assert for_finance.won.count == 1 and for_finance.pipeline.count == 0


def test_another_company_is_never_read(rep, manager, clock) -> None:
    # given another company's rep with every kind of need and money
    stranger = member(CompanyFactory(), Role.REP)
    quote_request_changes(share=shared(stranger), message="Less", request_meta=BROWSER)
    shared(stranger, valid_days=2)
    accept(shared(stranger))

    # then our manager's page is empty
    page = read(manager)
    assert page.groups == []
    assert page.pipeline.count == 0 and page.won.count == 0


def test_the_page_reads_in_seven_queries_however_many_quotes(
    rep, manager, clock, django_assert_num_queries
) -> None:
    # the membership with its company, as the middleware gives it to the view
    membership = Membership.objects.select_related("company").get(user=manager)
    with django_assert_num_queries(6):  # nothing needs anyone: no rows to read
        start_page(membership=membership, now=NOW)
    for number in range(3):
        quote_request_changes(
            share=shared(rep, title=f"C{number}"), message="Less", request_meta=BROWSER
        )
        visit(shared(rep, title=f"H{number}", valid_days=3), downloads=1)
        accept(shared(rep, title=f"W{number}"))
    with django_assert_num_queries(7):
        page = start_page(membership=membership, now=NOW)
    assert page.needs == 6
