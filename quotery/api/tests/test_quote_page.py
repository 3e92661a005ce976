"""The API's quote list page (one hand-written query) against the ORM: any filters, any page
size, followed cursor by cursor, give exactly the company's matching quotes in the ORM's
order, row for row, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Company, Role
from quotery.api.pagination import BadParameter
from quotery.api.selectors import QUOTE_ORDER, SUMMARY_FIELDS, quote_summary_page
from quotery.clients.factories import ClientFactory
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db

STATES = [QuoteState.DRAFT, QuoteState.SENT, QuoteState.ACCEPTED]


@pytest.fixture
def quotes(company: Company) -> dict[str, Any]:
    """Twelve quotes of the company (two clients, two owners, three states; created_at
    ties, so the id decides the order) and two of another company."""
    admin, rep = member(company, Role.ADMIN), member(company, Role.REP)
    clients = [ClientFactory(company=company), ClientFactory(company=company)]
    now = timezone.now().replace(microsecond=0)
    made = []
    for i in range(12):
        quote = make_quote(owner=(admin, rep)[i % 2], client=clients[i % 3 % 2])
        Quote.objects.filter(pk=quote.pk).update(
            state=STATES[i % 3],
            created_at=now - dt.timedelta(hours=i // 3),  # three quotes each hour
            updated_at=now - dt.timedelta(minutes=7 * i),
        )
        made.append(quote)
    other = CompanyFactory()
    for _ in range(2):
        make_quote(owner=member(other, Role.ADMIN))
    return {"owners": [admin, rep], "clients": clients, "now": now}


def orm_rows(company: Company, **filters: Any) -> list[dict[str, Any]]:
    return list(
        Quote.objects.filter(company=company, **filters)
        .order_by(*QUOTE_ORDER)
        .values(*SUMMARY_FIELDS)
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    limit=st.integers(1, 14),
    state=st.sampled_from([None, *STATES]),
    client=st.sampled_from([None, 0, 1]),
    owner=st.sampled_from([None, 0, 1]),
    minutes=st.sampled_from([None, 0, 20, 45, 200]),
)
def test_every_page_followed_to_the_end_gives_what_the_orm_gives(
    company: Company,
    quotes: dict[str, Any],
    limit: int,
    state: str | None,
    client: int | None,
    owner: int | None,
    minutes: int | None,
) -> None:
    orm: dict[str, Any] = {}
    page_filters: dict[str, Any] = {}
    if state is not None:
        orm["state"] = page_filters["status"] = state
    if client is not None:
        orm["client_id"] = page_filters["client_id"] = quotes["clients"][client].pk
    if owner is not None:
        orm["owner_id"] = page_filters["owner_id"] = quotes["owners"][owner].pk
    if minutes is not None:
        since = quotes["now"] - dt.timedelta(minutes=minutes)
        orm["updated_at__gte"] = page_filters["updated_since"] = since

    rows, cursor, pages = [], None, 0
    while pages <= 14:  # 14 quotes at most: a cursor that never moves on fails below
        page = quote_summary_page(company_id=company.pk, cursor=cursor, limit=limit, **page_filters)
        assert len(page.items) <= limit
        rows += page.items
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(page.items) == limit
    assert cursor is None
    expected = orm_rows(company, **orm)
    assert rows == expected
    assert pages == max(1, -(-len(expected) // limit))


def test_the_rows_hold_the_summary_fields_typed_as_the_orm_types_them(
    company: Company, quotes: dict[str, Any]
) -> None:
    (row,) = quote_summary_page(company_id=company.pk, limit=1).items
    (expected,) = orm_rows(company)[:1]
    assert set(row) == set(SUMMARY_FIELDS)
    assert {name: type(value) for name, value in row.items()} == {
        name: type(value) for name, value in expected.items()
    }


def test_another_companys_cursor_or_a_forged_one_shows_nothing_of_it(
    company: Company, quotes: dict[str, Any]
) -> None:
    other = Company.objects.exclude(pk=company.pk).get()
    first = quote_summary_page(company_id=other.pk, limit=1)
    assert first.next_cursor is not None
    mine = quote_summary_page(company_id=company.pk, cursor=first.next_cursor, limit=50)
    assert {row["company_id"] for row in mine.items} <= {company.pk}
    with pytest.raises(BadParameter):
        quote_summary_page(company_id=company.pk, cursor="W10", limit=5)


def test_a_company_without_quotes_has_one_empty_page(quotes: dict[str, Any]) -> None:
    empty = CompanyFactory()
    page = quote_summary_page(company_id=empty.pk, limit=50)
    assert page.items == []
    assert page.next_cursor is None
