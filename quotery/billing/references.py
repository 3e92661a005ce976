"""The payment reference a client writes on their transfer, made from the company's format.

The format is plain text with placeholders: `{quote_number}`, `{client}` and `{year}`. It is
filled by this module's own substitution, never by `str.format` (which would evaluate
`{0.__class__}` and friends), in one pass, so a client named "{quote_number}" stays text.
Every character of a reference is one banks carry in a SEPA credit transfer's remittance
information (letters a-z, digits, space and / - ? : ( ) . , ' +), so the reference reaches
the company's bank statement as written; it is at most 140 characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

PLACEHOLDERS = ("quote_number", "client", "year")
DEFAULT_FORMAT = "{quote_number}"
FORMAT_MAX = 60
REFERENCE_MAX = 140
SEPA_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ "
)
# Latin letters that Unicode does not decompose into a base letter and an accent.
LATIN_LETTERS = str.maketrans(
    {"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L",
     "ł": "l", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "ı": "i"}
)  # fmt: skip
# A placeholder, or a lone brace (which the format check refuses).
TOKEN = re.compile(r"\{([^{}]*)\}|[{}]")
PLACEHOLDER_LIST = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def reference_format_problem(value: str) -> str | None:
    """Why `value` cannot be a reference format, or None."""
    if not value.strip():
        return (
            f"Enter a reference format, like INV-{{quote_number}}. It can use {PLACEHOLDER_LIST}."
        )
    if len(value) > FORMAT_MAX:
        return f"Keep the reference format under {FORMAT_MAX} characters."
    names = []
    for match in TOKEN.finditer(value):
        name = match.group(1)
        if name is None:
            return (
                "Use braces only around a placeholder, like {quote_number}; "
                f"the placeholders are {PLACEHOLDER_LIST}."
            )
        if name not in PLACEHOLDERS:
            shown = name if len(name) <= 20 else name[:19] + "…"
            return f"“{{{shown}}}” is not a placeholder. Use {PLACEHOLDER_LIST}."
        names.append(name)
    if "quote_number" not in names:
        return "Include {quote_number}, so each payment can be matched to its quote."
    outside = TOKEN.sub("", value)
    wrong = sorted({ch for ch in outside if ch not in SEPA_CHARACTERS})
    if wrong:
        shown = " ".join(repr(ch) for ch in wrong[:5])
        return (
            f"Banks do not carry these characters in a payment reference: {shown}. Use "
            "letters a-z, digits, spaces and / - ? : ( ) . , ' +"
        )
    return None


def sepa_text(value: str) -> str:
    """`value` in the characters a SEPA reference carries: accents dropped (é becomes e,
    ß ss), anything else a space, spaces collapsed."""
    folded = unicodedata.normalize("NFKD", value.translate(LATIN_LETTERS))
    kept = "".join(ch if ch in SEPA_CHARACTERS else " " for ch in folded if not _is_mark(ch))
    return " ".join(kept.split())


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def payment_reference(reference_format: str, values: Mapping[str, str]) -> str:
    """The reference for one payment: each placeholder replaced by its value made SEPA-safe,
    in one pass; at most REFERENCE_MAX characters. A format that is not valid (it was
    checked when saved; this is the last guard) falls back to the default."""
    if reference_format_problem(reference_format) is not None:
        reference_format = DEFAULT_FORMAT

    def fill(match: re.Match[str]) -> str:
        return sepa_text(values.get(match.group(1) or "", ""))

    return " ".join(TOKEN.sub(fill, reference_format).split())[:REFERENCE_MAX].strip()
