"""Errors as `application/problem+json` (RFC 9457): one shape for every refusal.

    {"type": "urn:quotery:problem:invalid", "title": "Some fields need a look",
     "status": 422, "detail": "...", "code": "invalid",
     "errors": [{"pointer": "#/sections/0/lines/2/quantity", "detail": "..."}]}

`errors` (validation only) points at each field with a JSON Pointer into the request body,
or names a query parameter or header by `parameter` / `header`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Some fields need a look",
    429: "Too many requests",
    500: "Something went wrong on our side",
}


def pointer(path: str | Sequence[str | int]) -> str:
    """A JSON Pointer from a dotted service path ("sections.0.title") or a list of parts."""
    parts = path.split(".") if isinstance(path, str) else [str(part) for part in path]
    escaped = [part.replace("~", "~0").replace("/", "~1") for part in parts]
    return "#/" + "/".join(escaped)


def problem_response(
    status: int,
    detail: str,
    *,
    code: str,
    errors: Sequence[Mapping[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"urn:quotery:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [dict(error) for error in errors]
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def body_field_errors(field_errors: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    return [
        {"pointer": pointer(field), "detail": message}
        for field, messages in field_errors.items()
        for message in messages
    ]
