"""The quote pages run a constant number of SQL queries, however many quotes or lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.quotes.inputs import LineInput, SectionInput
from quotery.quotes.models import DeliveryNote, Quote, QuoteState
from quotery.quotes.services.quotes import quote_create, quote_mark_sent, quote_update
from quotery.quotes.tests.conftest import quote_input

pytestmark = pytest.mark.django_db


def count_queries(client, url: str, params: dict[str, str] | None = None) -> int:
    client.get(url, params or {})  # warm up per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(queries)


def add_quotes(company, owners, clients, count: int, start: int) -> None:
    """Quotes as rows (the list reads nothing else), spread over owners, clients and states."""
    states = list(QuoteState.values)
    Quote.objects.bulk_create(
        Quote(
            company=company,
            number=f"Q-2026-{start + i:04d}",
            client=clients[i % len(clients)],
            contact=clients[i % len(clients)].contacts.first(),
            owner=owners[i % len(owners)],
            title=f"Quote {start + i}",
            currency="EUR",
            issue_date=dt.date(2026, 11, 2),
            valid_until=dt.date(2026, 11, 30),
            state=states[i % len(states)],
            total=Decimal("100.00") + i,
        )
        for i in range(count)
    )


LIST_VIEWS: list[dict[str, str]] = [
    {},
    {"state": str(QuoteState.SENT)},
    {"q": "Client"},
    {"page": "2"},
]


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_quote_list_queries_do_not_grow_from_10_to_500_quotes(
    login, request, company, rep, django_assert_max_num_queries, who
):
    user = request.getfixturevalue(who)
    owners = [rep, user, member(company, Role.REP)]
    clients = []
    for _ in range(7):
        client_row = ClientFactory(company=company)
        ContactFactory(client=client_row, company=company)
        clients.append(client_row)
    http = login(user)
    url = reverse("quotes:list")
    # given 10 quotes
    add_quotes(company, owners, clients, 10, start=1)
    small = {str(p): count_queries(http, url, p) for p in LIST_VIEWS}
    # when there are 500
    add_quotes(company, owners, clients, 490, start=11)
    # then every view of the list runs the same number of queries
    for params in LIST_VIEWS:
        with django_assert_max_num_queries(small[str(params)]) as big:
            assert http.get(url, params).status_code == 200
        assert len(big) == small[str(params)], params


def quote_with_lines(owner, client, count: int, products) -> Quote:
    """A shared, edited quote (two revisions) with `count` lines in 4 sections, half of them
    from the catalog, and a delivery note: everything the detail page shows."""
    lines = [
        LineInput(
            description=f"Line {i}",
            quantity=Decimal(i % 7 + 1),
            unit_price=Decimal("19.99"),
            discount_percent=Decimal(i % 3 * 5),
            tax_rate=Decimal([20, 7, 0][i % 3]),
            product=products[i % len(products)] if i % 2 else None,
        )
        for i in range(count)
    ]
    per_section = -(-count // 4)
    data = quote_input(client, client.contacts.first())
    data.sections = [
        SectionInput(title=f"Part {s + 1}", lines=lines[s * per_section : (s + 1) * per_section])
        for s in range(4)
    ]
    company = owner.membership.company
    quote = quote_create(company=company, owner=owner, data=data)
    quote_mark_sent(quote=quote, user=owner)
    data.title = "Edited"
    quote_update(quote=quote, data=data, user=owner)
    DeliveryNote.objects.create(company=company, quote=quote, number=f"D-{quote.pk}")
    return quote


@pytest.fixture
def small_and_big(company, rep):
    client_row = ClientFactory(company=company)
    ContactFactory(client=client_row, company=company)
    products = [ProductFactory(company=company) for _ in range(12)]
    return (
        quote_with_lines(rep, client_row, 5, products),
        quote_with_lines(rep, client_row, 200, products),
    )


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_quote_detail_queries_do_not_grow_from_5_to_200_lines(
    login, request, small_and_big, django_assert_max_num_queries, who
):
    small, big = small_and_big
    http = login(request.getfixturevalue(who))
    small_count = count_queries(http, reverse("quotes:detail", args=[small.pk]))
    with django_assert_max_num_queries(small_count) as queries:
        assert http.get(reverse("quotes:detail", args=[big.pk])).status_code == 200
    assert len(queries) == small_count
    # 16: the Engagement section first looks for opens the portal recorded but has not
    # chained yet (and chains them when there are some), so it shows every one; 3 more for
    # the Reminders panel (the company's schedule, the quote's own, its live links)
    assert small_count <= 19, small_count


def test_quote_edit_page_queries_do_not_grow_from_5_to_200_lines(
    login, rep, small_and_big, django_assert_max_num_queries
):
    small, big = small_and_big
    http = login(rep)
    small_count = count_queries(http, reverse("quotes:edit", args=[small.pk]))
    with django_assert_max_num_queries(small_count) as queries:
        assert http.get(reverse("quotes:edit", args=[big.pk])).status_code == 200
    assert len(queries) == small_count
    assert small_count <= 15, small_count


def test_the_200_line_quote_shows_every_line(login, rep, small_and_big):
    _, big = small_and_big
    html = login(rep).get(reverse("quotes:detail", args=[big.pk])).content.decode()
    assert "Line 0" in html and "Line 199" in html
