"""Client reads: scoped to the company, and quotes to what the member may see."""

from __future__ import annotations

import pytest
from django.http import Http404

from quotery.accounts.models import Company, Role, User
from quotery.clients.models import Client
from quotery.clients.selectors import (
    client_detail,
    client_list,
    client_quotes,
    contact_detail,
)
from quotery.factories import ClientFactory, ContactFactory, make_quote, member
from quotery.quotes.services.quotes import quote_cancel

pytestmark = pytest.mark.django_db


def counts_of(client: Client) -> tuple[int, int]:
    """The contact and quote counts client_list annotates."""
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
    rows = {c.name: counts_of(c) for c in client_list(membership=manager.membership)}

    # then
    assert rows == {"Acme": (2, 2), "Beta": (0, 0)}


def test_client_list_counts_only_a_reps_own_quotes(
    company: Company, rep: User, manager: User
) -> None:
    acme = ClientFactory(company=company, name="Acme")
    make_quote(owner=rep, client=acme)
    make_quote(owner=manager, client=acme)

    (row,) = client_list(membership=rep.membership)

    assert counts_of(row) == (1, 1)  # make_quote adds a contact


def test_client_list_searches_name_vat_and_contacts(company: Company, manager: User) -> None:
    ClientFactory(company=company, name="Acme GmbH")
    ClientFactory(company=company, name="Beta", vat_number="DE-ACME-1")
    gamma = ClientFactory(company=company, name="Gamma")
    ContactFactory(client=gamma, name="Wile E.", email="wile@acme.test")
    ContactFactory(client=gamma, name="Road Runner", email="rr@acme.test")
    ClientFactory(company=company, name="Delta")

    names = [c.name for c in client_list(membership=manager.membership, search=" acme ")]

    assert names == ["Acme GmbH", "Beta", "Gamma"]


def test_client_detail_and_contact_detail_are_scoped(
    company: Company, other_company: Company
) -> None:
    mine = ClientFactory(company=company)
    contact = ContactFactory(client=mine)
    sibling_contact = ContactFactory(client=ClientFactory(company=company))
    foreign = ClientFactory(company=other_company)

    assert client_detail(company=company, pk=mine.pk) == mine
    assert contact_detail(client=mine, pk=contact.pk) == contact
    with pytest.raises(Http404):
        client_detail(company=company, pk=foreign.pk)
    with pytest.raises(Http404):
        contact_detail(client=mine, pk=sibling_contact.pk)


def test_client_quotes_follow_what_the_member_may_see(
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
    assert list(client_quotes(membership=rep.membership, client=acme)) == [own]
    assert list(client_quotes(membership=manager.membership, client=acme)) == [theirs, own]
    assert list(client_quotes(membership=finance.membership, client=acme)) == []
