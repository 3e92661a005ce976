"""Writes to clients and their contacts.

Each function checks its input first and raises `ValidationFailed` (messages keyed by field)
before writing anything; what it writes, it writes in one transaction.
"""

from __future__ import annotations

from django.db import transaction

from quotery.accounts.models import Company
from quotery.clients.models import Client, Contact
from quotery.core.exceptions import ValidationFailed
from quotery.core.languages import LANGUAGE_CHOICES
from quotery.core.text import EMAIL_MAX, is_mailable_address

NAME_MAX = 200
ADDRESS_MAX = 1000
VAT_MAX = 40
PHONE_MAX = 40

FieldErrors = dict[str, list[str]]


def _contact_errors(name: str, email: str, prefix: str = "") -> FieldErrors:
    errors: FieldErrors = {}
    if not name.strip():
        errors[f"{prefix}name"] = ["Enter the contact's name."]
    elif len(name) > NAME_MAX:
        errors[f"{prefix}name"] = ["Keep the contact's name under 200 characters."]
    if "\n" in email or "\r" in email:
        errors[f"{prefix}email"] = ["Enter a single email address."]
    elif len(email.strip()) > EMAIL_MAX:
        errors[f"{prefix}email"] = ["That email address is too long."]
    elif not is_mailable_address(email):
        errors[f"{prefix}email"] = ["Enter an email address like name@example.com."]
    return errors


def _phone_errors(phone: str) -> FieldErrors:
    if len(phone.strip()) > PHONE_MAX:
        return {"phone": [f"Keep the phone number under {PHONE_MAX} characters."]}
    return {}


def _client_detail_errors(address: str, vat_number: str, language: str = "") -> FieldErrors:
    errors: FieldErrors = {}
    if language and language not in {code for code, _name in LANGUAGE_CHOICES}:
        errors["language"] = ["Pick a language from the list, or the company's."]
    if len(address) > ADDRESS_MAX:
        errors["address"] = [f"Keep the address under {ADDRESS_MAX} characters."]
    if len(vat_number.strip()) > VAT_MAX:
        errors["vat_number"] = [f"Keep the VAT number under {VAT_MAX} characters."]
    return errors


def client_errors(
    *,
    name: str,
    contact_name: str,
    contact_email: str,
    name_key: str = "name",
    contact_prefix: str = "contact_",
) -> FieldErrors:
    """What is wrong with a new client (and its optional first contact), keyed by field."""
    errors: FieldErrors = {}
    if not name.strip():
        errors[name_key] = ["Enter the client's name."]
    elif len(name) > NAME_MAX:
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
    language: str = "",
) -> Client:
    """Creates a client, and its first contact when a contact name or email is given.
    `language` is the client's for their pages, emails and PDFs ("": the company's).

    A contact needs both a name and a valid email; on any error nothing is written.
    """
    errors = client_errors(name=name, contact_name=contact_name, contact_email=contact_email)
    errors.update(_client_detail_errors(address, vat_number, language))
    if errors:
        raise ValidationFailed("The client could not be saved.", field_errors=errors)
    with transaction.atomic():
        client = Client.objects.create(
            company=company,
            name=name.strip(),
            address=address,
            vat_number=vat_number.strip(),
            language=language,
        )
        if contact_name.strip():
            Contact.objects.create(
                company=company,
                client=client,
                name=contact_name.strip(),
                email=contact_email.strip().lower(),
            )
    return client


def client_update(
    *, client: Client, name: str, address: str = "", vat_number: str = "", language: str = ""
) -> Client:
    """Saves the client's name, address, VAT number and language ("": the company's). On
    any error nothing is written and `client` keeps the values it had."""
    errors: FieldErrors = {}
    if not name.strip():
        errors["name"] = ["Enter the client's name."]
    elif len(name) > NAME_MAX:
        errors["name"] = ["Keep the client's name under 200 characters."]
    errors.update(_client_detail_errors(address, vat_number, language))
    if errors:
        raise ValidationFailed("The client could not be saved.", field_errors=errors)
    client.name = name.strip()
    client.address = address
    client.vat_number = vat_number.strip()
    client.language = language
    client.save(update_fields=["name", "address", "vat_number", "language", "updated_at"])
    return client


def contact_create(*, client: Client, name: str, email: str, phone: str = "") -> Contact:
    """Adds a contact (name and email required) to `client`, in the client's company."""
    errors = _contact_errors(name, email) | _phone_errors(phone)
    if errors:
        raise ValidationFailed("The contact could not be saved.", field_errors=errors)
    return Contact.objects.create(
        company_id=client.company_id,
        client=client,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
    )


def contact_update(*, contact: Contact, name: str, email: str, phone: str = "") -> Contact:
    """Saves a contact's name, email and phone. On any error nothing is written and
    `contact` keeps the values it had."""
    errors = _contact_errors(name, email) | _phone_errors(phone)
    if errors:
        raise ValidationFailed("The contact could not be saved.", field_errors=errors)
    contact.name = name.strip()
    contact.email = email.strip().lower()
    contact.phone = phone.strip()
    contact.save(update_fields=["name", "email", "phone", "updated_at"])
    return contact
