"""What every view under /p/ shares: the portal headers, the one 404, the rate limits, and
the way a POST finds its share (SECURITY.md 3-5, 8, 22)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from quotery.core.request_meta import client_ip
from quotery.portal import ratelimit
from quotery.portal.models import PortalShare
from quotery.portal.selectors import share_for_token

PORTAL_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}

View = Callable[..., HttpResponse]


def portal_headers(view: View) -> View:
    """SECURITY.md 5: the link must not leak through Referer, search engines or caches."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        for header, value in PORTAL_HEADERS.items():
            response[header] = value
        return response

    return wrapped


# ---------------------------------------------------------------------------------------
# Responses shared by every portal URL


def not_found_body() -> bytes:
    # No request in the context: the bytes are the same whoever asks (SECURITY.md 3).
    return render_to_string("portal/not_found.html").encode()


def too_many(name: str) -> HttpResponse:
    response = HttpResponse(render_to_string("portal/rate_limited.html"), status=429)
    response["Retry-After"] = str(ratelimit.retry_after(name))
    return response


def unknown_link(request: HttpRequest) -> HttpResponse:
    """The one answer to every link that opens nothing. Counts towards the 404 limit."""
    if not ratelimit.hit(ratelimit.NOT_FOUND_PER_IP, ip_of(request)):
        return too_many(ratelimit.NOT_FOUND_PER_IP)
    return HttpResponse(not_found_body(), status=404)


def live_share(request: HttpRequest, token: str) -> PortalShare | HttpResponse:
    """The share a GET's link opens, or the answer to give instead: 429 for an address
    over its 404 limit, the one 404 for a link that opens nothing."""
    if ratelimit.exceeded(ratelimit.NOT_FOUND_PER_IP, ip_of(request)):
        return too_many(ratelimit.NOT_FOUND_PER_IP)
    share = share_for_token(token)
    if share is None:
        return unknown_link(request)
    return share


def ip_of(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def is_company_staff(request: HttpRequest, share: PortalShare) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.company_id == share.company_id


PortalPostView = Callable[..., HttpResponse]


def portal_post(view: PortalPostView) -> Callable[..., HttpResponse]:
    """For a client's POST under /p/<token>/...: the same 404 as any dead link, then the
    per-IP and per-link limits (429 over them), then `view(request, share, ...)`.

    The view runs after the counters' transaction has committed, so a refused or failed
    answer still counts towards the limit. CSRF is checked by the middleware before this.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        ip = ip_of(request)
        share = share_for_token(token)
        if share is None:
            if not ratelimit.hit(ratelimit.POST_PER_IP, ip):
                return too_many(ratelimit.POST_PER_IP)
            return unknown_link(request)
        with transaction.atomic():
            for name, subject in (
                (ratelimit.POST_PER_IP, ip),
                (ratelimit.POST_PER_LINK, str(share.pk)),
            ):
                if not ratelimit.hit(name, subject):
                    return too_many(name)
        return view(request, share, *args, token=token, **kwargs)

    return wrapped
