"""The staff download of a quote's accepted PDF (quotery.documents.views): the very bytes the
client got, for the quote's company only, and nothing before the quote is accepted
(SECURITY.md 14, 23)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.portal.tests.portal_fixtures import Shared, share_quote
from quotery.portal.tests.test_views_acceptance import accept_url, form_data, pdf_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(rep, company) -> Shared:  # type: ignore[no-untyped-def]
    desk = ProductFactory(company=company, sku="DESK-1", stock=Decimal(4))
    return share_quote(rep, products=[desk, None], quantities=[Decimal(2), Decimal(1)])


def test_security_23_the_accepted_pdf_is_for_the_quotes_company_only(
    login, shared: Shared, other_company, company
) -> None:  # type: ignore[no-untyped-def]
    HttpClient().post(accept_url(shared), form_data(shared))
    client_copy = HttpClient().get(pdf_url(shared)).content
    url = reverse("documents:accepted_quote_pdf", args=[shared.quote.pk])

    # a member of another company gets the same 404 as for a quote that does not exist
    outsider = member(other_company, Role.ADMIN)
    response = login(outsider).get(url)
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    missing = login(outsider).get(reverse("documents:accepted_quote_pdf", args=[999999]))
    assert missing.status_code == 404

    # a member of the quote's company gets the very bytes the client got
    colleague = member(company, Role.MANAGER)
    own = login(colleague).get(url)
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert own.content == client_copy


def test_staff_download_of_a_quote_not_accepted_is_404(login, rep) -> None:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, products=[None])
    response = login(rep).get(reverse("documents:accepted_quote_pdf", args=[shared.quote.pk]))
    assert response.status_code == 404


def test_logged_out_staff_download_asks_to_log_in(client: HttpClient, rep) -> None:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, products=[None])
    response = client.get(reverse("documents:accepted_quote_pdf", args=[shared.quote.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
