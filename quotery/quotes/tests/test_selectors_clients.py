"""Reads of clients that join their quotes: the counts on the client list and a client's
quotes, both following what the member may see (a rep: their own quotes)."""

from __future__ import annotations

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.models import Client
from quotery.quotes.factories import make_quote
from quotery.quotes.selectors import clients_with_quote_counts, quotes_of_client
from quotery.quotes.services.quotes import quote_cancel

pytestmark = pytest.mark.django_db


def counts_of(client: Client) -> tuple[int, int]:
    """The contact and quote counts clients_with_quote_counts annotates."""
    return client.contact_count, client.quote_count  # type: ignore[attr-defined]


def test_client_list_is_the_companys_clients_with_counts(
    company: Company, other_company: Company, manager: User, rep: User
) -> None:
    # given
    acme = ClientFactory(company=company, name="Acme")
    ContactFactory(client=acme)
    ContactFactory(client=acme)
    make_quote(owner=rep, client=acme)
    make_quote(owner=manager, client=acme)
    ClientFactory(company=company, name="Beta")
    ClientFactory(company=other_company, name="Foreign")

    # when
    rows = {c.name: counts_of(c) for c in clients_with_quote_counts(membership=manager.membership)}

    # then
    assert rows == {"Acme": (2, 2), "Beta": (0, 0)}


def test_client_list_counts_only_a_reps_own_quotes(
    company: Company, rep: User, manager: User
) -> None:
    acme = ClientFactory(company=company, name="Acme")
    make_quote(owner=rep, client=acme)
    make_quote(owner=manager, client=acme)

    (row,) = clients_with_quote_counts(membership=rep.membership)

    assert counts_of(row) == (1, 1)  # make_quote adds a contact


def test_quotes_of_client_follow_what_the_member_may_see(
    company: Company, rep: User, manager: User
) -> None:
    # given: one quote by each, and the manager's cancelled
    acme = ClientFactory(company=company)
    own = make_quote(owner=rep, client=acme)
    theirs = make_quote(owner=manager, client=acme)
    quote_cancel(quote=theirs, user=manager)
    make_quote(owner=rep)  # another client
    finance = member(company, Role.FINANCE)

    # then
    assert list(quotes_of_client(membership=rep.membership, client=acme)) == [own]
    assert list(quotes_of_client(membership=manager.membership, client=acme)) == [theirs, own]
    assert list(quotes_of_client(membership=finance.membership, client=acme)) == []
