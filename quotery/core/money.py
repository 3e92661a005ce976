"""Money arithmetic. Decimal only; every amount is rounded half-up to the currency's minor unit.

Rules (DESIGN.md): each line is rounded on its own, totals are sums of rounded lines, tax is
computed per rate on the sum of the lines at that rate and rounded once per rate.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.formats import number_format

# ISO 4217 minor units of the currencies a quote can be written in.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2, "CZK": 2,
    "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2,
    "ISK": 0, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2, "NOK": 2, "NZD": 2, "OMR": 3,
    "PLN": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "USD": 2, "VND": 0,
    "ZAR": 2,
}  # fmt: skip

CURRENCY_SYMBOLS: dict[str, str] = {
    "EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "CHF": "CHF ", "INR": "₹",
    "AUD": "A$", "CAD": "CA$", "NZD": "NZ$", "SEK": "kr ", "NOK": "kr ", "DKK": "kr ",
}  # fmt: skip

CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCY_MINOR_UNITS)]

HUNDRED = Decimal(100)


class UnknownCurrency(ValueError):
    pass


def _unknown(currency: str) -> UnknownCurrency:
    return UnknownCurrency(f"{currency!r} is not a currency Quotery knows.")


def minor_unit_exponent(currency: str) -> int:
    try:
        return CURRENCY_MINOR_UNITS[currency]
    except KeyError:
        raise _unknown(currency) from None


# Each currency's minor unit as a Decimal (0.01, 1, 0.001): made once, as rounding asks for it
# on every amount.
_QUANTA = {code: Decimal(1).scaleb(-places) for code, places in CURRENCY_MINOR_UNITS.items()}


def quantum(currency: str) -> Decimal:
    try:
        return _QUANTA[currency]
    except KeyError:
        raise _unknown(currency) from None


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up (away from zero on a tie) to the currency's minor unit."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    rounded = amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)
    # -0.004 rounds to -0.00; a zero amount carries no sign, so its canonical string is "0.00".
    return abs(rounded) if rounded.is_zero() else rounded


def money_str(amount: Decimal, currency: str) -> str:
    """The canonical string of an amount: fixed minor-unit digits, no exponent ('1234.50')."""
    return f"{round_money(amount, currency):f}"


# Languages that write the amount first and the symbol after it, with a space
# ("1.234,56 €"); the others put the symbol first ("€1,234.56").
SYMBOL_AFTER_LANGUAGES = frozenset({"de"})


def format_money(amount: Decimal, currency: str) -> str:
    """Human form for pages and documents, in the active language: symbol, thousands
    separators, minor digits ("€1,234.56" in English, "1.234,56 €" in German)."""
    rounded = round_money(amount, currency)
    return money_text(
        abs(rounded), currency, digits=minor_unit_exponent(currency), negative=rounded < 0
    )


def money_text(amount: Decimal, currency: str, *, digits: int, negative: bool = False) -> str:
    """`amount` (not negative) with `digits` decimals and the currency written as the active
    language writes it. The separators are Django's for that language (its format files)."""
    language = (translation.get_language() or "en").split("-")[0]
    sign = "-" if negative else ""
    number = number_format(amount, decimal_pos=digits, use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency)
    if language in SYMBOL_AFTER_LANGUAGES:
        return f"{sign}{number} {(symbol or currency).strip()}"
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {currency}"


def decimal_places(value: Decimal) -> int:
    """Decimal places without trailing zeros ("1.50": 1). Read off the digits, not through
    normalize(), which rounds 1E-999999999 to 0 in the default context."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return 0
    significant = "".join(map(str, digits)).rstrip("0")
    return max(0, -exponent - (len(digits) - len(significant))) if significant else 0


# A deposit is a share of the total in percent with at most this many decimal places.
DEPOSIT_PERCENT_PLACES = 2


def deposit_amount(total: Decimal, percent: Decimal, currency: str) -> Decimal:
    """`percent` % of `total`, rounded half-up to the currency's minor unit, once.

    Exact: `total` has at most 18 digits and `percent` at most 5, so their product fits the
    default context's 28 digits, and dividing by 100 only moves the exponent (`scaleb`).
    0 % is nothing; 100 % is the whole (rounded) total."""
    if not isinstance(total, Decimal) or not isinstance(percent, Decimal):
        raise TypeError("money and percentages must be Decimal")
    if not percent.is_finite() or not Decimal(0) <= percent <= HUNDRED:
        raise ValueError(f"a deposit is between 0 and 100 %, not {percent}")
    return round_money((total * percent).scaleb(-2), currency)
