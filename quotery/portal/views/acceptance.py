"""The client's acceptance: the form, the signature, and the accepted PDF."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from quotery.portal.views.common import portal_headers


@portal_headers
def accept(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


@portal_headers
def accepted_pdf_download(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
