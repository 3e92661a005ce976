"""The client list and a client's page (quotery.quotes.client_views): who may open them,
what they show, and the queries they run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.models import Client
from quotery.quotes.factories import make_quote

Login = Callable[[User], HttpClient]

pytestmark = pytest.mark.django_db

EDITOR_ROLES = [Role.REP, Role.MANAGER, Role.ADMIN]
ALL_ROLES = [*EDITOR_ROLES, Role.FINANCE]


# list


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_sees_the_client_list(company: Company, login: Login, role: Role) -> None:
    ClientFactory(company=company, name="Acme GmbH")

    response = login(member(company, role)).get(reverse("clients:list"))

    assert response.status_code == 200
    assert "Acme GmbH" in response.text
    assert ("New client" in response.text) is (role != Role.FINANCE)


def test_client_list_needs_a_login(client: HttpClient) -> None:
    response = client.get(reverse("clients:list"))

    assert response.status_code == 302


def test_client_list_hides_other_companies_and_searches(
    company: Company, other_company: Company, rep: User, login: Login
) -> None:
    ClientFactory(company=company, name="Acme GmbH")
    ClientFactory(company=company, name="Beta AG")
    ClientFactory(company=other_company, name="Acme Foreign")

    response = login(rep).get(reverse("clients:list"), {"q": "acme"})

    assert "Acme GmbH" in response.text
    assert "Beta AG" not in response.text
    assert "Acme Foreign" not in response.text
    assert 'value="acme"' in response.text


def test_client_list_paginates(company: Company, rep: User, login: Login) -> None:
    for n in range(30):
        ClientFactory(company=company, name=f"Client {n:02d}")

    response = login(rep).get(reverse("clients:list"), {"page": "2"})

    assert "Page 2 of 2 · 30 clients" in response.text
    assert "Client 29" in response.text
    assert "Client 00" not in response.text


def test_client_list_runs_the_same_number_of_queries_for_5_and_50_rows(
    company: Company, manager: User, login: Login
) -> None:
    http = login(manager)

    def queries_for(rows: int) -> int:
        for _ in range(rows - Client.objects.count()):
            acme = ClientFactory(company=company)
            ContactFactory(client=acme)
        with CaptureQueriesContext(connection) as captured:
            response = http.get(reverse("clients:list"))
        assert response.status_code == 200
        return len(captured)

    assert queries_for(5) == queries_for(50)


def test_client_list_stays_within_a_fixed_query_budget(
    company: Company, rep: User, login: Login, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(10):
        acme = ClientFactory(company=company)
        ContactFactory(client=acme)
    make_quote(owner=rep, client=acme)
    http = login(rep)

    with django_assert_max_num_queries(6):
        http.get(reverse("clients:list"))


# detail


def test_rep_sees_only_their_own_quotes_on_the_client_page(
    company: Company, rep: User, manager: User, login: Login
) -> None:
    # given
    acme = ClientFactory(company=company, name="Acme")
    ContactFactory(client=acme, name="Ada Lovelace", email="ada@acme.test")
    own = make_quote(owner=rep, client=acme, title="Rep's desks")
    theirs = make_quote(owner=manager, client=acme, title="Manager's chairs")

    # when
    response = login(rep).get(reverse("clients:detail", args=[acme.pk]))

    # then
    text = response.text
    assert response.status_code == 200
    assert "Ada Lovelace" in text
    assert reverse("quotes:detail", args=[own.pk]) in text
    assert own.number in text
    assert "Draft" in text
    assert theirs.title not in text
    assert f"{reverse('quotes:new')}?client={acme.pk}" in text


def test_manager_sees_every_quote_with_state_and_total(
    company: Company, rep: User, manager: User, login: Login
) -> None:
    acme = ClientFactory(company=company)
    own = make_quote(owner=rep, client=acme)
    theirs = make_quote(owner=manager, client=acme)

    response = login(manager).get(reverse("clients:detail", args=[acme.pk]))

    assert own.number in response.text
    assert theirs.number in response.text
    assert f"€{theirs.total:,.2f}" in response.text


def test_finance_views_a_client_without_edit_links(
    company: Company, finance: User, login: Login
) -> None:
    acme = ClientFactory(company=company)

    response = login(finance).get(reverse("clients:detail", args=[acme.pk]))

    assert response.status_code == 200
    assert "New quote for this client" not in response.text
    assert reverse("clients:edit", args=[acme.pk]) not in response.text
    assert "Add contact" not in response.text


def test_client_detail_runs_a_fixed_number_of_queries(
    company: Company,
    manager: User,
    login: Login,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    acme = ClientFactory(company=company)
    for _ in range(5):
        ContactFactory(client=acme)
        make_quote(owner=manager, client=acme)
    http = login(manager)

    with django_assert_max_num_queries(8):
        http.get(reverse("clients:detail", args=[acme.pk]))


def test_security_23_client_detail_of_another_company_is_404(
    other_company: Company, manager: User, login: Login
) -> None:
    foreign = ClientFactory(company=other_company, name="Their client")

    response = login(manager).get(reverse("clients:detail", args=[foreign.pk]))

    assert response.status_code == 404
    assert "Their client" not in response.text
