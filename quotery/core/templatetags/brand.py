from __future__ import annotations

import re

from django import template

register = template.Library()

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_BRAND = "#1f6feb"


@register.filter
def brand_colour(value: str | None) -> str:
    """A colour safe to put in a style attribute: the company's hex colour or the default."""
    return value if value and HEX_COLOUR.fullmatch(value) else DEFAULT_BRAND
