"""HTTP input for clients and contacts. Rules live in clients.services; these forms parse."""

from __future__ import annotations

from typing import Any

from django import forms

from quotery.clients.services import ADDRESS_MAX, EMAIL_MAX, NAME_MAX, PHONE_MAX, VAT_MAX
from quotery.core.forms import NameField
from quotery.core.languages import CLIENT_LANGUAGE_CHOICES


def text_field(label: str, max_length: int, *, required: bool = False, **kwargs: Any) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={"max_length": f"Keep this under {max_length} characters."},
        **kwargs,
    )


class ClientForm(forms.Form):
    name = NameField(
        label="Name",
        whose="the client's",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter the client's name.",
            "max_length": "Keep the client's name under 200 characters.",
        },
    )
    address = text_field(
        "Address", ADDRESS_MAX, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    vat_number = text_field("VAT number", VAT_MAX)
    language = forms.ChoiceField(
        label="Language for this client's quotes",
        choices=CLIENT_LANGUAGE_CHOICES,
        required=False,
        help_text="The quote page, the emails to the client and the PDFs are in this "
        "language. The company's language is set under Settings.",
    )

    def __init__(self, *args: Any, with_first_contact: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_first_contact:
            self.fields["contact_name"] = NameField(
                label="Contact name",
                whose="the contact's",
                required=False,
                max_length=NAME_MAX,
                error_messages={"max_length": f"Keep this under {NAME_MAX} characters."},
                help_text="Optional: the person you deal with.",
            )
            self.fields["contact_email"] = text_field(
                "Contact email",
                EMAIL_MAX,
                widget=forms.EmailInput(attrs={"autocomplete": "off"}),
            )


class ContactForm(forms.Form):
    name = NameField(
        label="Name",
        whose="the contact's",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter the contact's name.",
            "max_length": "Keep the contact's name under 200 characters.",
        },
    )
    email = forms.CharField(
        label="Email",
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter an email address like name@example.com.",
            "max_length": "That email address is too long.",
        },
    )
    phone = text_field("Phone", PHONE_MAX)
