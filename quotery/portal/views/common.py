"""What every view under /p/ shares: the portal headers, the one 404, the rate limits, and
the way a POST finds its share (SECURITY.md 3-5, 8, 22)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from quotery.core.headers import add_portal_headers
from quotery.core.languages import DEFAULT_LANGUAGE
from quotery.core.request_meta import client_ip
from quotery.portal import ratelimit
from quotery.portal.selectors import share_for_token
from quotery.quotes.selectors import quote_language
from quotery.sharing.models import PortalShare

View = Callable[..., HttpResponse]


def portal_headers(view: View) -> View:
    """SECURITY.md 5: the link must not leak through Referer, search engines or caches.
    A 404 raised inside the view (the staff preview of a quote that is not theirs) is
    answered here, so that it carries the headers too."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The view activates the client's language once it knows the link
        # (`client_language_activate`); the thread's language is restored afterwards.
        with translation.override(translation.get_language()):
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                response = HttpResponse(not_found_body(), status=404)
        add_portal_headers(response)
        return response

    return wrapped


def client_language_activate(share: PortalShare) -> None:
    """The client's pages, messages and PDFs in the language of the quote's client (else
    the company's) for the rest of this request. Only inside `portal_headers`, which
    restores the thread's language after the view."""
    translation.activate(quote_language(share.quote))


# ---------------------------------------------------------------------------------------
# Responses shared by every portal URL


def not_found_body() -> bytes:
    # No request in the context and always the default language: the bytes are the same
    # whoever asks, whatever link it is (SECURITY.md 3).
    with translation.override(DEFAULT_LANGUAGE):
        return render_to_string("portal/not_found.html").encode()


def too_many(name: str) -> HttpResponse:
    response = HttpResponse(render_to_string("portal/rate_limited.html"), status=429)
    response["Retry-After"] = str(ratelimit.retry_after(name))
    return response


def unknown_link(request: HttpRequest) -> HttpResponse:
    """The one answer to every link that opens nothing. Counts towards the 404 limit of the
    address, and is a 429 once the address is over it."""
    if not ratelimit.hit(ratelimit.NOT_FOUND_PER_IP, ip_of(request)):
        return too_many(ratelimit.NOT_FOUND_PER_IP)
    return HttpResponse(not_found_body(), status=404)


def live_share(request: HttpRequest, token: str) -> PortalShare | HttpResponse:
    """The share a GET's link opens, or the answer to give instead: the one 404 for a link
    that opens nothing (429 once the address is over its 404 limit).

    The link is looked up first: a valid link always opens, whatever unknown links its
    address walked before (a whole office shares one NAT address). Guessing gains nothing
    from that: links carry 128 random bits and 128 of HMAC (SECURITY.md 1-2)."""
    share = share_for_token(token)
    if share is None:
        return unknown_link(request)
    client_language_activate(share)
    return share


def ip_of(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def is_company_staff(request: HttpRequest, share: PortalShare) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.company_id == share.company_id


def over_post_limit(
    request: HttpRequest, share: PortalShare, kind: ratelimit.PostKind
) -> HttpResponse | None:
    """Counts a client's POST of `kind` on `share` against its address's budget and the
    (link, address) budget, both in one statement (each POST spends both, refused or not);
    the 429 to answer when either is spent, else None. Run it inside the transaction that
    writes, or alone in autocommit: the one statement is its own transaction, and the
    counters commit with it."""
    ip = ip_of(request)
    rules = [
        (ratelimit.limit(kind.per_ip), ip),
        (ratelimit.limit(kind.per_link_ip), f"{share.pk}|{ip}"),
    ]
    for (rule, _), hits in zip(rules, ratelimit.hits_counted_together(rules), strict=True):
        if hits > rule.hits:
            return too_many(rule.name)
    return None


PortalPostView = Callable[..., HttpResponse]


def portal_post(
    kind: ratelimit.PostKind,
) -> Callable[[PortalPostView], Callable[..., HttpResponse]]:
    """For a client's POST of `kind` under /p/<token>/...: the same 404 as any dead link,
    then the limits of `kind` (429 over them), then `view(request, share, ...)`.

    The counters' one statement runs in autocommit, so it has committed before the view
    runs, and a refused or failed answer still counts towards the limit (no BEGIN and
    COMMIT around it: on PostgreSQL two round trips fewer on every POST). CSRF is checked
    by the middleware before this.
    """

    def decorator(view: PortalPostView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
            share = share_for_token(token)
            if share is None:
                return unknown_link(request)
            client_language_activate(share)
            refusal = over_post_limit(request, share, kind)
            if refusal is not None:
                return refusal
            return view(request, share, *args, token=token, **kwargs)

        return wrapped

    return decorator
