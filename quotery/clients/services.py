"""Writes to clients and their contacts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from quotery.accounts.models import Company
from quotery.clients.models import Client, Contact
from quotery.core.exceptions import ValidationFailed


def _contact_errors(name: str, email: str, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors[f"{prefix}name"] = ["Enter the contact's name."]
    elif len(name) > 200:
        errors[f"{prefix}name"] = ["Keep the contact's name under 200 characters."]
    if "\n" in email or "\r" in email:
        errors[f"{prefix}email"] = ["Enter a single email address."]
    else:
        try:
            validate_email(email.strip())
        except ValidationError:
            errors[f"{prefix}email"] = ["Enter an email address like name@example.com."]
    return errors


def client_errors(
    *,
    name: str,
    contact_name: str,
    contact_email: str,
    name_key: str = "name",
    contact_prefix: str = "contact_",
) -> dict[str, list[str]]:
    """What is wrong with a new client (and its optional first contact), keyed by field."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors[name_key] = ["Enter the client's name."]
    elif len(name) > 200:
        errors[name_key] = ["Keep the client's name under 200 characters."]
    if contact_name.strip() or contact_email.strip():
        errors.update(_contact_errors(contact_name, contact_email, prefix=contact_prefix))
    return errors


def client_create(
    *,
    company: Company,
    name: str,
    address: str = "",
    vat_number: str = "",
    contact_name: str = "",
    contact_email: str = "",
) -> Client:
    """Creates a client, and its first contact when a contact name or email is given."""
    errors = client_errors(name=name, contact_name=contact_name, contact_email=contact_email)
    if errors:
        raise ValidationFailed("The client could not be saved.", field_errors=errors)
    with transaction.atomic():
        client = Client.objects.create(
            company=company, name=name.strip(), address=address, vat_number=vat_number.strip()
        )
        if contact_name.strip():
            Contact.objects.create(
                company=company,
                client=client,
                name=contact_name.strip(),
                email=contact_email.strip().lower(),
            )
    return client


def client_update(*, client: Client, name: str, address: str = "", vat_number: str = "") -> Client:
    if not name.strip():
        raise ValidationFailed(
            "The client could not be saved.", field_errors={"name": ["Enter the client's name."]}
        )
    client.name = name.strip()
    client.address = address
    client.vat_number = vat_number.strip()
    client.save()
    return client


def contact_create(*, client: Client, name: str, email: str, phone: str = "") -> Contact:
    errors = _contact_errors(name, email)
    if errors:
        raise ValidationFailed("The contact could not be saved.", field_errors=errors)
    return Contact.objects.create(
        company_id=client.company_id,
        client=client,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
    )
