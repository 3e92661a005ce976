"""Payment references: the company's format checked when saved, and filled per payment by
one pass of our own substitution (never str.format), in characters banks carry, however
hostile the client's name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotery.billing.references import (
    REFERENCE_MAX,
    SEPA_CHARACTERS,
    payment_reference,
    reference_format_problem,
)

VALUES = {"quote_number": "Q-2026-0042", "client": "Müller & Söhne GmbH", "year": "2026"}


@pytest.mark.parametrize(
    ("reference_format", "expected"),
    [
        ("{quote_number}", "Q-2026-0042"),
        ("INV-{quote_number}", "INV-Q-2026-0042"),
        ("{quote_number} {client}", "Q-2026-0042 Muller Sohne GmbH"),  # accents folded, & gone
        ("{year}/{quote_number}", "2026/Q-2026-0042"),
    ],
)
def test_formats_fill_in(reference_format: str, expected: str) -> None:
    assert reference_format_problem(reference_format) is None
    assert payment_reference(reference_format, VALUES) == expected


@pytest.mark.parametrize(
    ("reference_format", "message"),
    [
        ("", "Enter a reference format, like INV-{quote_number}. It can use {quote_number}, "
         "{client}, {year}."),
        ("INV-{client}", "Include {quote_number}, so each payment can be matched to its quote."),
        ("{quote_number}-{0.__class__}", "“{0.__class__}” is not a placeholder. Use "
         "{quote_number}, {client}, {year}."),
        ("{quote_number!r}", "“{quote_number!r}” is not a placeholder. Use {quote_number}, "
         "{client}, {year}."),
        ("{{quote_number}}", "Use braces only around a placeholder, like {quote_number}; the "
         "placeholders are {quote_number}, {client}, {year}."),
        ("{quote_number", "Use braces only around a placeholder, like {quote_number}; the "
         "placeholders are {quote_number}, {client}, {year}."),
        ("INV_{quote_number}#", "Banks do not carry these characters in a payment reference: "
         "'#' '_'. Use letters a-z, digits, spaces and / - ? : ( ) . , ' +"),
        ("{quote_number}" + "x" * 50, "Keep the reference format under 60 characters."),
    ],
)  # fmt: skip
def test_bad_formats_are_explained(reference_format: str, message: str) -> None:
    assert reference_format_problem(reference_format) == message


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        ("{quote_number}", "Q-2026-0042 quote number"),  # stays text: one pass
        ("{0.__class__.__mro__}", "Q-2026-0042 0. class . mro"),
        ("<script>alert(1)</script>", "Q-2026-0042 script alert(1) /script"),
        ("Evil\r\nBcc: x@example.com", "Q-2026-0042 Evil Bcc: x example.com"),
        ("\u202eHacker\u202c Ltd", "Q-2026-0042 Hacker Ltd"),  # bidi controls gone
        ("山田商事", "Q-2026-0042"),  # nothing a SEPA reference carries
        ("Ærø 🚀 Œuvre Straße Łódź", "Q-2026-0042 AEro OEuvre Strasse Lodz"),
    ],
)
def test_hostile_client_names_stay_plain_text(client: str, expected: str) -> None:
    values = {**VALUES, "client": client}
    assert payment_reference("{quote_number} {client}", values) == expected


def test_an_invalid_stored_format_falls_back_to_the_quote_number() -> None:
    assert payment_reference("{client.__init__}", VALUES) == "Q-2026-0042"


@settings(max_examples=300, deadline=None)
@given(client=st.text(max_size=600))
def test_any_client_name_gives_a_bank_safe_reference(client: str) -> None:
    reference = payment_reference("INV {quote_number} {client}", {**VALUES, "client": client})
    assert reference.startswith("INV Q-2026-0042")
    assert set(reference) <= SEPA_CHARACTERS
    assert len(reference) <= REFERENCE_MAX
    assert reference == reference.strip() and "  " not in reference
