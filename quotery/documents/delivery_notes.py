"""A delivery note as a branded PDF, typeset by Typst like the quote PDF (quotery.documents
.rendering): the template `typst/delivery_note.typ` is fixed and everything that varies
travels as one JSON document of finished strings, so client text is only ever a string value
inside Typst and never markup or code.

What a delivery note prints: the company's branding, the note's number and dates, the quote
it delivers, the client and the delivery address, and per line the quantities ordered,
shipped, backordered and still to ship, with no prices, and a signature block for whoever
receives the goods. Typeset on every download and never stored: each shipment changes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from quotery.accounts.branding import readable_on_white, usable_brand_colour
from quotery.documents.rendering import (
    Branding,
    QuoteDocumentError,
    _compile,
    _date_text,
    _logo_data,
    _text,
)
from quotery.documents.services import SAFE_FILENAME, branding_for_company
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine

logger = logging.getLogger("quotery.documents")

TEMPLATE_PATH = Path(__file__).parent / "typst" / "delivery_note.typ"

LABELS = {
    "delivery_note": "Delivery note",
    "quote": "Quote",
    "deliver_to": "Deliver to",
    "client": "Client",
    "date": "Date",
    "last_shipped": "Latest shipment",
    "status": "Status",
    "description": "Description",
    "ordered": "Ordered",
    "shipped": "Shipped",
    "backordered": "Backordered",
    "to_ship": "To ship",
    "no_lines": "This delivery note has no lines.",
    "no_address": "No address on file",
    "received": "Received in good order by",
    "name": "Name",
    "signature": "Signature",
    "received_on": "Date",
}


def delivery_note_pdf(*, note: DeliveryNote, lines: list[DeliveryNoteLine]) -> bytes:
    """The PDF of `note` as it stands now, with its company's branding. `lines` are the
    note's lines in order (from quotery.quotes.selectors.delivery_note_page)."""
    branding = branding_for_company(note.company)
    try:
        return render_delivery_note_pdf(delivery_note_data(note, lines, branding))
    except QuoteDocumentError:
        if branding.logo is None:
            raise
        logger.warning("The stored logo could not be typeset; the PDF shows the name instead")
        plain = dataclasses.replace(branding, logo=None, logo_content_type="")
        return render_delivery_note_pdf(delivery_note_data(note, lines, plain))


def render_delivery_note_pdf(data: dict[str, Any]) -> bytes:
    return _compile(json.dumps(data, ensure_ascii=False, separators=(",", ":")), TEMPLATE_PATH)


def delivery_note_data(
    note: DeliveryNote, lines: list[DeliveryNoteLine], branding: Branding
) -> dict[str, Any]:
    """The JSON the template reads: every value a finished string."""
    zone = note.company.zone
    quote, client = note.quote, note.quote.client
    colour = usable_brand_colour(branding.colour)
    return {
        "document_title": f"{LABELS['delivery_note']} {note.number}",
        "labels": LABELS,
        "brand": {
            "name": _text(branding.name),
            "colour": colour,
            "text_colour": readable_on_white(colour),
        },
        "logo": _logo_data(branding),
        "note": {
            "number": _text(note.number),
            "status": note.delivery_status,
            "date": _date_text(_local_date(note.created_at, zone)),
            "last_shipped": _date_text(_local_date(note.last_shipped_at, zone)),
            "quote_reference": _text(f"{quote.number} · {quote.title}"),
            "client": _text(client.name),
            "address": _text(client.address.replace("\r\n", "\n").strip()),
        },
        "lines": [_line_data(line) for line in lines],
    }


def _line_data(line: DeliveryNoteLine) -> dict[str, str]:
    return {
        "description": _text(line.description),
        "sku": _text(line.sku),
        "ordered": _quantity(line.quantity),
        "shipped": _quantity(line.shipped_quantity),
        "backordered": _quantity(line.backorder_quantity),
        "to_ship": _quantity(max(line.to_ship, Decimal(0))),
    }


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _local_date(moment: dt.datetime | None, zone: dt.tzinfo) -> dt.date | None:
    return moment.astimezone(zone).date() if moment is not None else None


def delivery_note_pdf_filename(note: DeliveryNote) -> str:
    """A download name like `DN-2026-0001.pdf`: letters, digits, dash and underscore only."""
    stem = SAFE_FILENAME.sub("-", note.number).strip("-_")
    return f"{stem[:80] or 'delivery-note'}.pdf"
