from __future__ import annotations

from django import forms

from quotery.api.keys import NAME_MAX
from quotery.api.models import KeyScope


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="What uses the key, like “CRM sync”, so you know which one to revoke.",
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=[
            (KeyScope.READ, "Read: lists and reads quotes, clients, products and the rest"),
            (
                KeyScope.WRITE,
                "Read and write: also creates and edits quotes, shares them, "
                "and sets payment status",
            ),
        ],
        initial=KeyScope.READ,
        widget=forms.RadioSelect,
    )
