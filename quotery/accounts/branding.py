"""Company logos: what an upload really is, and an SVG that cannot carry script.

The file's name and the browser's content type are ignored: a PNG or JPEG must open and
decode with Pillow, an SVG must parse as XML (without DTDs or entities) and is rebuilt from an
allowlist of elements and attributes, so the stored bytes hold no script, event handler,
foreign content or external reference. Anything else is refused with a message a person
understands.
"""

from __future__ import annotations

import io
import math
import re
import warnings
import xml.etree.ElementTree as ET  # only builds and writes the sanitised tree
from dataclasses import dataclass
from typing import IO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as safe_fromstring
from PIL import Image, UnidentifiedImageError

from quotery.core.exceptions import ValidationFailed

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4096  # per side: a logo never needs more, and it bounds decoding work

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Shapes, text, grouping, paint servers, clipping and simple filters. No script, no
# foreignObject, no animation (it can rewrite href), no style sheets of its own beyond
# checked <style> text, no links out.
ALLOWED_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "style",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "image",
        "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feFlood",
        "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feMerge",
        "feMergeNode", "feMorphology", "feOffset",
    }
)  # fmt: skip

# An <a> only groups its children once its link is gone.
RENAMED_ELEMENTS = {"a": "g"}

ALLOWED_ATTRIBUTES = frozenset(
    {
        "id", "class", "style", "lang", "viewBox", "preserveAspectRatio", "version",
        "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
        "fx", "fy", "fr", "d", "points", "pathLength", "transform",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "stroke-opacity", "opacity", "color", "display", "visibility", "overflow",
        "clip-path", "clip-rule", "clipPathUnits", "mask", "maskUnits", "maskContentUnits",
        "filter", "filterUnits", "primitiveUnits",
        "stop-color", "stop-opacity", "offset", "gradientUnits", "gradientTransform",
        "spreadMethod", "patternUnits", "patternContentUnits", "patternTransform",
        "font-family", "font-size", "font-style", "font-weight", "font-variant",
        "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift",
        "letter-spacing", "word-spacing", "text-decoration", "dx", "dy", "rotate",
        "textLength", "lengthAdjust", "startOffset", "writing-mode",
        "in", "in2", "result", "stdDeviation", "mode", "operator", "type", "values",
        "k1", "k2", "k3", "k4", "flood-color", "flood-opacity", "radius", "tableValues",
        "slope", "intercept", "amplitude", "exponent", "color-interpolation-filters",
        "vector-effect", "shape-rendering", "image-rendering", "mix-blend-mode", "isolation",
        "href",
    }
)  # fmt: skip
REFERENCE_ATTRIBUTES = frozenset({"href", f"{{{XLINK_NS}}}href"})
XML_ATTRIBUTES = frozenset({f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"})

SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]+$")
FRAGMENT = re.compile(r"^#[A-Za-z_][\w.:-]*$")
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CSS_FORBIDDEN = (
    "expression", "javascript:", "@import", "behavior", "-moz-binding", "image-set",
    "image(", "src(", "cross-fade", "element(", "\\", "<",
)  # fmt: skip


@dataclass(frozen=True)
class CleanLogo:
    """A logo that passed the checks: the bytes to store and what they are."""

    content: bytes
    content_type: str
    extension: str


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"logo": [message]})


def logo_clean(upload: IO[bytes], *, size: int | None = None) -> CleanLogo:
    """Checks an uploaded logo and returns what may be stored.

    PNG and JPEG are kept as uploaded once Pillow has verified and fully decoded them; SVG is
    stored as the sanitised rebuild. Raises ValidationFailed (field "logo") otherwise.
    """
    if size is not None and size > MAX_LOGO_BYTES:
        raise _refuse(_too_big(size))
    upload.seek(0)
    data = upload.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise _refuse(_too_big(size))
    if not data:
        raise _refuse("The logo file is empty. Choose a PNG, JPEG or SVG image.")
    if data.startswith(PNG_MAGIC):
        return CleanLogo(_checked_raster(data, "PNG"), "image/png", "png")
    if data.startswith(JPEG_MAGIC):
        return CleanLogo(_checked_raster(data, "JPEG"), "image/jpeg", "jpg")
    if _looks_like_xml(data):
        return CleanLogo(svg_sanitise(data), "image/svg+xml", "svg")
    raise _refuse(
        "That file is not a PNG, JPEG or SVG image (whatever its name says). "
        "Export the logo in one of those formats and try again."
    )


def _too_big(size: int | None) -> str:
    # Rounded up, so a file just over the limit never reads as "1.0 MB".
    shown = f"{math.ceil(size / (1024 * 1024) * 10) / 10:.1f} MB" if size else "larger than 1 MB"
    return f"The logo is {shown}; the limit is 1 MB. Export a smaller image and try again."


def _checked_raster(data: bytes, expected_format: str) -> bytes:
    corrupt = _refuse(
        f"That {expected_format} file is damaged or incomplete and cannot be shown. "
        "Export the logo again and upload the new file."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected_format:
                    raise corrupt
                width, height = image.size
                if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
                    raise _refuse(
                        f"The logo is {width} × {height} pixels; at most "
                        f"{MAX_LOGO_PIXELS} × {MAX_LOGO_PIXELS} is accepted."
                    )
                image.verify()
            # verify() checks the structure; decoding the pixels catches truncated data.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise corrupt from None
    return data


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def svg_sanitise(data: bytes) -> bytes:
    """Parses an SVG (no DTD, no entities) and rebuilds it from the allowlists.

    Drops elements outside the allowlist with their content (script, foreignObject, iframe,
    animate...), event handlers and every other attribute not listed, references that are not
    "#fragment" or an inline PNG/JPEG, and style text that loads anything or runs anything.
    Raises ValidationFailed when the file is not a well-formed SVG.
    """
    try:
        root = safe_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError, UnicodeDecodeError):
        raise _refuse(
            "That SVG file could not be read: it is not well-formed XML, or it declares a "
            "DTD or entities, which logos do not need. Export it again as plain SVG."
        ) from None
    namespace, local = _split(root.tag)
    if local != "svg" or namespace not in {SVG_NS, ""}:
        raise _refuse("That file is XML but not an SVG image. Choose a PNG, JPEG or SVG image.")
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    clean_root = _rebuild(root, svg_namespace=namespace)
    assert clean_root is not None  # the root is an <svg>, which is allowed
    body: bytes = ET.tostring(clean_root, encoding="utf-8", xml_declaration=True)
    return body


def _split(tag: object) -> tuple[str, str]:
    if not isinstance(tag, str):  # comments and processing instructions
        return ("", "")
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _rebuild(element: ET.Element, *, svg_namespace: str) -> ET.Element | None:
    namespace, local = _split(element.tag)
    if namespace != svg_namespace:
        return None
    local = RENAMED_ELEMENTS.get(local, local)
    if local not in ALLOWED_ELEMENTS:
        return None
    if local == "style" and not css_is_safe(element.text or ""):
        return None
    clean = ET.Element(f"{{{SVG_NS}}}{local}")
    for name, value in element.attrib.items():
        kept = _clean_attribute(name, value, element_name=local)
        if kept is not None:
            clean.set(*kept)
    if local == "image" and not any(n in REFERENCE_ATTRIBUTES for n in clean.attrib):
        return None  # an image with its external source removed shows nothing
    clean.text = element.text
    for child in element:
        rebuilt = _rebuild(child, svg_namespace=svg_namespace)
        if rebuilt is not None:
            rebuilt.tail = child.tail
            clean.append(rebuilt)
    return clean


def _clean_attribute(name: str, value: str, *, element_name: str) -> tuple[str, str] | None:
    if name in XML_ATTRIBUTES:
        return name, value
    if name in REFERENCE_ATTRIBUTES:
        reference = value.strip()
        if FRAGMENT.match(reference) and element_name != "image":
            return name, reference
        if element_name == "image" and SAFE_DATA_IMAGE.match(reference):
            return name, reference
        return None
    if name.startswith("{") or name.lower().startswith("on") or name not in ALLOWED_ATTRIBUTES:
        return None
    if not css_is_safe(value):
        return None
    return name, value


def css_is_safe(text: str) -> bool:
    """True when CSS (a style attribute, a <style> element or a presentation attribute)
    neither runs anything nor loads anything except a "#fragment" in the same file."""
    lowered = CSS_COMMENT.sub("", text).lower()
    if any(word in lowered for word in CSS_FORBIDDEN):
        return False
    for match in CSS_URL.finditer(lowered):
        if not FRAGMENT.match(match.group(2).strip()):
            return False
    # "url(" that the pattern could not read (no closing parenthesis, odd quoting...)
    return lowered.count("url(") == len(CSS_URL.findall(lowered))


DEFAULT_BRAND_COLOUR = "#1f6feb"
HEX_COLOUR_PATTERN = re.compile(r"\A#[0-9a-fA-F]{6}\Z")


def usable_brand_colour(colour: str) -> str:
    """The colour when it is #rrggbb, else Quotery's default (for rows older than the rule)."""
    return colour if HEX_COLOUR_PATTERN.match(colour or "") else DEFAULT_BRAND_COLOUR


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour (0 black, 1 white)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def contrast_between(colour: str, background: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    lighter, darker = sorted(
        (relative_luminance(colour), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(brand_colour: str) -> str:
    """Black or white, whichever reads better on `brand_colour` (WCAG relative luminance)."""
    luminance = relative_luminance(brand_colour)
    # Contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05.
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000000"


def readable_on_white(colour: str) -> str:
    """The brand colour, darkened just enough for text on white to reach WCAG AA (4.5:1).

    A pale brand colour still fills bars and buttons; text in the brand colour (headings in
    the PDF) uses this darker shade.
    """
    return _darkened_until_readable(colour, "#ffffff")


# The palest grey that links sit on in the client's pages (panels, notices: --surface).
LINK_BACKGROUND = "#f6f8fa"


def link_colour(colour: str) -> str:
    """The colour of links in the brand: the brand colour darkened just enough to reach
    WCAG AA (4.5:1) on the client pages' grey panels (LINK_BACKGROUND), and so on white."""
    return _darkened_until_readable(colour, LINK_BACKGROUND)


def _darkened_until_readable(colour: str, background: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for _ in range(40):
        shade = f"#{red:02x}{green:02x}{blue:02x}"
        if contrast_between(shade, background) >= 4.5:
            return shade
        red, green, blue = (int(channel * 0.93) for channel in (red, green, blue))
    return f"#{red:02x}{green:02x}{blue:02x}"
