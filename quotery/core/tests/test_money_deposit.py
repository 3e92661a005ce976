"""deposit_amount: a percentage of a total, rounded half-up once to the currency's minor
unit, in every currency (0, 2 and 3 decimals). Expected values come from integer arithmetic
in minor units (`reference_round`), never from the code under test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotery.core.money import CURRENCY_MINOR_UNITS, deposit_amount, money_str
from quotery.core.tests.test_money import as_minor_units, reference_round

FAST = settings(max_examples=300, deadline=None)
CURRENCIES = sorted(CURRENCY_MINOR_UNITS)
# The money columns: 18 digits, the quote total at most 10^15 (quotes.rules).
MAX_TOTAL_UNITS = 10**15


@pytest.mark.parametrize(
    ("total", "percent", "currency", "expected"),
    [
        ("1000.00", "30", "EUR", "300.00"),
        ("21.39", "30", "EUR", "6.42"),  # 6.417 rounds up
        ("0.05", "50", "EUR", "0.03"),  # 0.025: a tie rounds up, not to even
        ("0.15", "50", "USD", "0.08"),  # 0.075
        ("999", "12.5", "JPY", "125"),  # 124.875, no minor unit
        ("1", "50", "JPY", "1"),  # 0.5 rounds up
        ("10.005", "33.33", "KWD", "3.335"),  # 3.3346665, three decimals
        ("1234.56", "0", "EUR", "0.00"),
        ("1234.56", "100", "EUR", "1234.56"),
        ("1234.56", "0.01", "EUR", "0.12"),  # 0.123456
    ],
)
def test_examples(total: str, percent: str, currency: str, expected: str) -> None:
    assert money_str(deposit_amount(Decimal(total), Decimal(percent), currency), currency) == (
        expected
    )


@FAST
@given(
    currency=st.sampled_from(CURRENCIES),
    total_units=st.integers(min_value=0, max_value=MAX_TOTAL_UNITS),
    percent_hundredths=st.integers(min_value=0, max_value=10_000),
)
def test_the_deposit_is_the_share_rounded_half_up_once(
    currency: str, total_units: int, percent_hundredths: int
) -> None:
    minor = CURRENCY_MINOR_UNITS[currency]
    total = Decimal(total_units).scaleb(-minor)
    percent = Decimal(percent_hundredths).scaleb(-2)

    deposit = deposit_amount(total, percent, currency)

    # total × percent / 100 in minor units: units × hundredths / 10^4, rounded half-up
    assert as_minor_units(deposit, minor) == reference_round(total_units * percent_hundredths, 4, 0)
    # exactly the currency's decimals, never more than the total, never negative
    assert -deposit.as_tuple().exponent == minor  # type: ignore[operator]
    assert Decimal(0) <= deposit <= total


@FAST
@given(
    currency=st.sampled_from(CURRENCIES),
    total_units=st.integers(min_value=0, max_value=MAX_TOTAL_UNITS),
)
def test_none_and_all(currency: str, total_units: int) -> None:
    total = Decimal(total_units).scaleb(-CURRENCY_MINOR_UNITS[currency])
    assert deposit_amount(total, Decimal(0), currency) == 0
    assert deposit_amount(total, Decimal(100), currency) == total


@pytest.mark.parametrize("percent", ["-1", "100.01", "NaN", "Infinity"])
def test_a_percent_outside_0_to_100_is_refused(percent: str) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        deposit_amount(Decimal("100.00"), Decimal(percent), "EUR")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        deposit_amount(100.0, Decimal(30), "EUR")  # type: ignore[arg-type]
