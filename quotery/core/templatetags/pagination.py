from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page
from django.http import HttpRequest

register = template.Library()


@register.inclusion_tag("core/_pagination.html")
def pagination(page: Page[Any], request: HttpRequest, noun: str) -> dict[str, Any]:
    """{% pagination page request "quotes" %}: Previous / Next links that keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page": page, "noun": noun, "prefix": f"?{encoded}&" if encoded else "?"}
