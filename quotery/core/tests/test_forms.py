"""The shared form fields: text handed on to a service, typed names, ids from a form."""

from __future__ import annotations

import pytest
from django import forms

from quotery.core.forms import NameField, PassedOnTextField, posted_id


class AnswerForm(forms.Form):
    body = PassedOnTextField()


class PersonForm(forms.Form):
    name = NameField(whose="the person's", max_length=20)


@pytest.mark.parametrize("typed", ["Hello\x00there", "\u202e", "", " x "])
def test_security_21_text_handed_on_is_always_there_as_typed(typed):
    # a NUL made Django's CharField drop the value, and the view's cleaned_data["body"] 500
    form = AnswerForm({"body": typed})
    assert form.is_valid()
    assert form.cleaned_data["body"] == typed


def test_text_handed_on_is_empty_when_missing():
    form = AnswerForm({})
    assert form.is_valid()
    assert form.cleaned_data["body"] == ""


@pytest.mark.parametrize(
    ("typed", "errors"),
    [
        ("Ada Lovelace", None),
        ("  Ada  ", None),
        ("\u200b\u200b", ["Type the person's name with at least one letter."]),
        (
            "Ada\x00",
            [
                "The person's name must be one line, without invisible control characters. "
                "Please type it again."
            ],
        ),
        ("Ada\u200f", ["The person's name must be one line, without invisible control "
                       "characters. Please type it again."]),
        ("A" * 21, ["Ensure this value has at most 20 characters (it has 21)."]),
    ],
)  # fmt: skip
def test_security_21_a_name_field_takes_only_names_that_show(typed, errors):
    form = PersonForm({"name": typed})
    assert form.is_valid() is (errors is None)
    if errors is None:
        assert form.cleaned_data["name"] == typed.strip()
    else:
        assert form.errors["name"] == errors


def test_a_name_field_limits_the_input_like_a_char_field():
    assert 'maxlength="20"' in str(PersonForm()["name"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("9" * 18, 999_999_999_999_999_999),
        ("9" * 19, None),
        ("1" + "0" * 5000, None),
        ("²", None),  # str.isdigit() says yes; int() refuses it
        ("١٢", None),  # Arabic-Indic digits: int() reads them, a form never sends them
        ("-1", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        (None, None),
    ],
)
def test_security_21_an_id_from_a_form_is_ascii_digits_that_fit_a_column(raw, expected):
    assert posted_id(raw) == expected
