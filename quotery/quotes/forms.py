"""The quote editor's Django forms: one for the header, one per section, one per line.

Field names are the input paths the rules report errors under ("sections.0.lines.1.quantity"),
so every message lands beside the field the person typed in, keeping what they typed.
The choices come from quotes.editor_choices; the editor's state, actions and assembly into a
QuoteInput live in quotes.editor.
"""

from __future__ import annotations

from typing import Any

from django import forms

from quotery.clients.services import NAME_MAX
from quotery.core.forms import PassedOnTextField, posted_id
from quotery.core.money import CURRENCY_CHOICES
from quotery.core.widgets import FastSelect, FastTextInput
from quotery.quotes.editor_choices import EditorChoices


class PathForm(forms.Form):
    """A form whose field names are "<prefix>.<field>" instead of Django's "<prefix>-<field>"."""

    def add_prefix(self, field_name: str) -> str:
        return f"{self.prefix}.{field_name}" if self.prefix else field_name


def decimal_field(label: str, *, required: bool = True, example: str = "2 or 1.5") -> forms.Field:
    return forms.DecimalField(
        label=label,
        required=required,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"Enter a number, like {example}.",
        },
        widget=FastTextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _set_choices(field: forms.Field, options: list[tuple[int | str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = options


class QuoteHeaderForm(forms.Form):
    client = forms.TypedChoiceField(label="Client", required=False, coerce=int, empty_value=None)
    contact = forms.TypedChoiceField(
        label="Contact",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": "That contact works for another client; pick one of this client's."
        },
    )
    # Judged by quotes.rules (as a new client, with every other rule at once).
    new_client_name = PassedOnTextField(
        label="New client name", strip=True, widget=forms.TextInput(attrs={"maxlength": NAME_MAX})
    )
    new_contact_name = PassedOnTextField(
        label="Contact name", strip=True, widget=forms.TextInput(attrs={"maxlength": NAME_MAX})
    )
    new_contact_email = forms.CharField(label="Contact email", required=False, max_length=254)
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Give the quote a title the client will recognise."},
    )
    currency = forms.ChoiceField(
        label="Currency",
        choices=CURRENCY_CHOICES,
        error_messages={"invalid_choice": "“%(value)s” is not a currency Quotery supports."},
    )
    issue_date = forms.DateField(
        label="Issue date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": "Enter a date like 2026-11-28.",
            "required": "Enter the issue date.",
        },
    )
    valid_until = forms.DateField(
        label="Valid until",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": "Enter a date like 2026-12-28.",
            "required": "Enter the last day the client can accept.",
        },
    )
    notes = forms.CharField(
        label="Notes for the client", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal_notes = forms.CharField(
        label="Internal notes (never shown to the client)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deposit_percent = forms.DecimalField(
        label="Deposit %",
        required=False,
        help_text="The share of the total the client pays on acceptance; 0 or empty for none. "
        "The client sees it before accepting, in the words they agree to.",
        error_messages={"invalid": "Enter a number between 0 and 100, like 30 or 12.5."},
        widget=FastTextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, choices: EditorChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["client"], [("", "Choose a client…"), *choices.client_options])
        client = self.data.get("client") if self.is_bound else self.initial.get("client")
        client_id = posted_id(str(client or ""))
        _set_choices(
            self.fields["contact"], [("", "No contact"), *choices.contact_options_for(client_id)]
        )


class SectionForm(PathForm):
    title = forms.CharField(
        label="Section title",
        required=False,
        max_length=200,
        error_messages={"max_length": "Keep the section title under 200 characters."},
    )
    choose_one = forms.BooleanField(
        label="Choose one",
        required=False,
        help_text="The client picks exactly one of this section's lines; tick Starts included "
        "on the one chosen at first.",
    )


class LineForm(PathForm):
    product = forms.TypedChoiceField(
        label="Product", required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    description = forms.CharField(label="Description", required=False, widget=FastTextInput)
    quantity = decimal_field("Quantity")
    unit_price = decimal_field("Unit price", example="120 or 99.90")
    discount_percent = decimal_field("Discount %", required=False, example="0 or 12.5")
    tax_rate = decimal_field("Tax %", required=False, example="20 or 7.5")
    # Options the client chooses (quotery.quotes.options); judged by quotes.rules.
    optional = forms.BooleanField(label="Optional", required=False)
    included_by_default = forms.BooleanField(label="Starts included", required=False)
    min_quantity = decimal_field("Min quantity", required=False, example="1 or 2.5")
    max_quantity = decimal_field("Max quantity", required=False, example="10 or 12.5")

    def __init__(self, *args: Any, choices: EditorChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["product"], [("", "Free text line"), *choices.product_options])
