"""Adding and editing clients and contacts (quotery.clients.views): who may, and forms that keep
what was typed. The client list and a client's page are the quotes app's
(quotery/quotes/tests/test_client_views.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.models import Client, Contact

Login = Callable[[User], HttpClient]

pytestmark = pytest.mark.django_db

EDITOR_ROLES = [Role.REP, Role.MANAGER, Role.ADMIN]


def counts() -> tuple[int, int]:
    return Client.objects.count(), Contact.objects.count()


# create


def test_rep_creates_a_client_with_a_first_contact(
    company: Company, rep: User, login: Login
) -> None:
    response = login(rep).post(
        reverse("clients:new"),
        {
            "name": "Acme GmbH",
            "address": "Hauptstr. 1",
            "vat_number": "DE123",
            "contact_name": "Ada",
            "contact_email": "ada@acme.test",
        },
    )

    acme = Client.objects.get(company=company)
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[acme.pk])
    assert (acme.name, acme.vat_number) == ("Acme GmbH", "DE123")
    assert acme.contacts.get().email == "ada@acme.test"


def test_bad_client_input_is_explained_keeps_the_input_and_saves_nothing(
    company: Company, rep: User, login: Login
) -> None:
    response = login(rep).post(
        reverse("clients:new"),
        {
            "name": "Acme GmbH",
            "vat_number": "DE123",
            "contact_name": "Ada",
            "contact_email": "ada@",
        },
    )

    assert response.status_code == 422
    assert "Enter an email address like name@example.com." in response.text
    assert 'value="Acme GmbH"' in response.text
    assert 'value="DE123"' in response.text
    assert 'value="ada@"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert counts() == (0, 0)


def test_client_without_a_name_is_refused(company: Company, rep: User, login: Login) -> None:
    response = login(rep).post(reverse("clients:new"), {"name": "", "address": "Street 1"})

    assert response.status_code == 422
    assert "Enter the client&#x27;s name." in response.text
    assert "Street 1" in response.text
    assert counts() == (0, 0)


def test_finance_cannot_create_clients(company: Company, finance: User, login: Login) -> None:
    http = login(finance)

    assert http.get(reverse("clients:new")).status_code == 404
    assert http.post(reverse("clients:new"), {"name": "Acme"}).status_code == 404
    assert counts() == (0, 0)


# edit


@pytest.mark.parametrize("role", EDITOR_ROLES)
def test_editors_edit_a_client(company: Company, login: Login, role: Role) -> None:
    acme = ClientFactory(company=company, name="Acme")
    http = login(member(company, role))
    assert 'value="Acme"' in http.get(reverse("clients:edit", args=[acme.pk])).text

    response = http.post(
        reverse("clients:edit", args=[acme.pk]), {"name": "Acme AG", "vat_number": "CHE-1"}
    )

    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.vat_number) == ("Acme AG", "CHE-1")


def test_bad_client_edit_keeps_the_input_and_changes_nothing(
    company: Company, rep: User, login: Login
) -> None:
    acme = ClientFactory(company=company, name="Acme")

    response = login(rep).post(
        reverse("clients:edit", args=[acme.pk]), {"name": "", "vat_number": "X" * 41}
    )

    assert response.status_code == 422
    assert "Keep this under 40 characters." in response.text
    acme.refresh_from_db()
    assert (acme.name, acme.vat_number) == ("Acme", "")


def test_finance_cannot_edit_clients(company: Company, finance: User, login: Login) -> None:
    acme = ClientFactory(company=company, name="Acme")
    http = login(finance)
    url = reverse("clients:edit", args=[acme.pk])

    assert http.get(url).status_code == 404
    assert http.post(url, {"name": "Changed"}).status_code == 404
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_security_23_client_edit_of_another_company_is_404(
    other_company: Company, admin_user: User, login: Login
) -> None:
    foreign = ClientFactory(company=other_company, name="Theirs")
    http = login(admin_user)
    url = reverse("clients:edit", args=[foreign.pk])

    assert http.get(url).status_code == 404
    assert http.post(url, {"name": "Mine now"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"


# contacts


def test_rep_adds_a_contact_from_the_client_page(company: Company, rep: User, login: Login) -> None:
    acme = ClientFactory(company=company)
    http = login(rep)
    page = http.get(reverse("clients:detail", args=[acme.pk]))
    assert reverse("clients:contact_new", args=[acme.pk]) in page.text

    response = http.post(
        reverse("clients:contact_new", args=[acme.pk]),
        {"name": "Grace", "email": "grace@acme.test", "phone": "+1 555"},
    )

    assert response.status_code == 302
    contact = acme.contacts.get()
    assert (contact.company, contact.name, contact.phone) == (company, "Grace", "+1 555")


def test_bad_contact_is_explained_keeps_the_input_and_saves_nothing(
    company: Company, rep: User, login: Login
) -> None:
    acme = ClientFactory(company=company)

    response = login(rep).post(
        reverse("clients:contact_new", args=[acme.pk]),
        {"name": "Grace", "email": "grace at acme", "phone": "+1 555"},
    )

    assert response.status_code == 422
    assert "Enter an email address like name@example.com." in response.text
    assert 'value="Grace"' in response.text
    assert 'value="grace at acme"' in response.text
    assert not Contact.objects.exists()


def test_rep_edits_a_contact(company: Company, rep: User, login: Login) -> None:
    acme = ClientFactory(company=company)
    contact = ContactFactory(client=acme, name="Grace", email="g@acme.test")
    http = login(rep)
    url = reverse("clients:contact_edit", args=[acme.pk, contact.pk])
    assert 'value="g@acme.test"' in http.get(url).text

    response = http.post(url, {"name": "Grace Hopper", "email": "grace@acme.test"})

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Grace Hopper", "grace@acme.test")


def test_bad_contact_edit_keeps_the_input_and_changes_nothing(
    company: Company, rep: User, login: Login
) -> None:
    acme = ClientFactory(company=company)
    contact = ContactFactory(client=acme, name="Grace", email="g@acme.test")

    response = login(rep).post(
        reverse("clients:contact_edit", args=[acme.pk, contact.pk]),
        {"name": "", "email": "still-typed@acme.test"},
    )

    assert response.status_code == 422
    assert "Enter the contact&#x27;s name." in response.text
    assert 'value="still-typed@acme.test"' in response.text
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Grace", "g@acme.test")


def test_finance_cannot_add_or_edit_contacts(company: Company, finance: User, login: Login) -> None:
    acme = ClientFactory(company=company)
    contact = ContactFactory(client=acme, name="Grace")
    http = login(finance)
    data = {"name": "Changed", "email": "c@acme.test"}

    assert http.post(reverse("clients:contact_new", args=[acme.pk]), data).status_code == 404
    assert (
        http.post(reverse("clients:contact_edit", args=[acme.pk, contact.pk]), data).status_code
        == 404
    )
    assert acme.contacts.count() == 1
    contact.refresh_from_db()
    assert contact.name == "Grace"


def test_security_23_contact_new_on_another_companys_client_is_404(
    other_company: Company, rep: User, login: Login
) -> None:
    foreign = ClientFactory(company=other_company)
    http = login(rep)
    url = reverse("clients:contact_new", args=[foreign.pk])

    assert http.get(url).status_code == 404
    assert http.post(url, {"name": "Spy", "email": "spy@x.test"}).status_code == 404
    assert not Contact.objects.exists()


def test_security_23_contact_edit_of_another_companys_contact_is_404(
    company: Company, other_company: Company, rep: User, login: Login
) -> None:
    # given: their contact, reached through their client and through one of ours
    foreign_contact = ContactFactory(client=ClientFactory(company=other_company), name="Theirs")
    ours = ClientFactory(company=company)
    http = login(rep)
    data = {"name": "Mine now", "email": "spy@x.test"}

    for url in (
        reverse("clients:contact_edit", args=[foreign_contact.client_id, foreign_contact.pk]),
        reverse("clients:contact_edit", args=[ours.pk, foreign_contact.pk]),
    ):
        assert http.get(url).status_code == 404
        assert http.post(url, data).status_code == 404
    foreign_contact.refresh_from_db()
    assert foreign_contact.name == "Theirs"


def test_contact_edit_through_another_client_of_the_same_company_is_404(
    company: Company, rep: User, login: Login
) -> None:
    acme = ClientFactory(company=company)
    beta = ClientFactory(company=company)
    contact = ContactFactory(client=beta, name="Beta's")

    response = login(rep).post(
        reverse("clients:contact_edit", args=[acme.pk, contact.pk]),
        {"name": "Moved", "email": "m@x.test"},
    )

    assert response.status_code == 404
    contact.refresh_from_db()
    assert (contact.name, contact.client) == ("Beta's", beta)
