"""The answers every endpoint documents besides its success, so the schema lists each status
a client can meet (and schema checks hold the API to it)."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from quotery.api.schemas import Problem

# Any request: no or a bad key, an id not in the key's company, bad parameters, too many.
READ_ERRORS: dict[int, Any] = {401: Problem, 404: Problem, 422: Problem, 429: Problem}
# Writes also meet a read-only key (403), a malformed Idempotency-Key or body (400) and
# a state that refuses the change or a reused Idempotency-Key (409).
WRITE_ERRORS: dict[int, Any] = READ_ERRORS | {400: Problem, 403: Problem, 409: Problem}


def reads(success: dict[int, Any]) -> dict[int, Any]:
    return success | READ_ERRORS


def writes(success: dict[int, Any]) -> dict[int, Any]:
    return success | WRITE_ERRORS


def json_answer(data: Any) -> HttpResponse:
    """`data` as JSON, without ninja's validation against the response schema: for the
    hot lists, whose rows come from `quotery.api.representations` in the schema's shape
    (the schema tests hold them to it). Same encoder as ninja's answers (times ISO 8601
    with offset, decimals as strings)."""
    return HttpResponse(json.dumps(data, cls=DjangoJSONEncoder), content_type="application/json")
