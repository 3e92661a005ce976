"""The rep sets the language clients read: the company's on the settings page, and each
client's own on the client form (blank: the company's)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quotery.accounts.models import Company, User
from quotery.accounts.tests.test_views import SETTINGS_URL, settings_post, snapshot
from quotery.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_the_settings_page_offers_the_clients_language(login, admin_user: User) -> None:
    page = login(admin_user).get(SETTINGS_URL).content.decode()
    assert '<label for="id_language">Language for clients</label>' in page
    assert '<option value="de">German</option>' in page


def test_the_admin_sets_the_company_language(login, admin_user: User, company: Company) -> None:
    response = login(admin_user).post(SETTINGS_URL, settings_post(language="de"))
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.language == "de"
    # a form without the field (an older page) keeps it
    login(admin_user).post(SETTINGS_URL, settings_post())
    company.refresh_from_db()
    assert company.language == "de"


def test_an_unknown_language_is_refused_and_nothing_saved(
    login, admin_user: User, company: Company
) -> None:
    before = snapshot(company)
    response = login(admin_user).post(SETTINGS_URL, settings_post(language="xx"))
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(company) == before


def test_the_client_form_sets_and_clears_the_clients_language(
    login, rep: User, company: Company
) -> None:
    client = ClientFactory(company=company, name="Muster GmbH")
    http = login(rep)
    url = reverse("clients:edit", args=[client.pk])
    form = http.get(url).content.decode()
    assert "Language for this client&#x27;s quotes" in form
    assert '<option value="" selected>The company&#x27;s language</option>' in form

    response = http.post(url, {"name": "Muster GmbH", "language": "de"})
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.language == "de"
    assert "German" in http.get(reverse("clients:detail", args=[client.pk])).content.decode()

    http.post(url, {"name": "Muster GmbH", "language": ""})
    client.refresh_from_db()
    assert client.language == ""

    refused = http.post(url, {"name": "Muster GmbH", "language": "klingon"})
    assert refused.status_code == 422
    client.refresh_from_db()
    assert client.language == ""
