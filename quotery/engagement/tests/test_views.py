"""The Engagement page over HTTP: plans, roles, the date range, tenancy, escaping; and the
quote page's Engagement section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Plan, Role
from quotery.clients.factories import ClientFactory
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.payloads import PaymentStatusChanged
from quotery.engagement.selectors.quote import TIMELINE_LIMIT
from quotery.engagement.tests.conftest import quote_shared_at, record, shared, view_at, visit
from quotery.quotes.models import Quote

pytestmark = pytest.mark.django_db

URL = reverse("engagement:dashboard")


def recent(days_ago: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def hot_quote(owner, title="Hot quote", client=None):
    quote, share = quote_shared_at(owner, recent(5), title=title, client=client)
    view_at(quote, share, recent(4))
    view_at(quote, share, recent(3))
    record(quote, EventKind.PDF_DOWNLOADED, recent(3), share=share)
    return quote


def test_a_manager_on_pro_sees_the_figures_for_the_last_30_days(login, manager, rep):
    quote = hot_quote(rep)
    response = login(manager).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Views per day" in html
    assert quote.number in html  # listed as hot
    assert 'role="img"' in html and '<title id="views-per-day-title">Views per day</title>' in html
    assert html.count("<tr><td>") >= 30  # the chart's numbers as a table, a row per day
    assert 'aria-current="page">Engagement' in html


@pytest.mark.parametrize(
    "query",
    ["", "?from=2026-01-01&to=2026-01-31", "?from=garbage", "?from=2026-01-01&to=2028-01-01"],
)
def test_starter_plans_see_what_pro_would_give_whatever_the_query_string(
    login, company, manager, rep, query
):
    # given a Starter company with a hot quote
    company.plan = Plan.STARTER
    company.save()
    quote = hot_quote(rep)

    # when the manager opens the page, with or without a date range
    response = login(manager).get(URL + query)

    # then the page describes the Pro plan and holds no data at all
    html = response.content.decode()
    assert response.status_code == 200
    assert "comes with the Pro plan" in html
    assert quote.number not in html
    assert "Views per day" not in html and "<svg" not in html.split("<main", 1)[1]


def test_the_same_request_shows_data_once_the_company_is_on_pro(login, company, manager, rep):
    company.plan = Plan.STARTER
    company.save()
    quote = hot_quote(rep)
    http = login(manager)
    assert quote.number not in http.get(URL).content.decode()
    company.plan = Plan.PRO
    company.save()
    assert quote.number in http.get(URL).content.decode()


def test_finance_cannot_open_the_page_and_has_no_menu_item(login, finance):
    http = login(finance)
    assert http.get(URL).status_code == 404
    assert reverse("engagement:dashboard") not in http.get(reverse("quotes:list")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_rep_sees_their_own_quotes_only(login, company, rep):
    colleague = member(company, Role.REP, full_name="Colleague")
    mine = hot_quote(rep, title="Mine")
    theirs = hot_quote(colleague, title="Theirs")
    html = login(rep).get(URL).content.decode()
    assert "Your quotes" in html
    assert mine.number in html
    assert theirs.number not in html
    assert "Colleague" not in html


def test_admins_see_the_whole_company(login, company, admin_user, rep):
    quote = hot_quote(rep)
    html = login(admin_user).get(URL).content.decode()
    assert f"All quotes of {company.name}" in html
    assert quote.number in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=02/11/2026", "Enter the first day as a date like 2026-11-02."),
        ("?to=yesterday", "Enter the last day as a date like 2026-11-30."),
        ("?from=2026-11-30&to=2026-11-01", "is after the last day"),
        ("?from=2025-01-01&to=2026-11-30", "Choose at most 366 days"),
        ("?from=1999-12-31&to=2000-01-05", "Pick a day between 1 Jan 2000"),
    ],
)
def test_a_bad_date_range_gets_a_clear_message_and_no_figures(login, manager, rep, query, message):
    quote = hot_quote(rep)
    response = login(manager).get(URL + query)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert quote.number not in html and "Views per day" not in html


def test_a_chosen_range_shows_only_its_events(login, manager, rep):
    quote, share = quote_shared_at(rep, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), title="March")
    view_at(quote, share, dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC))
    http = login(manager)
    html = http.get(URL, {"from": "2026-03-01", "to": "2026-03-31"}).content.decode()
    assert "1 Mar 2026 to 31 Mar 2026" in html
    assert 'value="2026-03-01"' in html
    assert '<td>Tue 3 Mar 2026</td><td class="num">1</td>' in html
    april = http.get(URL, {"from": "2026-04-01", "to": "2026-04-30"}).content.decode()
    assert "<td>Tue 3 Mar 2026</td>" not in april


def test_security_23_the_page_never_counts_another_companys_events(
    login, manager, rep, other_company
):
    outsider = member(other_company, Role.REP, full_name="Outside Seller")
    theirs = hot_quote(outsider, title="Their quote")
    Quote.objects.filter(pk=theirs.pk).update(number="Q-OUTSIDE-1")
    html = login(manager).get(URL).content.decode()
    assert "Q-OUTSIDE-1" not in html and "Outside Seller" not in html
    assert "No hot quotes in this range." in html
    assert "No shared quotes in this range." in html


def test_client_and_quote_text_is_escaped_on_the_page(login, company, manager, rep):
    hostile = ClientFactory(company=company, name='<script>alert("x")</script>')
    hot_quote(rep, title="<img src=x onerror=alert(1)>", client=hostile)
    html = login(manager).get(URL).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# --- the quote page's Engagement section ----------------------------------------------------


def detail(quote):
    return reverse("quotes:detail", args=[quote.pk])


def test_the_section_shows_views_with_email_and_company_time(login, company, rep):
    share = shared(rep, email="anna@client.test")
    visit(share, downloads=1)
    visit(share)
    visit(share, seen=False)
    quote = Quote.objects.get(pk=share.quote_id)
    viewed = QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_VIEWED).first()
    assert viewed is not None
    local = timezone.localtime(viewed.occurred_at, company.zone)

    html = login(rep).get(detail(quote)).content.decode()

    section = html.split('id="engagement-heading"', 1)[1]
    assert "Strong buying signal" in section
    # the two views with only a download between them fold into one entry
    assert "Viewed 2 times</strong> · anna@client.test · revision 1" in section
    assert local.strftime("%-d %b %Y %H:%M") in section
    assert "PDF downloaded" in section
    assert "Opened by a link scanner or preview (1), not counted" in section


def test_the_section_offers_a_resend_when_the_client_may_not_have_seen_it(login, rep):
    share = shared(rep, email="anna@client.test")
    Quote.objects.filter(pk=share.quote_id).update(first_shared_at=recent(8))
    quote = Quote.objects.get(pk=share.quote_id)
    html = login(rep).get(detail(quote)).content.decode()
    assert "may not have seen it" in html
    resend = reverse("sharing:resend", args=[quote.pk, share.pk])
    assert f'action="{resend}"' in html
    assert "Resend to anna@client.test" in html


def test_the_section_escapes_what_clients_send(login, rep):
    share = shared(rep)
    quote = Quote.objects.get(pk=share.quote_id)
    record(quote, PaymentStatusChanged(previous="pending", status="<b>x</b>"), timezone.now())
    html = login(rep).get(detail(quote)).content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def count_queries(http, url):
    http.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def test_the_quote_page_runs_the_same_queries_for_3_or_300_events(login, rep, manager):
    # given a quote with a few events and one with hundreds
    small = shared(rep, email="small@client.test")
    visit(small)
    big = shared(rep, email="big@client.test")
    for i in range(2 * TIMELINE_LIMIT):
        visit(big, seen=i % 3 != 0, downloads=i % 2)
    Quote.objects.filter(pk=big.quote_id).update(first_shared_at=recent(9))
    http = login(manager)

    # then the detail page of both runs the same number of queries
    few = count_queries(http, reverse("quotes:detail", args=[small.quote_id]))
    many = count_queries(http, reverse("quotes:detail", args=[big.quote_id]))
    assert few == many, (few, many)


def test_the_section_adds_two_queries_and_a_third_only_to_offer_a_resend(login, rep):
    # given two quotes with events, one of them unseen for a week
    seen = shared(rep, email="seen@client.test")
    visit(seen)
    unseen = shared(rep, email="unseen@client.test")
    http = login(rep)
    with_view = count_queries(http, reverse("quotes:detail", args=[seen.quote_id]))
    Quote.objects.filter(pk=unseen.quote_id).update(first_shared_at=recent(8))
    with_resend = count_queries(http, reverse("quotes:detail", args=[unseen.quote_id]))
    assert with_resend == with_view + 1
