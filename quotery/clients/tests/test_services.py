"""Client and contact writes: what they guarantee, and that a refusal writes nothing."""

from __future__ import annotations

import pytest

from quotery.accounts.models import Company
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.models import Client, Contact
from quotery.clients.services import (
    client_create,
    client_errors,
    client_update,
    contact_create,
    contact_update,
)
from quotery.core.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int]:
    return Client.objects.count(), Contact.objects.count()


def test_client_create_with_a_first_contact(company: Company) -> None:
    client = client_create(
        company=company,
        name="  Acme GmbH ",
        address="Hauptstr. 1\n10115 Berlin",
        vat_number=" DE123456789 ",
        contact_name="Ada Lovelace",
        contact_email=" Ada@Acme.test ",
    )

    client.refresh_from_db()
    assert (client.company, client.name, client.vat_number) == (company, "Acme GmbH", "DE123456789")
    contact = client.contacts.get()
    assert (contact.company, contact.name, contact.email) == (
        company,
        "Ada Lovelace",
        "ada@acme.test",
    )


def test_client_create_without_a_contact(company: Company) -> None:
    client = client_create(company=company, name="Acme")

    assert not client.contacts.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": " "}, "name", "Enter the client's name."),
        ({"name": "n" * 201}, "name", "Keep the client's name under 200 characters."),
        ({"address": "a" * 1001}, "address", "Keep the address under 1000 characters."),
        ({"vat_number": "V" * 41}, "vat_number", "Keep the VAT number under 40 characters."),
        ({"contact_email": "ada@acme.test"}, "contact_name", "Enter the contact's name."),
        ({"contact_name": "Ada"}, "contact_email", "Enter an email address like name@example.com."),
        (
            {"contact_name": "Ada", "contact_email": "a@b.test\nBcc: x@y.test"},
            "contact_email",
            "Enter a single email address.",
        ),
    ],
)
def test_client_create_refuses_bad_input_and_writes_nothing(
    company: Company, fields: dict[str, str], field: str, message: str
) -> None:
    values = {"name": "Acme"} | fields

    with pytest.raises(ValidationFailed) as error:
        client_create(company=company, **values)

    assert error.value.field_errors[field] == [message]
    assert counts() == (0, 0)


def test_client_errors_uses_the_callers_keys() -> None:
    errors = client_errors(
        name="",
        contact_name="Ada",
        contact_email="nope",
        name_key="new_client_name",
        contact_prefix="new_contact_",
    )

    assert errors == {
        "new_client_name": ["Enter the client's name."],
        "new_contact_email": ["Enter an email address like name@example.com."],
    }


def test_client_update_saves_details(company: Company) -> None:
    client = ClientFactory(company=company)

    client_update(client=client, name=" New name ", address="Street 2", vat_number=" GB1 ")

    client.refresh_from_db()
    assert (client.name, client.address, client.vat_number) == ("New name", "Street 2", "GB1")


def test_client_update_refuses_bad_input_and_changes_nothing(company: Company) -> None:
    client = ClientFactory(company=company, name="Acme", vat_number="DE1")

    with pytest.raises(ValidationFailed) as error:
        client_update(client=client, name="", vat_number="V" * 41)

    assert set(error.value.field_errors) == {"name", "vat_number"}
    assert (client.name, client.vat_number) == ("Acme", "DE1")
    client.refresh_from_db()
    assert (client.name, client.vat_number) == ("Acme", "DE1")


def test_contact_create_belongs_to_the_clients_company(company: Company) -> None:
    client = ClientFactory(company=company)

    contact = contact_create(client=client, name="Bob", email="BOB@x.test", phone=" +49 30 1 ")

    assert (contact.company_id, contact.client, contact.email, contact.phone) == (
        company.pk,
        client,
        "bob@x.test",
        "+49 30 1",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not an email"}, "email"),
        ({"email": ("x" * 250) + "@example.test"}, "email"),
        ({"phone": "1" * 41}, "phone"),
    ],
)
def test_contact_create_refuses_bad_input_and_writes_nothing(
    company: Company, fields: dict[str, str], field: str
) -> None:
    client = ClientFactory(company=company)
    values = {"name": "Bob", "email": "bob@x.test"} | fields

    with pytest.raises(ValidationFailed) as error:
        contact_create(client=client, **values)

    assert field in error.value.field_errors
    assert not Contact.objects.exists()


def test_contact_update_saves_and_refuses_bad_input_without_changes(company: Company) -> None:
    contact = ContactFactory(client=ClientFactory(company=company), name="Bob", email="b@x.test")

    contact_update(contact=contact, name="Robert", email="Robert@X.test", phone="123")
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone) == ("Robert", "robert@x.test", "123")

    with pytest.raises(ValidationFailed) as error:
        contact_update(contact=contact, name="", email="broken")
    assert set(error.value.field_errors) == {"name", "email"}
    assert (contact.name, contact.email) == ("Robert", "robert@x.test")
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Robert", "robert@x.test")
