"""quote_pdf: a stored revision's PDF, typeset once and read back from storage."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from pypdf import PdfReader

from quotery.accounts.factories import CompanyFactory
from quotery.accounts.models import Company, User
from quotery.accounts.services import company_logo_set
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.core.money import format_money
from quotery.documents import rendering
from quotery.documents.services import (
    quote_pdf,
    quote_pdf_cache_key,
    quote_pdf_filename,
    quote_preview_pdf,
)
from quotery.documents.tests.samples import tiny_png
from quotery.quotes.factories import make_quote
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import QuoteRevision
from quotery.quotes.services.quotes import quote_create, quote_mark_sent

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
    renders_before = rendering.render_count()
    first = quote_pdf(revision=revision, company=company)
    renders_after_first = rendering.render_count()
    assert renders_after_first == renders_before + 1

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


def test_new_branding_means_a_new_stored_pdf(company: Company, rep: User):
    # Given a revision whose PDF was made with the company's green
    company.brand_colour = "#0a7d5a"
    company.save()
    revision = shared_revision(rep)
    green_key = quote_pdf_cache_key(revision=revision, company=company)
    green = quote_pdf(revision=revision, company=company)

    # When the admin changes the brand colour
    company.brand_colour = "#c0392b"
    company.save()
    red_key = quote_pdf_cache_key(revision=revision, company=company)
    red = quote_pdf(revision=revision, company=company)

    # Then the PDF is stored under a new key and made again in the new colour
    assert red_key != green_key
    assert red != green
    assert storages["default"].exists(green_key) and storages["default"].exists(red_key)


def test_a_new_logo_means_a_new_stored_pdf_with_the_logo(company: Company, rep: User):
    # Given a revision whose PDF was made without a logo
    revision = shared_revision(rep)
    before_key = quote_pdf_cache_key(revision=revision, company=company)
    before = quote_pdf(revision=revision, company=company)

    # When the admin uploads a logo through the settings service
    company_logo_set(company=company, upload=io.BytesIO(tiny_png()))
    company.refresh_from_db()

    # Then the next download is a new PDF that carries the logo
    after = quote_pdf(revision=revision, company=company)
    assert quote_pdf_cache_key(revision=revision, company=company) != before_key
    assert after != before
    assert len(PdfReader(io.BytesIO(after)).pages[0].images) == 1


def test_the_preview_of_a_draft_matches_the_pdf_of_the_revision_it_becomes(
    company: Company, rep: User
):
    # Given a draft quote, previewed before it is shared
    quote = make_quote(owner=rep, sections=2, lines_per_section=3)
    renders_before = rendering.render_count()
    preview = quote_preview_pdf(quote=quote)

    # When it is shared and the client downloads the PDF
    revision = quote_mark_sent(quote=quote, user=rep)
    key = quote_pdf_cache_key(revision=revision, company=company)
    assert not storages["default"].exists(key)  # the preview stored nothing
    shared = quote_pdf(revision=revision, company=company)

    # Then the client gets exactly what the rep previewed
    assert shared == preview
    assert rendering.render_count() == renders_before + 2


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


HOSTILE = [
    '#panic("x")',
    "*bold* _emph_",
    "$x^2$",
    "] [",
    "<script>alert(1)</script>",
    '#read("/etc/passwd")',
    "// not a comment",
    "@label <label> = heading",
    "\\ backslash `raw`",
    "&amp; &lt;b&gt;",
]


def test_security_21_hostile_text_is_printed_literally_in_the_pdf(company: Company, rep: User):
    # Given a quote whose client, contact, title, section, line and notes hold Typst markup,
    # code and HTML
    client = ClientFactory(company=company, name='ACME #panic("client") *Ltd*')
    contact = ContactFactory(client=client, company=company, name="Eve <b>$x$</b>")
    data = QuoteInput(
        client=client,
        contact=contact,
        title='Offer #set text(size: 40pt) #panic("title")',
        currency="EUR",
        issue_date=dt.date(2026, 11, 2),
        valid_until=dt.date(2026, 12, 2),
        notes="\n".join(HOSTILE),
        sections=[
            SectionInput(
                title=']#panic("section")[',
                lines=[
                    LineInput(description=text, quantity=Decimal(1), unit_price=Decimal(10))
                    for text in HOSTILE
                ],
            )
        ],
    )
    quote = quote_create(company=company, owner=rep, data=data)
    revision = quote_mark_sent(quote=quote, user=rep)

    # When its PDF is made
    text = pdf_text(quote_pdf(revision=revision, company=company))

    # Then the PDF rendered and every piece of text appears exactly as typed
    for hostile in HOSTILE:
        assert text.count(hostile) == 2  # once as a line, once in the notes
    assert 'ACME #panic("client") *Ltd*' in text
    assert "Eve <b>$x$</b>" in text
    assert 'Offer #set text(size: 40pt) #panic("title")' in text
    assert ']#panic("section")[' in text


def test_a_damaged_stored_logo_still_gives_the_client_a_pdf_with_the_name(
    company: Company, rep: User
):
    # Given a logo file damaged in storage after its upload was checked
    company.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n not an image"), save=False)
    company.logo_content_type = "image/png"
    company.save()
    revision = shared_revision(rep)

    # When the client downloads the PDF, then it comes, showing the company's name
    pdf = quote_pdf(revision=revision, company=company)
    assert pdf.startswith(b"%PDF-")
    assert company.name in pdf_text(pdf)
