"""Real images made with Pillow for the logo tests."""

from __future__ import annotations

import io

from PIL import Image


def png_bytes(size: tuple[int, int] = (40, 20), colour: str = "#1f6feb") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size: tuple[int, int] = (40, 20), colour: str = "#c0392b") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "#000000").save(buffer, format="GIF")
    return buffer.getvalue()


SIMPLE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40">'
    b'<rect width="100" height="40" fill="#1f6feb"/>'
    b'<text x="10" y="25" fill="#ffffff">Acme</text></svg>'
)
