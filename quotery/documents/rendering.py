"""A quote's content as a branded PDF, typeset by Typst.

One compiler per process is reused for every render (fonts load once and Typst's caches stay
warm). The template `typst/quote.typ` is fixed; everything that varies travels as one JSON
document in `sys.inputs`, with money and dates already formatted here, so client text is
only ever a string value inside Typst and never becomes markup or code.

The same content and branding give the same bytes: the document has no creation date, only
the fonts embedded in the typst wheel are used (system fonts differ between machines), and
the PDF identifier Typst writes is derived from the document itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import typst
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from quotery.accounts.branding import (
    DEFAULT_BRAND_COLOUR,
    readable_on_white,
    usable_brand_colour,
)
from quotery.core.languages import active_language, long_date
from quotery.core.money import format_money, minor_unit_exponent, money_text
from quotery.quotes.options import configured_content, default_configuration, has_options

TEMPLATE_PATH = Path(__file__).parent / "typst" / "quote.typ"
# Fonts bundled with the templates (besides those in the typst wheel): Great Vibes, the
# script a signer's typed name is drawn in (SIL Open Font License, typst/fonts/OFL.txt).
FONT_DIR = Path(__file__).parent / "typst" / "fonts"
SIGNATURE_FONT = "Great Vibes"
# Bump when the template or the data built here changes what a PDF looks like: cached PDFs
# of older versions are then no longer used.
TEMPLATE_VERSION = "4"

# A run of this many characters without a space gets an invisible break opportunity after
# it, so a pasted URL or a long part number wraps inside its column instead of running off
# the page. (Copying the text out of the PDF gives the original characters back.)
LONGEST_UNBROKEN = 24
UNBROKEN_RUN = re.compile(rf"(\S{{{LONGEST_UNBROKEN}}})(?=\S)")

LOGO_FORMATS = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


def document_labels() -> dict[str, str]:
    """The document's fixed words, in the active language (the client's)."""
    return {
        "quote": _("Quote"),
        "prepared_for": _("Prepared for"),
        "prepared_by": _("Prepared by"),
        "issue_date": _("Date"),
        "valid_until": _("Valid until"),
        "description": _("Description"),
        "quantity": _("Qty"),
        "unit_price": _("Unit price"),
        "discount": _("Discount"),
        "tax": _("Tax"),
        "amount": _("Amount"),
        "no_lines": _("No lines in this section."),
        "section_subtotal": _("Subtotal"),
        "total": _("Total"),
        "notes": _("Notes"),
        "options_not_taken": _("Options not taken"),
        # The footer: "Page 1 of 3".
        "page": _("Page"),
        "page_of": _("of"),
    }


@dataclass(frozen=True)
class Branding:
    """What a company's PDF looks like: its name, colour, logo and text, and its time zone."""

    name: str
    colour: str = DEFAULT_BRAND_COLOUR
    logo: bytes | None = None
    logo_content_type: str = ""
    portal_text: str = ""
    time_zone: str = "UTC"


class QuoteDocumentError(Exception):
    """The quote could not be typeset (a defect in the template or its data, never the client's)."""


_compiler_lock = threading.Lock()
_compiler: typst.Compiler | None = None
_templates: dict[Path, bytes] = {}
_renders = 0


def render_count() -> int:
    """How many PDFs this process has typeset (a cached download typesets none)."""
    return _renders


def render_quote_pdf(
    content: dict[str, Any], branding: Branding, *, certificate: dict[str, Any] | None = None
) -> bytes:
    """The PDF of a quote's client-visible content (quotery.quotes.content), branded.

    Same content, branding and certificate -> the same bytes. `certificate`, when given,
    adds a last page of labelled facts: {"title": str, "intro": str, "rows": [{"label",
    "value"}]}, or instead of "rows" "sections": [{"title", "intro", "rows"}]; optionally
    "reference" and "signature" (the signer's name, drawn in a script font). Its "stamp",
    when given, marks page 1 as accepted: {"title" (the document's name, "Accepted quote"),
    "heading", "date_label", "date", "line", "signature", "reference_label", "reference",
    "sentence"} (all strings).
    """
    data = quote_document_data(content, branding, certificate=certificate)
    return _compile(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _compile(data_json: str, template_path: Path = TEMPLATE_PATH) -> bytes:
    """Typesets `template_path` (a template under typst/, read once per process) with the
    JSON document in `sys.inputs.data`, on the process's one compiler."""
    global _compiler, _renders
    with _compiler_lock:
        if _compiler is None:
            _compiler = typst.Compiler(font_paths=[str(FONT_DIR)], ignore_system_fonts=True)
        template = _templates.get(template_path)
        if template is None:
            template = _templates[template_path] = template_path.read_bytes()
        try:
            pdf = _compiler.compile(input=template, format="pdf", sys_inputs={"data": data_json})
        except typst.TypstError as error:
            raise QuoteDocumentError(
                f"The quote PDF could not be typeset: {error} {error.diagnostic}"
            ) from error
        _renders += 1
    if not isinstance(pdf, bytes):  # a single document always comes back as bytes
        raise QuoteDocumentError("The quote PDF could not be typeset: no document came back.")
    return pdf


def quote_document_data(
    content: dict[str, Any], branding: Branding, *, certificate: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON the template reads: every value a finished string, nothing left to compute.
    A quote with options is shown as its rep's defaults (the accepted PDF passes the content
    already shaped by the client's choices), with the options not taken listed apart."""
    if has_options(content):
        content = configured_content(content, default_configuration(content))
    currency = str(content["currency"])
    number = str(content.get("number") or "")
    title = str(content.get("title") or "")
    contact = content.get("contact") or {}
    prepared_by = content.get("prepared_by") or {}
    valid_until = _date_text(content.get("valid_until"))
    sections = [_section_data(section, currency) for section in content.get("sections", [])]
    stamp = _stamp_data((certificate or {}).get("stamp"))
    labels = document_labels()
    if stamp is not None:
        labels["quote"] = stamp["title"]
    return {
        "lang": active_language(),
        "document_title": f"{labels['quote']} {number}: {title}" if title else number,
        "labels": labels,
        "signature_font": SIGNATURE_FONT,
        "stamp": stamp,
        "brand": {
            "name": _text(branding.name),
            "colour": usable_brand_colour(branding.colour),
            "text_colour": readable_on_white(usable_brand_colour(branding.colour)),
            "portal_text": _text(branding.portal_text.strip()),
        },
        "logo": _logo_data(branding),
        "quote": {
            "number": _text(number),
            "title": _text(title),
            "client": _text(content.get("client")),
            "contact_name": _text(contact.get("name")),
            "contact_email": _text(contact.get("email")),
            "prepared_by_name": _text(prepared_by.get("name")),
            "prepared_by_email": _text(prepared_by.get("email")),
            "issue_date": _date_text(content.get("issue_date")),
            "valid_until": valid_until,
            "validity_sentence": (
                _("This quote is valid until the end of %(day)s (%(zone)s).")
                % {"day": valid_until, "zone": branding.time_zone}
                if valid_until
                else ""
            ),
            "notes": _text(str(content.get("notes") or "").replace("\r\n", "\n").strip()),
        },
        "sections": sections,
        "totals": {**_totals_data(content["totals"], currency), "deposit": _deposit_data(content)},
        "options_not_taken": [
            f"{_text(item['description'])} ({_text(item['section'])})"
            for item in content.get("options_not_taken", [])
        ],
        "certificate": _certificate_data(certificate),
    }


def _section_data(section: dict[str, Any], currency: str) -> dict[str, Any]:
    lines = section.get("lines", [])
    subtotal = sum((Decimal(line["net"]) for line in lines), Decimal(0))
    return {
        "title": _text(section.get("title")),
        "lines": [
            {
                "description": _text(line.get("description")),
                "sku": _text(line.get("sku")),
                "quantity": _number_text(line["quantity"]),
                "unit_price": unit_price_text(Decimal(line["unit_price"]), currency),
                "discount": _percent_text(line["discount_percent"], blank_if_zero=True),
                "tax": _percent_text(line["tax_rate"]),
                "amount": _money(line["net"], currency),
            }
            for line in lines
        ],
        "subtotal": format_money(subtotal, currency),
    }


def _totals_data(totals: dict[str, Any], currency: str) -> dict[str, Any]:
    subtotal = Decimal(totals["subtotal"])
    discount = Decimal(totals["discount"])
    rows: list[dict[str, str]] = []

    def row(label: str, amount: str) -> None:
        rows.append({"label": label, "amount": amount})

    if discount:
        row(_("Before discounts"), format_money(subtotal + discount, currency))
        row(_("Discounts"), "−" + format_money(discount, currency))
    row(_("Subtotal"), format_money(subtotal, currency))
    for tax in totals.get("taxes", []):
        row(
            _("Tax %(rate)s") % {"rate": _percent_text(tax["rate"])},
            _money(tax["amount"], currency),
        )
    return {"rows": rows, "total": _money(totals["total"], currency)}


def _deposit_data(content: dict[str, Any]) -> dict[str, str] | None:
    """The deposit a revision asks for, as the client page words it; None without one."""
    deposit = content.get("deposit")
    if not isinstance(deposit, dict):
        return None
    return {
        "label": _("Deposit %(percent)s, payable on acceptance")
        % {"percent": _percent_text(str(deposit["percent"]))},
        "amount": _money(str(deposit["amount"]), str(content["currency"])),
    }


def _certificate_data(certificate: dict[str, Any] | None) -> dict[str, Any] | None:
    if certificate is None:
        return None
    sections = certificate.get("sections")
    if sections is None:
        sections = [{"title": "", "intro": "", "rows": certificate.get("rows", [])}]
    return {
        "title": _text(certificate.get("title")),
        "reference": _text(certificate.get("reference")),
        "signature": _text(certificate.get("signature")),
        "intro": _text(certificate.get("intro")),
        "sections": [
            {
                "title": _text(section.get("title")),
                "intro": _text(section.get("intro")),
                "rows": [
                    {"label": _text(row["label"]), "value": _text(row["value"])}
                    for row in section.get("rows", [])
                ],
            }
            for section in sections
        ],
    }


STAMP_KEYS = (
    "title",
    "heading",
    "date_label",
    "date",
    "line",
    "signature",
    "reference_label",
    "reference",
    "sentence",
)


def _stamp_data(stamp: dict[str, Any] | None) -> dict[str, str] | None:
    """Page 1's acceptance stamp, every value a printable string."""
    if stamp is None:
        return None
    return {key: _text(stamp.get(key)) for key in STAMP_KEYS}


def _logo_data(branding: Branding) -> dict[str, Any] | None:
    if not branding.logo:
        return None
    logo_format = LOGO_FORMATS.get(branding.logo_content_type)
    if logo_format is None:
        return None
    if logo_format == "svg":
        try:
            return {"format": "svg", "svg": branding.logo.decode("utf-8")}
        except UnicodeDecodeError:
            return None
    # Typst reads image bytes from an array of byte values: JSON has no bytes type, and the
    # typst binding's in-memory files must be UTF-8 text.
    return {"format": logo_format, "raster": list(branding.logo)}


def _text(value: object) -> str:
    """Client or company text as the template prints it: a string, long runs breakable."""
    if value is None:
        return ""
    return UNBROKEN_RUN.sub("\\1\u200b", str(value))


def _money(amount: str, currency: str) -> str:
    return format_money(Decimal(amount), currency)


def unit_price_text(price: Decimal, currency: str) -> str:
    """A unit price with the currency's minor digits, or more when the price has them
    (0.1234 EUR stays "€0.1234": rounding it would misstate every line)."""
    digits = minor_unit_exponent(currency)
    exponent = price.normalize().as_tuple().exponent
    extra = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if extra <= digits:
        return format_money(price, currency)
    return money_text(abs(price), currency, digits=extra, negative=price < 0)


def _number_text(value: str) -> str:
    try:
        return local_number(Decimal(value))
    except InvalidOperation:
        return str(value)


def _percent_text(value: str, *, blank_if_zero: bool = False) -> str:
    number = Decimal(value)
    if blank_if_zero and not number:
        return "—"
    return f"{local_number(number)} %"


def local_number(value: Decimal) -> str:
    """A quantity or rate without trailing zeros, with the active language's decimal mark
    ("2.5", "2,5"); no grouping, as quantities and rates are short."""
    return number_format(value.normalize(), use_l10n=True)


def _date_text(value: object) -> str:
    """'2026-11-02' (or a date) -> '2 November 2026' ('2. November 2026' in German): the
    active language's words, independent of the process locale."""
    if value in (None, ""):
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return long_date(day)


__all__ = [
    "SIGNATURE_FONT",
    "TEMPLATE_VERSION",
    "Branding",
    "QuoteDocumentError",
    "quote_document_data",
    "render_count",
    "render_quote_pdf",
    "unit_price_text",
]
