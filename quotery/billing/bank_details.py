"""Bank details a company asks its clients to pay to: IBAN (ISO 13616, checked by its
mod-97 check digits and its country's length) and BIC (ISO 9362). Each check returns the
sentence a person reads, or None when the value is fine."""

from __future__ import annotations

import re

# IBAN lengths by country (SWIFT's IBAN registry). A country not listed is checked by the
# general shape and the check digits only, so a new IBAN country is not refused.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
IBAN_SHAPE = re.compile(r"\A[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\Z", re.ASCII)
BIC_SHAPE = re.compile(r"\A[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\Z", re.ASCII)
IBAN_EXAMPLE = "DE89 3704 0044 0532 0130 00"
# People paste IBANs with spaces, dashes or dots between the groups.
SEPARATORS = re.compile(r"[\s\-.]+")


def iban_normalized(value: str) -> str:
    """As stored: without separators, upper case ("DE89370400440532013000")."""
    return SEPARATORS.sub("", value).upper()


def iban_grouped(iban: str) -> str:
    """As printed: groups of four ("DE89 3704 0044 0532 0130 00")."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def iban_checksum_ok(iban: str) -> bool:
    """ISO 7064 mod 97-10: the country and check digits moved to the end, letters as
    10..35, the number leaves 1 when divided by 97."""
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def iban_problem(value: str) -> str | None:
    """Why `value` is not an IBAN a client can pay to, or None."""
    iban = iban_normalized(value)
    if not iban:
        return None
    if not iban.isascii() or not IBAN_SHAPE.match(iban):
        return (
            "An IBAN is two letters for the country, two check digits, then the account "
            f"number in letters and digits, like {IBAN_EXAMPLE}."
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return (
            f"An IBAN from {iban[:2]} has {expected} characters; this one has {len(iban)}. "
            "Check for a missing or extra character."
        )
    if not iban_checksum_ok(iban):
        return (
            "This IBAN's check digits do not match the rest of it, so a character is "
            "probably mistyped. Copy it again from your bank statement."
        )
    return None


def bic_normalized(value: str) -> str:
    return SEPARATORS.sub("", value).upper()


def bic_problem(value: str) -> str | None:
    """Why `value` is not a BIC, or None."""
    bic = bic_normalized(value)
    if not bic:
        return None
    if not bic.isascii() or not BIC_SHAPE.match(bic):
        return (
            "A BIC (SWIFT code) has 8 or 11 letters and digits: bank, country, place and "
            "an optional branch, like COBADEFFXXX."
        )
    if bic[4:6] == "XX" or not bic[4:6].isalpha():
        return "The 5th and 6th characters of a BIC are the bank's country, like DE or GB."
    return None
