"""`Idempotency-Key` on POST: a repeat within 24 hours gets the first answer again.

The first request inserts a row for (company, key) and runs in the same transaction as
that row, which then keeps its answer: what the POST did and the answer are committed
together, or neither is. A concurrent twin's insert meets the unique constraint and waits
for the first transaction (PostgreSQL holds it on the index entry; SQLite admits one writer
at a time), then reads the committed answer and replays it. A 5xx answer is rolled back
with everything else, so the client may simply retry. The same key with another body (or
another route) is a 409.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from quotery.api.models import IdempotentRequest
from quotery.api.problems import problem_response

HEADER = "Idempotency-Key"
WINDOW = dt.timedelta(hours=24)
KEY_SHAPE = re.compile(r"\A[\x21-\x7e]{1,255}\Z")
REPLAYED_HEADER = "Idempotent-Replayed"


def key_problem(value: str) -> HttpResponse | None:
    if KEY_SHAPE.match(value):
        return None
    return problem_response(
        400,
        "The Idempotency-Key header must be 1 to 255 visible ASCII characters, such as a UUID.",
        code="invalid_idempotency_key",
        errors=[{"header": HEADER, "detail": "Use 1 to 255 visible ASCII characters."}],
    )


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the method, path with query and body; a JSON body counts by its content,
    so spacing and key order do not make a different request."""
    body = request.body
    with contextlib.suppress(ValueError):
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode())
        digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def _claim(company_id: int, key: str, fingerprint: str) -> IdempotentRequest | None:
    """Inserts the row for (company, key), or returns the committed row of an earlier
    request (waiting for a concurrent one to finish). Rows older than WINDOW are dropped."""
    now = timezone.now()
    IdempotentRequest.objects.filter(
        company_id=company_id, key=key, created_at__lt=now - WINDOW
    ).delete()
    try:
        with transaction.atomic():
            IdempotentRequest.objects.create(
                company_id=company_id, key=key, fingerprint=fingerprint, created_at=now
            )
    except IntegrityError:
        return IdempotentRequest.objects.get(company_id=company_id, key=key)
    return None


def _replay(previous: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(previous.body), status=previous.status, content_type=previous.content_type
    )
    if previous.location:
        response["Location"] = previous.location
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent_post(
    *, company_id: int, key: str, request: HttpRequest, run: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """Runs the POST once per (company, key) within WINDOW; see the module's docstring."""
    fingerprint = request_fingerprint(request)
    with transaction.atomic():
        previous = _claim(company_id, key, fingerprint)
        if previous is not None:
            if previous.fingerprint != fingerprint:
                return problem_response(
                    409,
                    "This Idempotency-Key was already used for a different request. "
                    "Use a new key for a new request.",
                    code="idempotency_key_reused",
                )
            return _replay(previous)
        response = run()
        if response.status_code >= 500 or not isinstance(response, HttpResponse):
            transaction.set_rollback(True)
            return response
        IdempotentRequest.objects.filter(company_id=company_id, key=key).update(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content,
            location=response.get("Location", ""),
        )
    return response


def idempotency_prune(*, now: dt.datetime | None = None) -> int:
    """Deletes answers older than WINDOW; returns how many."""
    cutoff = (now or timezone.now()) - WINDOW
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
