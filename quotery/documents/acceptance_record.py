"""The acceptance record that a sealed accepted PDF carries (SECURITY.md 14, 28).

Before sealing, the canonical JSON of the acceptance (the signed record that its signature
hash covers, that hash, the previous hash, the event's number and the quote number) is
embedded in the PDF as a file (an associated file with relationship /Data, as PDF/A-3 and
Factur-X embed their machine-readable twin). The seal then covers it, and the seal's key is
not in the database: whoever rewrites the acceptance in the database, however carefully,
cannot rewrite this copy. `manage.py verify` reads it back, and the certificate page's text,
and compares both with the database field by field.

Every value is a string, as in the signed record (SECURITY.md 15).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import logging
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quotery.core.canonical import canonical_json
from quotery.core.languages import DEFAULT_LANGUAGE
from quotery.core.money import format_money

if TYPE_CHECKING:
    from quotery.sharing.models import Acceptance

logger = logging.getLogger("quotery.documents")

RECORD_NAME = "acceptance-record.json"
RECORD_FORMAT = "quotery-acceptance-record/1"
NOT_RECORDED = gettext_lazy("not recorded")

# Every field compared, in the order a report names them, with the words it uses.
FIELD_NAMES = {
    "signer_name": "signer name",
    "signer_email": "signer email",
    "accepted_at": "acceptance time",
    "ip": "IP address",
    "user_agent": "user agent",
    "quote_number": "quote number",
    "revision_number": "revision",
    "total": "total",
    "currency": "currency",
    "content_hash": "content hash",
    "signature_hash": "signature hash",
    "prev_hash": "previous hash",
    "event_sequence": "event number",
    "link_key": "link key",
    "consent_version": "consent version",
    "consent_text": "consent text",
    "quote": "quote id",
    "share": "link (share id)",
}
# In the signed record of acceptances recorded since deposits exist ("0" when none was
# asked for); absent from older ones, whose signature hashes do not cover them.
DEPOSIT_FIELD_NAMES = {
    "deposit_percent": "deposit %",
    "deposit_amount": "deposit amount",
}
# In the signed record of acceptances of a quote with options: the choices accepted.
CONFIGURATION_FIELD_NAMES = {
    "configuration": "choices accepted",
    "configuration_hash": "choices hash",
}
# In the signed record of acceptances recorded since languages exist: the language the
# client was shown the quote and consent text in (the certificate page is in it too).
LANGUAGE_FIELD_NAMES = {"language": "language shown"}
# Outside the signed record: how the record is placed in the quote and its chain.
CHAIN_FIELDS = ("quote_number", "event_sequence", "prev_hash", "signature_hash")


class RecordUnreadable(Exception):
    """The PDF carries a file named like the record that is not one (never our doing)."""


def acceptance_fields(acceptance: Acceptance) -> dict[str, str]:
    """The acceptance as the database holds it, in the record's flat form."""
    return {
        **{key: str(value) for key, value in acceptance.signed_record().items()},
        "quote_number": str(acceptance.quote.number),
        "event_sequence": str(acceptance.event_sequence),
        "prev_hash": acceptance.prev_hash,
        "signature_hash": acceptance.signature_hash,
    }


def record_json(fields: dict[str, str]) -> bytes:
    """The record as embedded: canonical JSON, the signed record apart from where it sits."""
    signed = {key: value for key, value in fields.items() if key not in CHAIN_FIELDS}
    return canonical_json(
        {
            "format": RECORD_FORMAT,
            **{key: fields[key] for key in CHAIN_FIELDS},
            "signed_record": signed,
        }
    )


def pdf_with_record(pdf: bytes, acceptance: Acceptance) -> bytes:
    """`pdf` with the acceptance record embedded, as an incremental update (to be sealed)."""
    # Imported here: pyHanko takes about a third of a second to import, and only the
    # processes that seal or check a PDF need it (every process registers the emails).
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    data = record_json(acceptance_fields(acceptance))
    stream = embed.EmbeddedFileObject.from_file_data(
        writer,
        data,
        mime_type="application/json",
        # No dates: the same acceptance gives the same bytes before sealing.
        params=embed.EmbeddedFileParams(embed_checksum=False),
    )
    embed.embed_file(
        writer,
        embed.FileSpec(
            file_spec_string=RECORD_NAME,
            file_name=RECORD_NAME,
            embedded_data=stream,
            description="The acceptance record this PDF certifies (canonical JSON)",
            af_relationship=generic.pdf_name("/Data"),
        ),
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def embedded_record(pdf: bytes) -> dict[str, str] | None:
    """The record embedded in `pdf`, in flat form; None when it carries none (sealed
    before records were embedded). Raises RecordUnreadable for a file that is not one."""
    from pypdf import PdfReader

    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        copies = attachments.get(RECORD_NAME) if RECORD_NAME in attachments else None
    except Exception as error:
        raise RecordUnreadable(f"its attachments cannot be read ({type(error).__name__})") from None
    if not copies:
        return None
    if len(copies) != 1:
        raise RecordUnreadable(f"it carries {len(copies)} files named {RECORD_NAME}")
    try:
        document = json.loads(copies[0])
    except ValueError:
        raise RecordUnreadable(f"its {RECORD_NAME} is not JSON") from None
    signed = document.get("signed_record") if isinstance(document, dict) else None
    if (
        not isinstance(signed, dict)
        or document.get("format") != RECORD_FORMAT
        or not all(isinstance(document.get(key), str) for key in CHAIN_FIELDS)
        or (set(signed) | set(CHAIN_FIELDS))
        - set(CONFIGURATION_FIELD_NAMES)
        - set(LANGUAGE_FIELD_NAMES)
        not in (set(FIELD_NAMES), set(FIELD_NAMES) | set(DEPOSIT_FIELD_NAMES))
        or len(set(signed) & set(CONFIGURATION_FIELD_NAMES)) not in (0, 2)
        or not all(isinstance(value, str) for value in signed.values())
    ):
        raise RecordUnreadable(f"its {RECORD_NAME} is not an acceptance record")
    return {**signed, **{key: document[key] for key in CHAIN_FIELDS}}


def compared_fields(*records: dict[str, str] | None) -> dict[str, str]:
    """The fields to compare between these flat records, with their words: every field, and
    the deposit's when any of them names it."""
    deposit = any(record is not None and "deposit_percent" in record for record in records)
    choices = any(record is not None and "configuration" in record for record in records)
    language = any(record is not None and "language" in record for record in records)
    return {
        **FIELD_NAMES,
        **(DEPOSIT_FIELD_NAMES if deposit else {}),
        **(CONFIGURATION_FIELD_NAMES if choices else {}),
        **(LANGUAGE_FIELD_NAMES if language else {}),
    }


def signed_part(fields: dict[str, str]) -> dict[str, str]:
    """The signed record inside the flat form (what the signature hash covers)."""
    return {key: value for key, value in fields.items() if key not in CHAIN_FIELDS}


# --- The certificate page ---------------------------------------------------------------


def accepted_at_text(accepted_at: dt.datetime) -> str:
    utc = accepted_at.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S}.{utc:%f} UTC"


def certificate_texts(fields: dict[str, str]) -> dict[str, str]:
    """What the certificate page prints for each field it shows (the field's words on the
    page, without the label): the same function makes the page and reads it back. In the
    language the acceptance records (English for those recorded before languages)."""
    with translation.override(fields.get("language") or DEFAULT_LANGUAGE):
        return _certificate_texts(fields)


def _certificate_texts(fields: dict[str, str]) -> dict[str, str]:
    try:
        total = format_money(Decimal(fields["total"]), fields["currency"])
    except (InvalidOperation, ValueError):
        total = f"{fields['total']} {fields['currency']}"
    try:
        accepted = accepted_at_text(dt.datetime.fromisoformat(fields["accepted_at"]))
    except ValueError:
        accepted = fields["accepted_at"]
    quote = _("%(number)s, revision %(revision)s") % {
        "number": fields["quote_number"],
        "revision": fields["revision_number"],
    }
    return {
        "signer_name": fields["signer_name"],
        "signer_email": fields["signer_email"],
        "accepted_at": accepted,
        "ip": fields["ip"] or str(NOT_RECORDED),
        "user_agent": fields["user_agent"] or str(NOT_RECORDED),
        "quote_number": quote,
        "revision_number": quote,
        "total": total,
        "currency": total,
        "content_hash": fields["content_hash"],
        "signature_hash": fields["signature_hash"],
        "prev_hash": fields["prev_hash"],
        "link_key": fields["link_key"],
        "consent_version": fields["consent_version"],
        "consent_text": fields["consent_text"],
        # Not rows of their own on the page: the consent text there names the deposit.
        "deposit_percent": fields.get("deposit_percent", ""),
        "deposit_amount": fields.get("deposit_amount", ""),
        "language": fields.get("language", ""),
    }


# The certificate's row labels in page order; each row's value runs to the next label (a
# label with no keys is read past: a value in other words, or a section heading and its
# introduction). The local-time row's label names the company's zone, the consent's its
# version (the label is read up to the version). Translated: the page is printed in the
# language the acceptance records, and read back in each language.
CERTIFICATE_LABELS = (
    (gettext_lazy("Signed by"), ("signer_name",)),
    (gettext_lazy("Signer's email"), ("signer_email",)),
    (gettext_lazy("How the email was confirmed"), ()),
    (gettext_lazy("Accepted on"), ()),
    (gettext_lazy("Browser"), ()),
    (gettext_lazy("Quote"), ("quote_number", "revision_number")),
    (gettext_lazy("Accepted total"), ("total", "currency")),
    (gettext_lazy("Agreed to (consent version %(version)s)"), ("consent_version", "consent_text")),
    (gettext_lazy("Technical evidence"), ()),
    (gettext_lazy("Accepted (UTC)"), ("accepted_at",)),
    (gettext_lazy("IP address"), ("ip",)),
    (gettext_lazy("User agent"), ("user_agent",)),
    (gettext_lazy("Document hash (SHA-256)"), ("content_hash",)),
    (gettext_lazy("Signature hash (SHA-256)"), ("signature_hash",)),
    (gettext_lazy("Previous record hash"), ("prev_hash",)),
    (gettext_lazy("Link used"), ("link_key",)),
)


def certificate_labels() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """CERTIFICATE_LABELS in the active language, as the page prints them (the consent's
    label up to its version)."""
    return tuple((str(label).split("%(version)s")[0], keys) for label, keys in CERTIFICATE_LABELS)


# The certificate page as it was printed before it read for a person first: PDFs sealed
# then are still read back by these.
EARLIER_CERTIFICATE_LABELS = (
    ("Signed by", ("signer_name",)),
    ("Signer's email", ("signer_email",)),
    ("Accepted (UTC)", ("accepted_at",)),
    ("Accepted (", ()),
    ("IP address", ("ip",)),
    ("Browser (user agent)", ("user_agent",)),
    ("Quote", ("quote_number", "revision_number")),
    ("Accepted total", ("total", "currency")),
    ("Document hash (SHA-256)", ("content_hash",)),
    ("Signature hash (SHA-256)", ("signature_hash",)),
    ("Previous record hash", ("prev_hash",)),
    ("Link used", ("link_key",)),
    ("Consent (version ", ("consent_version", "consent_text")),
)
CONSENT_KEYS = ("consent_version", "consent_text")
# The link key at the end of the "Link used" row, in each language the page is printed in.
LINK_KEY = re.compile(r"\((?:linkkey|Link-Schlüssel)(\S+)\)$")
# The page's footer, "Page 2 of 2" in English, "Seite 2 von 2" in German.
FOOTER = re.compile(r"\n[^\n]*(?:Page \d+ of|Seite \d+ von) \d+\s*$")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def certificate_page_text(pdf: bytes) -> str:
    """The text of the PDF's last page, as a reader extracts it."""
    from pypdf import PdfReader

    try:
        return PdfReader(io.BytesIO(pdf)).pages[-1].extract_text() or ""
    except Exception:
        logger.warning("The certificate page's text could not be extracted")
        return ""


def certificate_page_values(text: str) -> dict[str, str]:
    """Each field's words as the certificate page shows them, read from the page's text;
    empty when the page is not a certificate. Reads the page as printed today and as it
    was printed before (EARLIER_CERTIFICATE_LABELS)."""
    text = FOOTER.sub("", unicodedata.normalize("NFC", text))
    printed = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            printed.append(certificate_labels())
    for labels in (*printed, EARLIER_CERTIFICATE_LABELS):
        values = _values_under(labels, text)
        if values:
            return values
    return {}


def _values_under(labels: tuple[tuple[str, tuple[str, ...]], ...], text: str) -> dict[str, str]:
    starts: list[int] = []
    value_starts: list[int] = []
    position = 0
    for label, _keys in labels:
        found = _label_pattern(label).search(text, position)
        if found is None:
            return {}
        starts.append(found.start() + 1)
        value_starts.append(found.end())
        position = found.end()
    ends = [*starts[1:], len(text)]
    values: dict[str, str] = {}
    for (_label, keys), start, end in zip(labels, value_starts, ends, strict=True):
        value = " ".join(text[start:end].split())
        if keys == ("link_key",):
            match = LINK_KEY.search(squeezed(value))
            value = match.group(1) if match else value
        if keys == CONSENT_KEYS:
            version, _, consent = value.partition(")")
            values["consent_version"], values["consent_text"] = version, consent.strip()
            continue
        for key in keys:
            values[key] = value
    return values


@functools.cache
def _label_pattern(label: str) -> re.Pattern[str]:
    """A label at the start of a line, wherever the page wrapped it (a long label breaks
    across lines in its column)."""
    words = r"\s+".join(re.escape(word) for word in label.split())
    return re.compile(r"\n" + words + (r"\s*" if label.endswith(" ") else ""))


def squeezed(text: str) -> str:
    """Without whitespace or invisible characters: a PDF's text breaks lines where the page
    ran out, not where the value had a space."""
    return "".join(unicodedata.normalize("NFC", text).translate(INVISIBLE).split())


def page_shows(expected: str, read: str) -> bool:
    """Whether the page's text `read` is `expected` as printed. Text read back from a PDF
    loses the letters its fonts cannot draw (each reads as U+0000) and gives right-to-left
    words in the order they stand on the page; such words are matched one by one."""
    if squeezed(expected) == squeezed(read):
        return True
    wanted = unicodedata.normalize("NFC", expected).translate(INVISIBLE).split()
    left = unicodedata.normalize("NFC", read).translate(INVISIBLE).split()
    if len(wanted) != len(left):
        return False
    for word in wanted:
        match = next((candidate for candidate in left if _same_word(word, candidate)), None)
        if match is None:
            return False
        left.remove(match)
    return True


def _same_word(expected: str, read: str) -> bool:
    if read in (expected, expected[::-1]):
        return True
    return len(read) == len(expected) and all(
        got in ("\x00", want) for want, got in zip(expected, read, strict=True)
    )
