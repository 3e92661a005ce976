"""The client's other answers: request changes, decline, and messages in the thread."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from quotery.portal.views.common import portal_headers


@portal_headers
def request_changes(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


@portal_headers
def decline(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


@portal_headers
def message(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
