"""The answers every endpoint documents besides its success, so the schema lists each status
a client can meet (and schema checks hold the API to it)."""

from __future__ import annotations

from typing import Any

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
