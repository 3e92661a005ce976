"""IBAN and BIC checks: real IBANs pass however they are typed; a mistyped character, a
wrong length or a wrong shape gets a sentence that says which."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotery.billing.bank_details import (
    bic_problem,
    iban_grouped,
    iban_normalized,
    iban_problem,
)

# Published example IBANs (banks' and registries' documentation).
VALID = [
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "NL91ABNA0417164300",
    "FR1420041010050500013M02606",
    "BE68539007547034",
    "NO9386011117947",
    "CH9300762011623852957",
    "AT611904300234573201",
]


@pytest.mark.parametrize("iban", VALID)
def test_published_ibans_pass(iban: str) -> None:
    assert iban_problem(iban) is None


@pytest.mark.parametrize(
    "typed",
    ["DE89 3704 0044 0532 0130 00", "de89370400440532013000", " DE89-3704-0044.0532013000 "],
)
def test_spaces_dashes_and_lower_case_are_how_people_type_them(typed: str) -> None:
    assert iban_problem(typed) is None
    assert iban_normalized(typed) == "DE89370400440532013000"
    assert iban_grouped(iban_normalized(typed)) == "DE89 3704 0044 0532 0130 00"


def test_a_mistyped_digit_is_named_as_a_check_digit_mismatch() -> None:
    assert iban_problem("DE89370400440532013001") == (
        "This IBAN's check digits do not match the rest of it, so a character is probably "
        "mistyped. Copy it again from your bank statement."
    )


def test_a_wrong_length_names_the_country_and_both_lengths() -> None:
    assert iban_problem("DE8937040044053201300") == (
        "An IBAN from DE has 22 characters; this one has 21. Check for a missing or extra "
        "character."
    )


@pytest.mark.parametrize(
    "typed",
    [
        "12345678901234567890",
        "DE",
        "DEXX370400440532013000",
        "DE89 3704 0044 0532 0130 0€",
        "x" * 40,
    ],
)
def test_a_wrong_shape_says_what_an_iban_looks_like(typed: str) -> None:
    assert iban_problem(typed) == (
        "An IBAN is two letters for the country, two check digits, then the account number "
        "in letters and digits, like DE89 3704 0044 0532 0130 00."
    )


def test_empty_is_not_a_problem_here() -> None:
    # whether an IBAN is needed at all is the service's question
    assert iban_problem("") is None
    assert iban_problem("   ") is None


@settings(max_examples=300, deadline=None)
@given(
    iban=st.sampled_from(VALID),
    data=st.data(),
)
def test_every_single_character_substitution_is_caught(iban: str, data: st.DataObject) -> None:
    # mod 97 catches every change of one character (ISO 7064)
    position = data.draw(st.integers(min_value=2, max_value=len(iban) - 1))
    alphabet = "0123456789" if iban[position].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    other = data.draw(st.sampled_from([ch for ch in alphabet if ch != iban[position]]))
    changed = iban[:position] + other + iban[position + 1 :]
    assert iban_problem(changed) is not None


@pytest.mark.parametrize("bic", ["COBADEFFXXX", "COBADEFF", "deutdeff500", "NWBK GB 2L"])
def test_bics_pass(bic: str) -> None:
    assert bic_problem(bic) is None


@pytest.mark.parametrize("bic", ["COBADEF", "COBA1EFF", "COBADEFFXX", "COBA€EFF"])
def test_a_bic_of_the_wrong_shape_is_explained(bic: str) -> None:
    assert bic_problem(bic) == (
        "A BIC (SWIFT code) has 8 or 11 letters and digits: bank, country, place and an "
        "optional branch, like COBADEFFXXX."
    )
