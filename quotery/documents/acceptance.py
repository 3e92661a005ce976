"""The accepted PDF: the accepted revision plus an acceptance certificate page, with the
acceptance record embedded (quotery.documents.acceptance_record), sealed with a PDF
signature, stored once (SECURITY.md 14, 28).

Sealing is not deterministic (the signature records when it was made), so the sealed PDF is
made once, stored, and its SHA-256 recorded on the acceptance by compare-and-set; every
later download, email and check reads those stored bytes and never seals again.

Across machines sharing one bucket: each attempt stores its copy under a key of its own (the
copy's SHA-256 and a random part) with a write that never replaces an object (S3's
conditional write, the filesystem's exclusive create), and the database's compare-and-set
alone decides which key is the document. A losing attempt deletes only its own object, so no
machine can overwrite or delete the recorded bytes, and the row never points at bytes other
than the ones its SHA-256 names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.storage import Storage, storages
from django.utils import translation
from django.utils.translation import gettext as _

from quotery.core.evidence_text import describe_user_agent, short_reference
from quotery.core.exceptions import ApplicationError
from quotery.core.languages import DEFAULT_LANGUAGE, at_time
from quotery.core.storage import storage_discard, storage_read, storage_save_new
from quotery.documents.acceptance_record import (
    CERTIFICATE_LABELS,
    NOT_RECORDED,
    acceptance_fields,
    certificate_texts,
    pdf_with_record,
)
from quotery.documents.sealing import SEAL_COMMON_NAME, seal_pdf
from quotery.documents.services import branding_for_company, render_with_logo_fallback
from quotery.quotes.options import configuration_from_data, configured_content
from quotery.sharing.models import Acceptance

logger = logging.getLogger("quotery.documents")

ACCEPTED_PREFIX = "documents/accepted"


class AcceptedPdfUnavailable(ApplicationError):
    """The accepted PDF cannot be served as recorded: its stored file is gone or no longer
    matches its recorded SHA-256, or the accepted revision no longer matches its hash. It is
    never re-made in that case: a new seal would not be the document the client received."""

    code = "accepted_pdf_unavailable"
    http_status = 500


def accepted_pdf(*, acceptance: Acceptance) -> bytes:
    """The sealed accepted PDF; made and stored on first call, the same bytes afterwards.

    Safe under concurrency, also between machines: two first calls may both render and
    seal, each storing its copy under its own key, but only one compare-and-set records its
    key; the other deletes its own copy and returns the recorded one. Raises
    AcceptedPdfUnavailable rather than serve bytes that do not match the recorded SHA-256.
    """
    name, digest = _recorded(acceptance)
    if digest:
        return _read_recorded(acceptance, name, digest)
    pdf = seal_pdf(
        accepted_pdf_unsealed(acceptance=acceptance),
        reason=(
            f"Acceptance of quote {_quote_number(acceptance)} "
            f"(signature hash {acceptance.signature_hash})"
        ),
    )
    digest = hashlib.sha256(pdf).hexdigest()
    storage: Storage = storages["default"]
    key = accepted_pdf_key(acceptance, digest)
    storage_save_new(storage, key, pdf)
    recorded = Acceptance.objects.filter(pk=acceptance.pk, pdf_sha256="").update(
        pdf_name=key, pdf_sha256=digest
    )
    if not recorded:
        # Another attempt (here or on another machine) recorded its sealed copy first: that
        # one is the document. This key was ours alone, so deleting it touches no other copy.
        storage_discard(storage, key)
        name, digest = _recorded(acceptance)
        return _read_recorded(acceptance, name, digest)
    acceptance.pdf_name, acceptance.pdf_sha256 = key, digest
    return pdf


def accepted_pdf_key(acceptance: Acceptance, digest: str) -> str:
    """A key for one attempt's sealed copy: its SHA-256 and a random part, so that no two
    attempts (on any machine) ever write the same key."""
    return (
        f"{ACCEPTED_PREFIX}/{acceptance.company_id}/"
        f"{acceptance.pk}-{digest[:16]}-{secrets.token_hex(4)}.pdf"
    )


def _recorded(acceptance: Acceptance) -> tuple[str, str]:
    """The recorded file name and SHA-256, read fresh: the caller's row may predate them."""
    name, digest = (
        Acceptance.objects.filter(pk=acceptance.pk).values_list("pdf_name", "pdf_sha256").get()
    )
    acceptance.pdf_name, acceptance.pdf_sha256 = name, digest
    return name, digest


def _read_recorded(acceptance: Acceptance, name: str, digest: str) -> bytes:
    try:
        pdf = storage_read(storages["default"], name)
    except FileNotFoundError:
        logger.error("The stored accepted PDF of acceptance %s is missing", acceptance.pk)
        raise AcceptedPdfUnavailable(
            "The accepted PDF is missing from storage. Nothing was re-made: restore it "
            "from a backup."
        ) from None
    if hashlib.sha256(pdf).hexdigest() != digest:
        logger.error("The stored accepted PDF of acceptance %s was changed", acceptance.pk)
        raise AcceptedPdfUnavailable(
            "The stored accepted PDF no longer matches its recorded fingerprint. Nothing was "
            "served: restore it from a backup."
        )
    return pdf


def accepted_pdf_unsealed(*, acceptance: Acceptance) -> bytes:
    """The accepted revision typeset with the acceptance certificate as its last page, and
    the acceptance record embedded (quotery.documents.acceptance_record), ready to seal."""
    revision = acceptance.revision
    if (
        revision.content_hash != acceptance.content_hash
        or hashlib.sha256(revision.content.encode("utf-8")).hexdigest() != revision.content_hash
    ):
        raise AcceptedPdfUnavailable(
            "The accepted revision no longer matches the hash the client signed; "
            "run `manage.py verify` for details. Nothing was sealed."
        )
    content: dict[str, Any] = json.loads(revision.content)
    if acceptance.configuration:
        # What the client took: the chosen lines, their total, and the options not taken.
        chosen = configuration_from_data(content, json.loads(acceptance.configuration))
        content = configured_content(content, chosen)
    branding = branding_for_company(acceptance.company)
    # In the language the client was shown (English for acceptances recorded before).
    with translation.override(acceptance.language or DEFAULT_LANGUAGE):
        certificate = acceptance_certificate(acceptance=acceptance, content=content)
        pdf = render_with_logo_fallback(content, branding, certificate=certificate)
    return pdf_with_record(pdf, acceptance)


def acceptance_certificate(*, acceptance: Acceptance, content: dict[str, Any]) -> dict[str, Any]:
    """Page 1's acceptance stamp and the certificate page, for a person first: who accepted,
    when in the company's time, how their email was confirmed and what they agreed to; then
    under "Technical evidence" every other fact SECURITY.md 12 records (hashes, the raw user
    agent, the time in UTC to the microsecond). Values `manage.py verify` reads back are
    printed as `certificate_texts` words them, under the labels of CERTIFICATE_LABELS. In
    the active language (the caller's: the acceptance's).

    The link used is named by its recipient and the share's link key, never by its URL:
    the URL is a capability that would let anyone holding the PDF act on the quote.
    """
    company = acceptance.company
    texts = certificate_texts(acceptance_fields(acceptance))
    number = str(content.get("number") or _quote_number(acceptance))
    title = str(content.get("title") or "")
    reference = short_reference(acceptance.signature_hash)
    when = local_time_text(acceptance.accepted_at, company.zone)
    signer = acceptance.signer_name
    label = dict(zip(LABEL_KEYS, (str(text) for text, _keys in CERTIFICATE_LABELS), strict=True))
    person = [
        (label["signed_by"], texts["signer_name"]),
        (label["signer_email"], texts["signer_email"]),
        (label["confirmed"], _email_confirmation(acceptance)),
        (label["accepted_on"], f"{when} ({company.time_zone})"),
        (label["browser"], _browser_text(acceptance)),
        (label["quote"], texts["quote_number"]),
        (label["total"], texts["total"]),
        (label["consent"] % {"version": texts["consent_version"]}, texts["consent_text"]),
    ]
    technical = [
        (label["accepted_utc"], texts["accepted_at"]),
        (label["ip"], texts["ip"]),
        (label["user_agent"], texts["user_agent"]),
        (label["content_hash"], texts["content_hash"]),
        (label["signature_hash"], texts["signature_hash"]),
        (label["prev_hash"], texts["prev_hash"]),
        (
            label["link"],
            _("The portal link sent to %(email)s (link key %(key)s)")
            % {"email": acceptance.share.recipient_email, "key": texts["link_key"]},
        ),
    ]
    words = {"signer": signer, "number": number, "title": title, "company": company.name}
    words.update(total=texts["total"], when=when, email=acceptance.signer_email)
    words.update(zone=company.time_zone)
    intro = (
        _(
            "%(signer)s accepted quote %(number)s (%(title)s) from %(company)s for %(total)s "
            "on %(when)s, by typing their name and ticking the consent box. Their typed "
            "name, as a signature:"
        )
        if title
        else _(
            "%(signer)s accepted quote %(number)s from %(company)s for %(total)s on "
            "%(when)s, by typing their name and ticking the consent box. Their typed name, "
            "as a signature:"
        )
    )
    return {
        "title": _("Acceptance certificate"),
        "reference": _("Reference %(reference)s") % {"reference": reference},
        "intro": intro % words,
        "signature": signer,
        "sections": [
            {"title": _("Who, when and what"), "intro": "", "rows": _rows(person)},
            {
                "title": label["technical"],
                "intro": _(
                    "The reference is the start of the signature hash. The document hash "
                    "identifies the exact revision accepted (SHA-256 of its canonical "
                    "content); the signature hash covers this record and the quote's record "
                    "before it. This PDF carries a digital seal (a PDF signature by the "
                    "%(sealer)s): any change to it breaks the seal."
                )
                % {"sealer": SEAL_COMMON_NAME},
                "rows": _rows(technical),
            },
        ],
        "stamp": {
            "title": _("Accepted quote"),
            "heading": _("Accepted and signed"),
            "date_label": _("Accepted"),
            "date": when,
            "line": _("Accepted by %(signer)s on %(when)s") % words,
            "signature": signer,
            "reference_label": _("Reference"),
            "reference": reference,
            "sentence": _(
                "Accepted electronically by %(signer)s (%(email)s) on %(when)s (%(zone)s), "
                "for %(total)s. The last page is the acceptance certificate; the PDF is "
                "sealed, so any change to it shows."
            )
            % words,
        },
    }


# The names this module gives CERTIFICATE_LABELS, in their order.
LABEL_KEYS = (
    "signed_by",
    "signer_email",
    "confirmed",
    "accepted_on",
    "browser",
    "quote",
    "total",
    "consent",
    "technical",
    "accepted_utc",
    "ip",
    "user_agent",
    "content_hash",
    "signature_hash",
    "prev_hash",
    "link",
)


def local_time_text(moment: dt.datetime, zone: ZoneInfo) -> str:
    """'7 December 2026 at 14:05 CET': a moment in the company's time zone, for people, in
    the active language ('7. Dezember 2026 um 14:05 CET')."""
    return at_time(moment.astimezone(zone))


def _email_confirmation(acceptance: Acceptance) -> str:
    recipient = acceptance.share.recipient_email
    signer = acceptance.signer_email
    words = {"recipient": recipient, "signer": signer}
    if signer.casefold() == recipient.casefold():
        return (
            _(
                "They opened this quote through the personal link emailed to %(recipient)s "
                "and typed the same address when accepting. The confirmation, with this PDF, "
                "is emailed to %(signer)s."
            )
            % words
        )
    return (
        _(
            "They opened this quote through the personal link emailed to %(recipient)s and "
            "typed %(signer)s when accepting. The confirmation, with this PDF, is emailed to "
            "%(signer)s."
        )
        % words
    )


def _browser_text(acceptance: Acceptance) -> str:
    if not acceptance.user_agent and not acceptance.ip:
        return str(NOT_RECORDED)
    described = (
        describe_user_agent(acceptance.user_agent) if acceptance.user_agent else _("A browser")
    )
    if acceptance.ip:
        return _("%(browser)s, from IP address %(ip)s (details below)") % {
            "browser": described,
            "ip": acceptance.ip,
        }
    return _("%(browser)s (details below)") % {"browser": described}


def _rows(rows: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for label, value in rows]


def _quote_number(acceptance: Acceptance) -> str:
    return str(acceptance.quote.number)
