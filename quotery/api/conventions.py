"""What every API request goes through, around the endpoint itself:

1. the bearer key (401 when missing, unknown, malformed or revoked); session cookies are
   never looked at, and CSRF does not apply (a cross-site page cannot send the header);
2. the key's rate limit (429 with Retry-After), with `RateLimit` and `RateLimit-Policy`
   headers on every answer (draft-ietf-httpapi-ratelimit-headers);
3. the key's scope: a read key on POST, PUT, PATCH or DELETE is a 403;
4. `Idempotency-Key` on POST (quotery.api.idempotency);
5. a record of the use (time, key, route, status; never a body; SECURITY.md 26), written
   with the key's lookup on PostgreSQL and its status corrected when the answer's differs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja.security import HttpBearer

from quotery.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from quotery.api.idempotency import idempotent_post, key_problem
from quotery.api.keys import KeyHolder, KeyUse, api_key_use_record, key_holder_for_token
from quotery.api.problems import problem_response
from quotery.portal.ratelimit import Limit, window_ends

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
POLICY = "per-key"
DEFAULT_RATE_LIMIT = (600, 60)  # requests per key, per window of seconds


def rate_limit() -> Limit:
    hits, seconds = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    return Limit(name="api_per_key", hits=hits, seconds=seconds)


class KeyHolderRequest(HttpRequest):
    key_holder: KeyHolder


def key_holder(request: HttpRequest) -> KeyHolder:
    """The holder of the request's key (set by `api_conventions` before any endpoint)."""
    return cast(KeyHolderRequest, request).key_holder


class BearerKey(HttpBearer):
    """The API's security scheme in the OpenAPI schema. The key itself was checked by
    `api_conventions`, which runs first; this hands its holder to ninja as `request.auth`."""

    def __call__(self, request: HttpRequest) -> KeyHolder | None:
        return getattr(request, "key_holder", None)

    def authenticate(self, request: HttpRequest, token: str) -> KeyHolder | None:
        return None  # pragma: no cover (never called: __call__ answers)


def _bearer_token(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _unauthenticated(detail: str) -> HttpResponseBase:
    return problem_response(
        401, detail, code="not_authenticated", headers={"WWW-Authenticate": 'Bearer realm="api"'}
    )


def _route(request: HttpRequest) -> str:
    match = request.resolver_match
    return "/" + match.route if match is not None else request.path


def api_conventions(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wraps every endpoint of the API (ninja's "view" decorator mode: before parsing)."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        token = _bearer_token(request)
        if token is None:
            return _unauthenticated(
                "Send an API key as “Authorization: Bearer <key>”. "
                "An admin creates keys under Settings → API keys."
            )
        rule = rate_limit()
        # The use is recorded with the key's lookup where the database allows (one round
        # trip), as the answer expected; `api_key_use_record` corrects a different status.
        use = KeyUse(method=request.method or "", route=_route(request))
        holder = key_holder_for_token(token, counted=rule, use=use)
        if holder is None:
            return _unauthenticated("This API key is unknown or was revoked.")
        cast(KeyHolderRequest, request).key_holder = holder
        hits = holder.hits
        reset = window_ends(rule)
        response = _answer(
            request, holder, run, args, kwargs, limited=hits > rule.hits, reset=reset
        )
        response["RateLimit-Policy"] = f'"{POLICY}";q={rule.hits};w={rule.seconds}'
        response["RateLimit"] = f'"{POLICY}";r={max(0, rule.hits - hits)};t={reset}'
        api_key_use_record(
            holder=holder, method=use.method, route=use.route, status=response.status_code
        )
        return response

    return wrapped


def _answer(
    request: HttpRequest,
    holder: KeyHolder,
    run: Callable[..., HttpResponseBase],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    limited: bool,
    reset: int,
) -> HttpResponseBase:
    if limited:
        return problem_response(
            429,
            f"This key made too many requests. Try again in {reset} seconds.",
            code="rate_limited",
            headers={"Retry-After": str(reset)},
        )
    if request.method not in SAFE_METHODS and not holder.key.can_write:
        return problem_response(
            403,
            "This API key can only read. An admin can create a key with write access "
            "under Settings → API keys.",
            code="read_only_key",
        )
    idempotency_key = request.headers.get(IDEMPOTENCY_HEADER)
    if request.method != "POST" or idempotency_key is None:
        return run(request, *args, **kwargs)
    if refused := key_problem(idempotency_key):
        return refused
    return idempotent_post(
        company_id=holder.key.company_id,
        key=idempotency_key,
        request=request,
        run=lambda: run(request, *args, **kwargs),
    )
