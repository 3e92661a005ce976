"""The headers every answer under /p/ carries (SECURITY.md 5), whoever answers: the portal's
views, and Django's CSRF refusal, which answers before any view runs."""

from __future__ import annotations

from django.http import HttpResponse

PORTAL_PREFIX = "/p/"
PORTAL_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}


def add_portal_headers(response: HttpResponse) -> HttpResponse:
    """The link must not leak through a Referer, a search engine or a cache."""
    for header, value in PORTAL_HEADERS.items():
        response[header] = value
    return response
