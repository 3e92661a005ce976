"""Turns an ApplicationError that escaped a view into a clear page (or JSON for API calls)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from quotery.core.exceptions import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        if request.path.startswith("/api/") or request.headers.get("Accept") == "application/json":
            return JsonResponse(
                {"error": {"code": exception.code, "message": exception.message}},
                status=exception.http_status,
            )
        return render(
            request,
            "core/application_error.html",
            {"error": exception},
            status=exception.http_status,
        )
