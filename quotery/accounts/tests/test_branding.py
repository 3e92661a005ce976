"""Logo checks: real content decides the type; SVG is rebuilt so it cannot carry script."""

from __future__ import annotations

import io

import pytest
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.core.files.uploadedfile import SimpleUploadedFile

from quotery.accounts.branding import (
    LINK_BACKGROUND,
    MAX_LOGO_BYTES,
    contrast_between,
    css_is_safe,
    link_colour,
    logo_clean,
    svg_sanitise,
    text_colour_on,
)
from quotery.accounts.tests.images import SIMPLE_SVG, gif_bytes, jpeg_bytes, png_bytes
from quotery.core.exceptions import ValidationFailed


def upload(
    content: bytes, name: str = "logo.png", content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refused(content: bytes, **kwargs: object) -> str:
    with pytest.raises(ValidationFailed) as caught:
        logo_clean(upload(content), **kwargs)  # type: ignore[arg-type]
    assert list(caught.value.field_errors) == ["logo"]
    return caught.value.field_errors["logo"][0]


# --- raster -------------------------------------------------------------------------------


def test_a_real_png_is_kept_byte_for_byte() -> None:
    data = png_bytes()
    # when it is checked
    clean = logo_clean(upload(data))
    # then it is accepted as it is
    assert clean.content == data
    assert clean.content_type == "image/png"
    assert clean.extension == "png"


def test_a_real_jpeg_is_accepted() -> None:
    clean = logo_clean(upload(jpeg_bytes(), name="logo.jpg", content_type="image/jpeg"))
    assert clean.content_type == "image/jpeg"
    assert clean.extension == "jpg"


def test_the_name_and_browser_content_type_are_ignored() -> None:
    data = png_bytes()
    clean = logo_clean(upload(data, name="logo.svg", content_type="image/svg+xml"))
    # then its real content decides
    assert clean.content_type == "image/png"


def test_a_fake_png_is_refused_as_damaged() -> None:
    message = refused(b"\x89PNG\r\n\x1a\n" + b"not really an image" * 20)
    assert "damaged or incomplete" in message


def test_a_truncated_png_is_refused() -> None:
    data = png_bytes(size=(300, 300))
    message = refused(data[: len(data) // 2])
    assert "damaged or incomplete" in message


def test_a_truncated_jpeg_is_refused() -> None:
    data = jpeg_bytes(size=(300, 300))
    message = refused(data[: len(data) // 3])
    assert "JPEG" in message


def test_a_text_file_named_png_is_refused() -> None:
    message = refused(b"hello, I am a text file")
    assert "not a PNG, JPEG or SVG" in message


def test_a_gif_is_refused() -> None:
    message = refused(gif_bytes())
    assert "not a PNG, JPEG or SVG" in message


def test_an_empty_file_is_refused() -> None:
    assert "empty" in refused(b"")


def test_a_file_over_one_megabyte_is_refused() -> None:
    data = png_bytes() + b"\0" * MAX_LOGO_BYTES
    message = refused(data)
    assert "the limit is 1 MB" in message


def test_the_declared_size_is_checked_before_reading() -> None:
    message = refused(png_bytes(), size=MAX_LOGO_BYTES + 1)
    assert message.startswith("The logo is 1.1 MB; the limit is 1 MB.")


def test_huge_pixel_dimensions_are_refused() -> None:
    data = png_bytes(size=(5000, 10), colour="#ffffff")
    message = refused(data)
    assert "5000 × 10 pixels" in message


# --- SVG ------------------------------------------------------------------------------------


def clean_svg(body: str) -> str:
    wrapped = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 100 40">{body}</svg>'
    )
    result = logo_clean(upload(wrapped.encode(), name="logo.svg", content_type="image/svg+xml"))
    assert result.content_type == "image/svg+xml"
    text = result.content.decode()
    safe_fromstring(result.content)  # what is stored is well-formed XML
    return text


def test_a_plain_svg_keeps_its_drawing() -> None:
    result = logo_clean(upload(SIMPLE_SVG, name="logo.svg"))
    text = result.content.decode()
    assert "<rect" in text and 'fill="#1f6feb"' in text
    assert ">Acme</text>" in text


def test_script_elements_are_removed() -> None:
    text = clean_svg('<script>alert("x")</script><rect width="1" height="1"/>')
    assert "script" not in text and "alert" not in text
    assert "<rect" in text


def test_script_in_another_namespace_is_removed() -> None:
    text = clean_svg(
        '<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>'
    )
    assert "alert" not in text


def test_event_handlers_are_removed() -> None:
    body = '<rect width="1" height="1" onload="alert(1)" onclick="alert(2)" ONmouseover="x()"/>'
    text = clean_svg(body)
    assert "alert" not in text and "onload" not in text.lower() and "x()" not in text


def test_onload_on_the_root_is_removed() -> None:
    data = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    assert b"onload" not in svg_sanitise(data)


def test_javascript_links_are_removed() -> None:
    text = clean_svg(
        '<a href="javascript:alert(1)"><rect width="1" height="1"/></a>'
        '<a xlink:href=" JavaScript:alert(2)"><circle r="1"/></a>'
    )
    assert "javascript" not in text.lower() and "alert" not in text
    assert "<rect" in text and "<circle" in text  # the drawing inside the link stays


def test_external_references_are_removed() -> None:
    text = clean_svg(
        '<use href="https://evil.example/sprite.svg#icon"/>'
        '<use xlink:href="//evil.example/x.svg#a"/>'
        '<image href="https://evil.example/track.png" width="1" height="1"/>'
        '<image xlink:href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/>'
    )
    assert "evil.example" not in text
    assert "data:image/svg" not in text
    assert "<image" not in text  # an image without a safe source is dropped


def test_fragment_references_and_inline_png_are_kept() -> None:
    text = clean_svg(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
        '</defs><rect fill="url(#g)" width="1" height="1"/><use href="#g"/>'
        '<image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'
    )
    assert 'fill="url(#g)"' in text
    assert 'href="#g"' in text
    assert "data:image/png;base64,iVBORw0KGgo=" in text


def test_foreign_object_is_removed_with_its_content() -> None:
    text = clean_svg(
        '<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">'
        '<iframe src="https://evil.example"></iframe>hi</div></foreignObject>'
    )
    assert "foreignObject" not in text and "iframe" not in text and "evil" not in text


def test_animation_that_could_rewrite_links_is_removed() -> None:
    text = clean_svg(
        '<a><set attributeName="href" to="javascript:alert(1)"/><rect width="1"/></a>'
        '<animate attributeName="href" values="javascript:alert(1)"/>'
    )
    assert "javascript" not in text and "<set" not in text and "<animate" not in text


def test_styles_that_load_or_run_things_are_removed() -> None:
    text = clean_svg(
        '<style>@import url("https://evil.example/x.css");</style>'
        "<style>.a{background:url(https://evil.example/p.png)}</style>"
        "<style>.b{fill:#123456}</style>"
        '<rect style="fill:url(http://evil.example/#x)" width="1"/>'
        '<rect style="width:expression(alert(1))" width="2"/>'
        '<rect style="fill:#00ff00" width="3"/>'
    )
    assert "evil.example" not in text and "expression" not in text
    assert ".b{fill:#123456}" in text
    assert 'style="fill:#00ff00"' in text


def test_an_svg_with_a_dtd_or_entities_is_refused() -> None:
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    assert "could not be read" in refused(billion_laughs)


def test_an_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    assert "could not be read" in refused(xxe)


def test_a_broken_svg_is_refused() -> None:
    assert "could not be read" in refused(b'<svg xmlns="http://www.w3.org/2000/svg"><rect')


def test_xml_that_is_not_svg_is_refused() -> None:
    message = refused(b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')
    assert "not an SVG" in message


def test_an_svg_without_namespace_is_rebuilt_as_svg() -> None:
    result = svg_sanitise(b'<svg viewBox="0 0 1 1"><rect width="1"/></svg>')
    root = safe_fromstring(result)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_css_check() -> None:
    assert css_is_safe("fill:url(#grad)")
    assert css_is_safe("fill: url( '#grad' )")
    assert not css_is_safe("fill:url(#grad) url(x.png)")
    assert not css_is_safe("fill:u\\72l(x.png)")
    assert not css_is_safe("fill:url(")


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        ("#ffffff", "#000000"),
        ("#000000", "#ffffff"),
        ("#1f6feb", "#ffffff"),
        ("#ffd60a", "#000000"),
    ],
)
def test_text_colour_on_brand(colour: str, text: str) -> None:
    assert text_colour_on(colour) == text


def test_reading_stops_past_the_limit() -> None:
    stream = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * MAX_LOGO_BYTES))
    with pytest.raises(ValidationFailed) as caught:
        logo_clean(stream)
    assert "the limit is 1 MB" in caught.value.message


@pytest.mark.parametrize(
    ("brand", "link"),
    [
        ("#0b7a3e", "#0b7a3e"),  # dark enough already: links keep the brand colour
        ("#1f6feb", "#1c67da"),  # reads on white (4.6:1) but not on the grey panels
        ("#ffd400", "#816b00"),  # a pale yellow becomes a dark olive
        ("#ffffff", "#6e6e6e"),
        ("#000000", "#000000"),
    ],
)
def test_links_follow_the_brand_and_read_on_white_and_on_grey_panels(brand: str, link: str) -> None:
    assert link_colour(brand) == link
    assert contrast_between(link, "#ffffff") >= 4.5
    assert contrast_between(link, LINK_BACKGROUND) >= 4.5


def test_contrast_between_is_symmetric_and_spans_1_to_21() -> None:
    assert contrast_between("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_between("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_between("#777777", "#777777") == pytest.approx(1)
