"""Form plumbing shared by every app: how a field renders, and service errors on a form."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates

from quotery.core.exceptions import ValidationFailed


class QuoteryFormRenderer(DjangoTemplates):
    """Label without a trailing colon, input, help, then errors."""

    field_template_name = "core/forms/field.html"


def add_service_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Shows a service's errors beside the fields they name (or above the form)."""
    if not error.field_errors:
        form.add_error(None, error.message)
    for name, messages in error.field_errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
