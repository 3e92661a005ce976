"""Client reads, scoped to the company. The reads that join quotes are tested with the
quotes' selectors (quotery/quotes/tests/test_selectors_clients.py)."""

from __future__ import annotations

import pytest
from django.http import Http404

from quotery.accounts.models import Company
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.selectors import client_detail, client_list, contact_detail

pytestmark = pytest.mark.django_db


def test_client_list_is_the_companys_clients_with_their_contact_counts(
    company: Company, other_company: Company
) -> None:
    # given
    acme = ClientFactory(company=company, name="Acme")
    ContactFactory(client=acme)
    ContactFactory(client=acme)
    ClientFactory(company=company, name="Beta")
    ClientFactory(company=other_company, name="Foreign")

    # when
    rows = {c.name: c.contact_count for c in client_list(company=company)}  # type: ignore[attr-defined]

    # then
    assert rows == {"Acme": 2, "Beta": 0}


def test_client_list_searches_name_vat_and_contacts(company: Company) -> None:
    ClientFactory(company=company, name="Acme GmbH")
    ClientFactory(company=company, name="Beta", vat_number="DE-ACME-1")
    gamma = ClientFactory(company=company, name="Gamma")
    ContactFactory(client=gamma, name="Wile E.", email="wile@acme.test")
    ContactFactory(client=gamma, name="Road Runner", email="rr@acme.test")
    ClientFactory(company=company, name="Delta")

    names = [c.name for c in client_list(company=company, search=" acme ")]

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
