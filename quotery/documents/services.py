"""Quote PDFs for stored revisions, rendered once and served from storage afterwards.

A revision's content never changes (its content_hash says what it is), so its PDF is a pure
function of that hash, the company's branding and the template version. The PDF is kept in
the default storage under a key built from exactly those; a later download reads the stored
bytes and typesets nothing. A change of logo, colour, name, text or template gives a new key,
so nobody is served a PDF with yesterday's branding.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import re
from typing import Any

from django.core.files.storage import Storage, storages
from django.utils import translation

from quotery.accounts.models import Company
from quotery.core.canonical import canonical_json
from quotery.core.languages import active_language
from quotery.core.storage import storage_read, storage_save_new
from quotery.documents.rendering import (
    TEMPLATE_VERSION,
    Branding,
    QuoteDocumentError,
    render_quote_pdf,
)
from quotery.quotes.content import client_visible_content
from quotery.quotes.models import Quote, QuoteRevision
from quotery.quotes.options import (
    Configuration,
    configured_content,
    default_configuration,
    has_options,
)
from quotery.quotes.selectors import quote_language

logger = logging.getLogger("quotery.documents")

CACHE_PREFIX = "documents/quote-pdfs"
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


def branding_for_company(company: Company) -> Branding:
    """The company's branding as the renderer needs it (reads the logo file, if any)."""
    logo: bytes | None = None
    if company.logo:
        try:
            logo = storage_read(company.logo.storage, str(company.logo.name))
        except FileNotFoundError:
            logo = None  # a logo row whose file is gone: the PDF falls back to the name
    return Branding(
        name=company.name,
        colour=company.brand_colour,
        logo=logo,
        logo_content_type=company.logo_content_type if logo else "",
        portal_text=company.portal_text,
        time_zone=company.time_zone,
    )


def branding_fingerprint(company: Company) -> str:
    """A short digest of everything about the company that shows in its PDFs.

    The logo is named by its stored file name: every upload gets a new random name, so a new
    logo means a new fingerprint without reading the file on every download.
    """
    facts = {
        "template": TEMPLATE_VERSION,
        "name": company.name,
        "colour": company.brand_colour,
        "logo": company.logo.name or "",
        "logo_type": company.logo_content_type if company.logo else "",
        "portal_text": company.portal_text,
        "time_zone": company.time_zone,
    }
    encoded = json.dumps(facts, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:24]


def quote_pdf_cache_key(
    *, revision: QuoteRevision, company: Company, configuration_hash: str = ""
) -> str:
    """Where the PDF of `revision` with `company`'s current branding, in the active language
    (the client's), is stored; a client's own choices on a quote with options
    (`configuration_hash`) make a PDF of their own."""
    choices = f"-c{configuration_hash[:32]}" if configuration_hash else ""
    return (
        f"{CACHE_PREFIX}/{company.pk}/"
        f"{revision.content_hash}{choices}-{branding_fingerprint(company)}"
        f"-t{TEMPLATE_VERSION}-{active_language()}.pdf"
    )


def quote_pdf(
    *, revision: QuoteRevision, company: Company, configuration: Configuration | None = None
) -> bytes:
    """The branded PDF of a stored revision, in the active language: the same bytes for the
    same revision, branding and language. On a quote with options it shows `configuration`
    (the rep's defaults when None): the lines it takes, the totals they come to and the
    options not taken, like the accepted PDF.

    The first call typesets the PDF and stores it; later calls read it back and typeset
    nothing. Two concurrent first calls both typeset (the result is byte-identical) and the
    stored copy stays single. `company` must be the revision's company.
    """
    if revision.company_id != company.pk:
        raise ValueError("The revision belongs to another company.")
    storage: Storage = storages["default"]
    content: dict[str, Any] = json.loads(revision.content)
    # The defaults share the PDF everyone else gets; other choices make one of their own.
    chosen = configuration
    if chosen is not None and (
        not has_options(content) or chosen == default_configuration(content)
    ):
        chosen = None
    key = quote_pdf_cache_key(
        revision=revision, company=company, configuration_hash=chosen.hash() if chosen else ""
    )
    try:
        cached = storage_read(storage, key)
        if cached:
            return cached
    except FileNotFoundError:
        pass
    if chosen is not None:
        content = configured_content(content, chosen)
    pdf = render_with_logo_fallback(content, branding_for_company(company))
    # Another request (on any machine) may have stored the same bytes first: one copy stays.
    with contextlib.suppress(FileExistsError):
        storage_save_new(storage, key, pdf)
    return pdf


def render_with_logo_fallback(
    content: dict[str, Any], branding: Branding, *, certificate: dict[str, Any] | None = None
) -> bytes:
    """A stored logo the typesetter cannot read (uploads are checked, so only a damaged
    file) must not cost the client the quote: the PDF then shows the company name."""
    try:
        return render_quote_pdf(content, branding, certificate=certificate)
    except QuoteDocumentError:
        if branding.logo is None:
            raise
        logger.warning("The stored logo could not be typeset; the PDF shows the name instead")
        plain = dataclasses.replace(branding, logo=None, logo_content_type="")
        return render_quote_pdf(content, plain, certificate=certificate)


def quote_preview_pdf(*, quote: Quote) -> bytes:
    """The PDF of a quote as it stands now (a draft included), for staff to look at before
    sharing. Typeset on every call and never stored: the quote may change any minute. The
    content goes through canonical JSON first, so the preview matches the revision it
    would become byte for byte."""
    sections = list(quote.sections.all())
    lines = [line for section in sections for line in section.lines.all()]
    content = json.loads(canonical_json(client_visible_content(quote, sections, lines)))
    # In the client's language, as they will get it.
    with translation.override(quote_language(quote)):
        return render_with_logo_fallback(content, branding_for_company(quote.company))


def quote_pdf_filename(content: dict[str, Any]) -> str:
    """A download name like `Q-2026-0001.pdf`: letters, digits, dash and underscore only."""
    stem = SAFE_FILENAME.sub("-", str(content.get("number") or "")).strip("-_")
    return f"{stem[:80] or 'quote'}.pdf"
