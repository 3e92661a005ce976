"""Form plumbing shared by every app: how a field renders, fields that hand text on to the
rules in quotery.core.text or to a service, ids read from a form, and service errors on a
form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.renderers import DjangoTemplates

from quotery.core.exceptions import ValidationFailed
from quotery.core.text import name_problem

# A database id fits a signed 64-bit column: 18 digits always do.
ID_DIGITS_MAX = 18


class QuoteryFormRenderer(DjangoTemplates):
    """Label without a trailing colon, input, help, then errors."""

    field_template_name = "core/forms/field.html"


def _without_nul_validator(field: forms.CharField) -> None:
    # Django's own NUL check words its message for developers and, failing the field,
    # leaves the value out of cleaned_data; our rules refuse NUL in the person's words.
    field.validators = [
        v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
    ]


class PassedOnTextField(forms.CharField):
    """Text handed to a service exactly as typed: the service judges it (and words the
    errors), so this field refuses nothing and is always in cleaned_data, even with a NUL
    in it. Optional and unstripped unless told otherwise."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        _without_nul_validator(self)


class NameField(forms.CharField):
    """A name a person types (a client, a contact, a member): one line with at least one
    letter or digit (`quotery.core.text.name_problem`, whose messages begin with `whose`).
    Its length is the CharField's `max_length`, with the field's own message."""

    def __init__(self, *, whose: str, **kwargs: Any) -> None:
        self.whose = whose
        super().__init__(**kwargs)
        _without_nul_validator(self)

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = name_problem(value, whose=self.whose) if value else None
        if problem:
            raise ValidationError(problem, code="name")


def posted_id(raw: object) -> int | None:
    """A row id sent in a form, or None for anything else. ASCII digits only: str.isdigit()
    also takes "²", which int() refuses, and a 5,000-digit number is no id either."""
    text = raw if isinstance(raw, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS_MAX:
        return int(text)
    return None


def add_service_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Shows a service's errors beside the fields they name (or above the form)."""
    if not error.field_errors:
        form.add_error(None, error.message)
    for name, messages in error.field_errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
