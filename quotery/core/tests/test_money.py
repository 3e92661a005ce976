"""Money helpers: Decimal only, half-up at the currency's minor unit, a canonical string form.

The expected values come from integer arithmetic in minor units, not from Decimal's quantize,
so a slip in the code's rounding mode or exponent shows up as a mismatch.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotery.core.money import (
    CURRENCY_MINOR_UNITS,
    UnknownCurrency,
    format_money,
    minor_unit_exponent,
    money_str,
    quantum,
    round_money,
)

FAST = settings(max_examples=200, deadline=None)


def reference_round(units: int, scale: int, minor: int) -> int:
    """`units / 10**scale` rounded half-up (ties away from zero) to `minor` decimals, as an
    integer count of minor units. Integer arithmetic only."""
    if scale <= minor:
        return units * 10 ** (minor - scale)
    divisor = 10 ** (scale - minor)
    magnitude, remainder = divmod(abs(units), divisor)
    if 2 * remainder >= divisor:
        magnitude += 1
    return magnitude if units >= 0 else -magnitude


def as_minor_units(amount: Decimal, minor: int) -> int:
    scaled = amount.scaleb(minor)
    assert scaled == scaled.to_integral_value(), f"{amount} has more than {minor} decimals"
    return int(scaled)


# -- rounding: ties, signs, minor units --------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "EUR", "2.35"),  # a tie rounds up, not to even
        ("2.335", "EUR", "2.34"),
        ("-2.345", "EUR", "-2.35"),  # half-up is away from zero on a negative tie
        ("2.3449999", "EUR", "2.34"),
        ("0.005", "USD", "0.01"),
        ("0.004", "USD", "0.00"),
        ("0.5", "JPY", "1"),  # zero-decimal currency: a tie rounds up
        ("2.5", "JPY", "3"),  # not banker's rounding (which would give 2)
        ("1234.4999", "JPY", "1234"),
        ("-0.5", "JPY", "-1"),
        ("1.0005", "KWD", "1.001"),  # three-decimal currency
        ("1.0004999", "KWD", "1.000"),
        ("12.3455", "BHD", "12.346"),
        ("99.5", "CLP", "100"),
    ],
)
def test_round_money_is_half_up_at_the_minor_unit(amount, currency, expected):
    # given an amount with more digits than the currency has
    # when it is rounded
    rounded = round_money(Decimal(amount), currency)
    # then it is rounded half-up to exactly the currency's minor digits
    assert f"{rounded:f}" == expected
    assert rounded.as_tuple().exponent == -CURRENCY_MINOR_UNITS[currency]


@FAST
@given(
    units=st.integers(min_value=-(10**18), max_value=10**18),
    scale=st.integers(min_value=0, max_value=8),
    currency=st.sampled_from(sorted(CURRENCY_MINOR_UNITS)),
)
def test_round_money_matches_integer_reference(units, scale, currency):
    minor = CURRENCY_MINOR_UNITS[currency]
    amount = Decimal(units).scaleb(-scale)
    rounded = round_money(amount, currency)
    assert as_minor_units(rounded, minor) == reference_round(units, scale, minor)


@FAST
@given(
    whole=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_exact_ties_always_round_away_from_zero(whole, currency):
    # given x.5 of a minor unit (a tie) for a positive and a negative amount
    minor = CURRENCY_MINOR_UNITS[currency]
    tie = (Decimal(whole) + Decimal("0.5")).scaleb(-minor)
    # then the positive one goes up and the negative one goes down by half a unit
    assert as_minor_units(round_money(tie, currency), minor) == whole + 1
    assert as_minor_units(round_money(-tie, currency), minor) == -(whole + 1)


def test_minor_units_of_zero_two_and_three_decimal_currencies():
    assert minor_unit_exponent("JPY") == 0
    assert minor_unit_exponent("EUR") == 2
    assert minor_unit_exponent("KWD") == 3
    assert quantum("JPY") == Decimal(1)
    assert quantum("EUR") == Decimal("0.01")
    assert quantum("KWD") == Decimal("0.001")


# -- no float, no unknown currency -------------------------------------------------------


@pytest.mark.parametrize("value", [2.345, 1, 0, True, "2.345", None])
def test_round_money_refuses_anything_but_decimal(value):
    with pytest.raises(TypeError, match="money must be Decimal"):
        round_money(value, "EUR")


def test_money_str_and_format_money_refuse_float():
    with pytest.raises(TypeError):
        money_str(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_money(0.1, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["XXX", "eur", "", "EURO"])
def test_unknown_currency_is_refused_with_a_clear_error(currency):
    with pytest.raises(UnknownCurrency, match="is not a currency Quotery knows"):
        round_money(Decimal("1.00"), currency)


# -- the canonical string -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1234.5", "EUR", "1234.50"),
        ("1E+3", "EUR", "1000.00"),  # never an exponent
        ("1E+3", "JPY", "1000"),
        ("0", "KWD", "0.000"),
        ("-0.001", "EUR", "0.00"),  # a negative zero is still zero
        ("-0.4", "JPY", "0"),
        ("-12.345", "EUR", "-12.35"),
    ],
)
def test_money_str_is_fixed_point_with_the_minor_digits(amount, currency, expected):
    assert money_str(Decimal(amount), currency) == expected


@FAST
@given(
    units=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(sorted(CURRENCY_MINOR_UNITS)),
)
def test_money_str_round_trips_through_decimal(units, currency):
    minor = CURRENCY_MINOR_UNITS[currency]
    amount = Decimal(units).scaleb(-minor)
    text = money_str(amount, currency)
    assert Decimal(text) == amount
    assert "E" not in text and "e" not in text
    assert len(text.partition(".")[2]) == minor


# -- the human form ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1234.5", "EUR", "€1,234.50"),
        ("-1234.5", "EUR", "-€1,234.50"),
        ("0.005", "GBP", "£0.01"),
        ("1234567.891", "USD", "$1,234,567.89"),
        ("1234.5", "JPY", "¥1,235"),
        ("1234.5678", "KWD", "1,234.568 KWD"),
        ("-0.0004", "KWD", "0.000 KWD"),
        ("99.999", "CHF", "CHF 100.00"),
        ("10", "SEK", "kr 10.00"),
    ],
)
def test_format_money(amount, currency, expected):
    assert format_money(Decimal(amount), currency) == expected


@FAST
@given(
    units=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(["EUR", "JPY", "KWD", "USD", "BHD"]),
)
def test_format_money_shows_the_rounded_amount(units, currency):
    # given any amount in minor units
    minor = CURRENCY_MINOR_UNITS[currency]
    amount = Decimal(units).scaleb(-minor)
    # when formatted for a person
    text = format_money(amount, currency)
    # then stripping the symbol and separators gives back the amount
    digits = "".join(ch for ch in text if ch.isdigit() or ch in ".-")
    assert Decimal(digits) == amount
    assert text.startswith("-") == (amount < 0)
