"""The payment instructions form: what an admin types; the rules are the service's."""

from __future__ import annotations

from django import forms

from quotery.billing.bank_details import iban_grouped
from quotery.billing.models import PaymentInstructions
from quotery.billing.references import FORMAT_MAX, PLACEHOLDER_LIST
from quotery.billing.services import ACCOUNT_HOLDER_MAX, TERMS_MAX, InstructionsInput


class PaymentInstructionsForm(forms.Form):
    # Lengths are the service's to judge (with a sentence); the attributes only help typing.
    account_holder = forms.CharField(
        label="Account holder",
        required=False,
        help_text="The name on the bank account, as your bank writes it.",
        widget=forms.TextInput(attrs={"maxlength": ACCOUNT_HOLDER_MAX, "autocomplete": "off"}),
    )
    iban = forms.CharField(
        label="IBAN",
        required=False,
        help_text="Spaces are fine, like DE89 3704 0044 0532 0130 00.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label="BIC (SWIFT code)",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reference_format = forms.CharField(
        label="Payment reference format",
        required=False,
        help_text=f"What clients write on the transfer. Placeholders: {PLACEHOLDER_LIST}; "
        "for example INV-{quote_number}.",
        widget=forms.TextInput(attrs={"maxlength": FORMAT_MAX, "spellcheck": "false"}),
    )
    terms = forms.CharField(
        label="Payment terms",
        required=False,
        help_text="Shown to the client with the bank details, like “Payable within 14 days.”",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TERMS_MAX}),
    )

    @classmethod
    def for_instructions(cls, instructions: PaymentInstructions) -> PaymentInstructionsForm:
        return cls(
            initial={
                "account_holder": instructions.account_holder,
                "iban": iban_grouped(instructions.iban),
                "bic": instructions.bic,
                "reference_format": instructions.reference_format,
                "terms": instructions.terms,
            }
        )

    def instructions_input(self) -> InstructionsInput:
        data = self.cleaned_data
        return InstructionsInput(
            account_holder=data["account_holder"],
            iban=data["iban"],
            bic=data["bic"],
            reference_format=data["reference_format"],
            terms=data["terms"],
        )
