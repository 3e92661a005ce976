"""The webhook endpoint form: HTTP input only; the service checks and words the rules."""

from __future__ import annotations

from django import forms

from quotery.core.forms import PassedOnTextField
from quotery.webhooks.event_types import EventType
from quotery.webhooks.models import DESCRIPTION_MAX_LENGTH, URL_MAX_LENGTH, WebhookEndpoint


class EndpointForm(forms.Form):
    url = PassedOnTextField(
        label="Endpoint URL",
        help_text="Where Quotery POSTs each event, e.g. https://crm.example.com/webhooks/quotery.",
        widget=forms.URLInput(attrs={"maxlength": URL_MAX_LENGTH, "autocomplete": "off"}),
    )
    event_types = forms.MultipleChoiceField(
        label="Events to send",
        choices=[(value, f"{value}: {label}") for value, label in EventType.choices],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    description = PassedOnTextField(
        label="Description (optional)",
        help_text="For you: which system receives these events.",
        widget=forms.TextInput(attrs={"maxlength": DESCRIPTION_MAX_LENGTH}),
    )

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint) -> EndpointForm:
        return cls(
            initial={
                "url": endpoint.url,
                "event_types": endpoint.event_types,
                "description": endpoint.description,
            }
        )
