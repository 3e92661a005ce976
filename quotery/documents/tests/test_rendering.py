"""render_quote_pdf: the quote as the client reads it in the PDF, page by page."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from quotery.accounts.branding import contrast_with_white, readable_on_white
from quotery.core.money import format_money
from quotery.documents import rendering
from quotery.documents.rendering import Branding, QuoteDocumentError, render_quote_pdf
from quotery.documents.tests.samples import BRANDING, TINY_SVG, quote_content, tiny_png


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_every_line_section_subtotal_tax_rate_and_the_total_are_printed():
    # Given a three-section quote
    content = quote_content(sections=3, lines_per_section=4)

    # When it is rendered
    text = flat("\n".join(page_texts(render_quote_pdf(content, BRANDING))))

    # Then the client and rep blocks, every line, each section subtotal, tax and total show
    for expected in ["Contoso GmbH", "Dana Client", "dana@contoso.test", "Riley Rep"]:
        assert expected in text
    assert "riley@northwind.test" in text
    assert "Quote Q-2026-0042" in text and "Office refresh" in text
    assert "2 November 2026" in text and "2 December 2026" in text
    for section in content["sections"]:
        assert f"Subtotal · {section['title']} €125.00" in text
        for line in section["lines"]:
            assert line["description"] in text
            assert line["sku"] in text
    assert "Tax 7 % €10.50" in text and "Tax 20 % €45.00" in text
    assert "Subtotal €375.00" in text and "Total €430.50" in text
    assert "Delivery within two weeks." in text and "Installation included." in text
    assert "Thank you for considering us." in text


def test_the_same_content_gives_the_same_bytes_even_from_a_new_compiler(monkeypatch):
    # Given one rendering of a quote
    content = quote_content()
    first = render_quote_pdf(content, BRANDING)

    # When it is rendered again, and again by a freshly started compiler
    again = render_quote_pdf(content, BRANDING)
    monkeypatch.setattr(rendering, "_compiler", None)
    fresh = render_quote_pdf(content, BRANDING)

    # Then the bytes are identical and carry no creation date
    assert first == again == fresh
    assert b"/CreationDate" not in first


def test_a_long_quote_breaks_across_pages_with_the_table_header_and_page_numbers():
    # Given a 200-line quote
    content = quote_content(sections=1, lines_per_section=200)

    # When it is rendered
    pages = page_texts(render_quote_pdf(content, BRANDING))

    # Then it spans several pages, each numbered, each repeating the column headings
    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        if number < len(pages):  # the last page may hold only the totals
            assert "Description Qty Unit price Discount Tax Amount" in flat(text)
    all_text = flat("\n".join(pages))
    for line in content["sections"][0]["lines"]:
        assert f"{line['description']} " in all_text


def test_a_short_quote_is_numbered_page_1_of_1():
    pages = page_texts(render_quote_pdf(quote_content(sections=1, lines_per_section=2), BRANDING))
    assert len(pages) == 1
    assert "Page 1 of 1" in pages[0]


@pytest.mark.parametrize(
    ("currency", "total"),
    [("JPY", "¥1,234,568"), ("KWD", "1,234,567.891 KWD"), ("EUR", "€1,234,567.89")],
)
def test_money_is_written_for_the_currency(currency: str, total: str):
    # Given a quote in a currency with 0, 3 or 2 minor digits
    content = quote_content(sections=1, lines_per_section=1, currency=currency)
    content["totals"]["total"] = "1234567.891" if currency == "KWD" else "1234567.89"
    if currency == "JPY":
        content["totals"]["total"] = "1234568"

    # When it is rendered, then the total is written the way that currency is
    text = flat("\n".join(page_texts(render_quote_pdf(content, BRANDING))))
    assert f"Total {total}" in text
    assert format_money(Decimal(content["totals"]["total"]), currency) == total


def test_a_unit_price_keeps_digits_beyond_the_currency_minor_unit():
    content = quote_content(sections=1, lines_per_section=1)
    content["sections"][0]["lines"][0]["unit_price"] = "0.1234"
    text = flat("\n".join(page_texts(render_quote_pdf(content, BRANDING))))
    assert "€0.1234" in text


@pytest.mark.parametrize(
    ("content_type", "logo"),
    [("image/png", tiny_png()), ("image/svg+xml", TINY_SVG)],
)
def test_a_png_or_svg_logo_is_drawn_in_the_header(content_type: str, logo: bytes):
    # Given a company with a logo
    branded = Branding(
        name=BRANDING.name, colour="#0a7d5a", logo=logo, logo_content_type=content_type
    )

    # When a quote is rendered with and without it
    with_logo = render_quote_pdf(quote_content(), branded)
    without = render_quote_pdf(quote_content(), Branding(name=BRANDING.name, colour="#0a7d5a"))

    # Then the logo is in the document (an image for PNG, drawn shapes for SVG)
    assert with_logo != without
    first_page = PdfReader(io.BytesIO(with_logo)).pages[0]
    if content_type == "image/png":
        assert len(first_page.images) == 1
        drawn = first_page.images[0].image
        assert drawn is not None and drawn.size == (24, 8)
    else:
        assert len(PdfReader(io.BytesIO(without)).pages[0].images) == 0
    assert BRANDING.name in first_page.extract_text()


def test_a_logo_of_an_unknown_kind_is_left_out_and_the_name_shows():
    branded = Branding(name="Plain Co", logo=b"GIF89a....", logo_content_type="image/gif")
    pdf = render_quote_pdf(quote_content(), branded)
    assert "Plain Co" in page_texts(pdf)[0]
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 0


def test_the_brand_colour_changes_the_document_and_a_bad_colour_falls_back():
    content = quote_content(sections=1, lines_per_section=1)
    green = render_quote_pdf(content, Branding(name="X", colour="#0a7d5a"))
    red = render_quote_pdf(content, Branding(name="X", colour="#c0392b"))
    assert green != red
    broken = render_quote_pdf(content, Branding(name="X", colour='red"); #panic("x'))
    default = render_quote_pdf(content, Branding(name="X", colour=rendering.DEFAULT_BRAND_COLOUR))
    assert broken == default


def test_a_very_long_word_wraps_inside_the_page_and_reads_back_whole():
    # Given a description that is one 150-character URL
    content = quote_content(sections=1, lines_per_section=1)
    url = "https://example.test/" + "a" * 150
    content["sections"][0]["lines"][0]["description"] = url

    # When it is rendered, then the URL is all there, wrapped onto several lines
    text = page_texts(render_quote_pdf(content, BRANDING))[0]
    assert url in text.replace("\n", "")
    assert url not in text


def test_an_acceptance_certificate_page_can_follow_the_quote():
    certificate = {
        "title": "Acceptance certificate",
        "intro": "Accepted through the customer portal.",
        "rows": [
            {"label": "Signed by", "value": "Dana Client"},
            {"label": "SHA-256", "value": "ab" * 32},
        ],
    }
    pages = page_texts(render_quote_pdf(quote_content(), BRANDING, certificate=certificate))
    assert "Acceptance certificate" in pages[-1]
    assert "Signed by" in pages[-1] and "Dana Client" in pages[-1]
    assert "ab" * 32 in pages[-1].replace("\n", "")
    assert "Acceptance certificate" not in "".join(pages[:-1])


def test_a_logo_typst_cannot_decode_fails_with_a_clear_error():
    # Given a logo that claims to be a PNG but is not one
    branded = Branding(name="X", logo=b"\x89PNG not really", logo_content_type="image/png")

    # When a quote is rendered, then the failure says what happened
    with pytest.raises(QuoteDocumentError, match="could not be typeset"):
        render_quote_pdf(quote_content(), branded)


@pytest.mark.parametrize(
    ("colour", "expected"),
    [("#0a7d5a", "#0a7d5a"), ("#1f2328", "#1f2328")],
)
def test_a_dark_brand_colour_is_used_for_text_as_it_is(colour: str, expected: str):
    assert readable_on_white(colour) == expected


@pytest.mark.parametrize("colour", ["#ffff00", "#ffffff", "#7fdbff"])
def test_a_pale_brand_colour_is_darkened_for_headings_until_it_reads_on_white(colour: str):
    # Given a brand colour too pale for text on white
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    assert contrast_with_white(colour) < 4.5

    # When it is made readable, then it reaches 4.5:1 and keeps its hue family
    darker = readable_on_white(colour)
    channels = [int(darker[i : i + 2], 16) for i in (1, 3, 5)]
    assert contrast_with_white(darker) >= 4.5
    assert all(new <= old for new, old in zip(channels, (red, green, blue), strict=True))


def test_a_deposit_is_printed_under_the_total_and_nothing_without_one():
    # Given a quote asking for 30 % of its €430.50 on acceptance
    content = {
        **quote_content(sections=3, lines_per_section=4),
        "deposit": {"percent": "30", "amount": "129.15"},
    }

    text = flat("\n".join(page_texts(render_quote_pdf(content, BRANDING))))
    without = flat("\n".join(page_texts(render_quote_pdf(quote_content(), BRANDING))))

    assert "Total €430.50 Deposit 30 %, payable on acceptance €129.15" in text
    assert "Deposit" not in without
