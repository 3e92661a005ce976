"""quote_pdf: a stored revision's PDF, typeset once and read back from storage."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from pypdf import PdfReader

from quotery.accounts.models import Company, User
from quotery.core.money import format_money
from quotery.documents import rendering
from quotery.documents.services import (
    quote_pdf,
    quote_pdf_cache_key,
    quote_pdf_filename,
)
from quotery.factories import CompanyFactory, make_quote
from quotery.quotes.models import QuoteRevision
from quotery.quotes.services import quote_mark_sent

pytestmark = pytest.mark.django_db


def shared_revision(owner: User, **quote_options: object) -> QuoteRevision:
    quote = make_quote(owner=owner, **quote_options)  # type: ignore[arg-type]
    return quote_mark_sent(quote=quote, user=owner)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_of_a_revision_shows_every_line_and_the_total(company: Company, rep: User):
    # Given a shared quote with three sections
    revision = shared_revision(rep, sections=3, lines_per_section=4)
    content = json.loads(revision.content)

    # When its PDF is made
    text = pdf_text(quote_pdf(revision=revision, company=company))

    # Then every line and the formatted total are in it
    for section in content["sections"]:
        for line in section["lines"]:
            assert line["description"] in text
    total = format_money(Decimal(content["totals"]["total"]), "EUR")
    assert f"Total {total}" in text.replace("\n", " ")


def test_a_second_download_reads_the_stored_pdf_and_typesets_nothing(company: Company, rep: User):
    # Given a revision whose PDF was made once
    revision = shared_revision(rep)
    first = quote_pdf(revision=revision, company=company)
    renders_after_first = rendering.render_count()

    # When it is downloaded again
    second = quote_pdf(revision=revision, company=company)

    # Then the bytes are identical and nothing was typeset
    assert second == first
    assert rendering.render_count() == renders_after_first


def test_the_stored_copy_is_what_is_served(company: Company, rep: User):
    # Given a revision whose stored PDF was replaced behind our back
    revision = shared_revision(rep)
    quote_pdf(revision=revision, company=company)
    key = quote_pdf_cache_key(revision=revision, company=company)
    storage = storages["default"]
    storage.delete(key)
    storage.save(key, ContentFile(b"%PDF-stored"))

    # When it is downloaded
    served = quote_pdf(revision=revision, company=company)

    # Then the stored bytes come back: the download did not typeset
    assert served == b"%PDF-stored"


def test_a_foreign_company_cannot_be_used_for_a_revision(company: Company, rep: User):
    # Given another company's branding
    other = CompanyFactory()
    revision = shared_revision(rep)

    # When its PDF is asked for with the wrong company, then it is refused
    with pytest.raises(ValueError, match="another company"):
        quote_pdf(revision=revision, company=other)
    assert not storages["default"].exists(quote_pdf_cache_key(revision=revision, company=other))


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("Q-2026-0001", "Q-2026-0001.pdf"),
        ('Q/../"evil"\r\nX', "Q-evil-X.pdf"),
        ("", "quote.pdf"),
        ("Ünïcode 7", "n-code-7.pdf"),
    ],
)
def test_the_download_name_has_safe_characters_only(number: str, expected: str):
    assert quote_pdf_filename({"number": number}) == expected
