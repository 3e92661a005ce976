"""The REST API at /api/v1/: django-ninja, OpenAPI 3.1 at /api/v1/openapi.json, Swagger UI
at /api/v1/docs/ from our own static files.

Adding a resource: write a Router in `quotery.api.endpoints` and add it to ROUTERS below
(prefix, router). Every route then gets the conventions (`quotery.api.conventions`: key,
rate limit, scope, Idempotency-Key, use record), the problem+json errors, and a place in
the schema, the docs and the tenancy tests, which are generated from the URL list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.urls import URLPattern
from ninja import NinjaAPI, Router
from ninja.errors import HttpError, ValidationError

from quotery.api.conventions import BearerKey, api_conventions
from quotery.api.endpoints import clients, delivery_notes, products, quotes, webhooks
from quotery.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from quotery.api.inputs import api_field_errors
from quotery.api.pagination import BadParameter
from quotery.api.problems import PROBLEM_TYPE, body_field_errors, pointer, problem_response
from quotery.core.exceptions import ApplicationError, ValidationFailed

logger = logging.getLogger("quotery.api")

ROUTERS: list[tuple[str, Router]] = [
    ("/quotes", quotes.router),
    ("/clients", clients.router),
    ("/products", products.router),
    ("/delivery-notes", delivery_notes.router),
    ("/webhooks", webhooks.router),
]

DESCRIPTION = """
Quotery's REST API. Every request sends an API key, which an admin creates under
**Settings → API keys**: `Authorization: Bearer qk_...`. A key reads (and, with write scope,
changes) its company's data only; another company's id answers 404.

- **Errors** are `application/problem+json` (RFC 9457); validation errors list each field
  with a JSON Pointer into the body (`errors[].pointer`) or the query parameter's name.
- **Idempotency-Key** on any POST: a repeat within 24 hours answers the first answer again
  (with `Idempotent-Replayed: true`); the same key with a different body is a 409.
- **Rate limit** per key: `RateLimit` and `RateLimit-Policy` headers on every answer; over
  the limit, 429 with `Retry-After`.
- **Money** is `{"amount": "1234.50", "currency": "EUR"}`; quantities, prices and rates
  are decimal strings; times are ISO 8601 with their offset.
- **Lists** are pages: follow `next_cursor` (pass it as `cursor`) until it is null.
"""


class QuoteryApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """ninja's schema, with problem+json as the media type of every error answer and
        the Idempotency-Key header on every POST."""
        schema = super().get_openapi_schema(**kwargs)
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                operation["responses"] = _by_status_text(operation.get("responses", {}))
                for status, answer in operation["responses"].items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {PROBLEM_TYPE: content["application/json"]}
                    if int(status) < 300:
                        answer.setdefault("headers", {}).update(RATE_HEADERS)
                if method == "post":
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        return schema


def _by_status_text(responses: dict[Any, Any]) -> dict[str, Any]:
    """Responses keyed by status text. ninja keys its own by int and `openapi_extra` by
    text; for the same status, the operation's explicit `openapi_extra` wins."""
    merged: dict[str, Any] = {}
    for status, answer in responses.items():
        if isinstance(status, str):
            merged[status] = answer
        else:
            merged.setdefault(str(status), answer)
    return merged


RATE_HEADERS = {
    "RateLimit": {"schema": {"type": "string"}, "description": "Remaining requests and reset."},
    "RateLimit-Policy": {"schema": {"type": "string"}, "description": "The key's quota."},
}
IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": False,
    "description": "Any unique value (a UUID): a repeat within 24 hours gets the first answer.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}

api = QuoteryApi(
    title="Quotery API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs/",
    auth=BearerKey(),
)
api.add_decorator(api_conventions, mode="view")
for prefix, router in ROUTERS:
    api.add_router(prefix, router)


@api.exception_handler(ValidationError)
def schema_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        where, *rest = [part for part in error.get("loc", ()) if part != "filters"]
        message = str(error.get("msg", "This value is not valid."))
        if where == "body":
            errors.append(
                {"pointer": pointer(rest[1:] if len(rest) > 1 else rest), "detail": message}
            )
        else:
            errors.append({"parameter": str(rest[-1]) if rest else str(where), "detail": message})
    return problem_response(
        422, "Some fields need a look. See `errors`.", code="invalid", errors=errors
    )


@api.exception_handler(ApplicationError)
def refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if isinstance(exc, BadParameter):
        errors = [{"parameter": exc.parameter, "detail": exc.message}]
        return problem_response(422, exc.message, code=exc.code, errors=errors)
    if isinstance(exc, ValidationFailed):
        errors = body_field_errors(api_field_errors(exc.field_errors))
        return problem_response(422, exc.message, code=exc.code, errors=errors)
    return problem_response(exc.http_status, exc.message, code=exc.code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    detail = str(exc) or "No such object."
    return problem_response(404, detail, code="not_found")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = exc.message if exc.status_code != 400 else "The request body is not valid JSON."
    return problem_response(exc.status_code, detail, code="bad_request")


@api.exception_handler(Exception)
def crashed(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request failed", exc_info=exc)
    return problem_response(
        500, "Something went wrong on our side. It was logged; try again.", code="server_error"
    )


def problem_for_wrong_method(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """A route asked with a method it does not answer: ninja's plain 405, as a problem that
    names the methods it does answer (also in `Allow`)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = ", ".join(sorted(method.strip() for method in response["Allow"].split(",")))
        return problem_response(
            405,
            f"This route does not answer {request.method}; it answers {allowed}.",
            code="method_not_allowed",
            headers={"Allow": allowed},
        )

    return wrapped


def api_urls() -> tuple[list[URLPattern], str, str]:
    """ninja's URL conf of the API, each route answering a wrong method with a problem."""
    patterns, app_name, namespace = api.urls
    wrapped = [
        URLPattern(
            pattern.pattern,
            problem_for_wrong_method(pattern.callback),
            pattern.default_args,
            pattern.name,
        )
        for pattern in cast(list[URLPattern], patterns)
    ]
    return wrapped, app_name, namespace


def unknown_route(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/v1/: a problem, not an HTML page."""
    return problem_response(404, "There is no such API route.", code="no_such_route")
