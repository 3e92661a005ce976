"""The client page and its beacons, served past the middleware they have no use for.

Every client page view is two requests, the page (GET) and its beacon (POST), then a batch
of time on sections (POST) about every 30 seconds while it is on screen, and on a quote with
options one POST per choice the client changes: the most frequent requests the app serves.
Most of Django's middleware stack is for signed-in staff: sessions, authentication, the
current membership, messages, the sign-in throttle. A request that carries no session
cookie has nobody signed in, so for these URLs this middleware, first in MIDDLEWARE,
answers it through the middleware that does matter to them, in the stack's order, and
nothing else:

- Django's SecurityMiddleware (its headers, HTTPS redirect),
- the CSRF middleware (the beacon's token check, the page's CSRF cookie; SECURITY.md 22),
- the X-Frame-Options and Content-Security-Policy middleware (SECURITY.md 5),

then the same view functions the URL conf routes to, which add the portal headers and
count and limit as always (SECURITY.md 8-10). The host is validated as CommonMiddleware
would (ALLOWED_HOSTS), and the response gets its Content-Length as CommonMiddleware gives
it. A request with a session cookie (perhaps staff of the quote's company, whose visits are
not counted), any other method or any other URL goes through the whole stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware

from quotery.core.csrf import PortalAwareCsrfViewMiddleware
from quotery.core.exceptions import ApplicationError
from quotery.core.headers import PORTAL_PREFIX
from quotery.core.middleware import ApplicationErrorMiddleware
from quotery.portal.views import choices, client

Handler = Callable[[HttpRequest], Any]

# The shapes of /p/<token>/ and its /seen/, /attention/ and /choices/ (a token never
# holds a slash; the view itself tells real links from anything else, as it does behind the
# whole stack).
PAGE = re.compile(rf"\A{re.escape(PORTAL_PREFIX)}(?P<token>[^/]+)/\Z")
SEEN = re.compile(rf"\A{re.escape(PORTAL_PREFIX)}(?P<token>[^/]+)/seen/\Z")
ATTENTION = re.compile(rf"\A{re.escape(PORTAL_PREFIX)}(?P<token>[^/]+)/attention/\Z")
CHOICES = re.compile(rf"\A{re.escape(PORTAL_PREFIX)}(?P<token>[^/]+)/choices/\Z")


class PortalFastPathMiddleware:
    """First in MIDDLEWARE: a client's GET or HEAD of the client page and POST of its
    beacons, with no session cookie, skip the staff middleware (see the module's docstring).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.errors = ApplicationErrorMiddleware(self._view)
        # Innermost first, as Django builds its stack; the CSRF middleware's own instance
        # also checks each request's token (its process_view) in _checked_view.
        handler: Handler = convert_exception_to_response(self._checked_view)
        handler = convert_exception_to_response(ContentSecurityPolicyMiddleware(handler))
        handler = convert_exception_to_response(XFrameOptionsMiddleware(handler))
        self.csrf = PortalAwareCsrfViewMiddleware(handler)
        handler = convert_exception_to_response(self.csrf)
        self.fast: Handler = convert_exception_to_response(SecurityMiddleware(handler))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        route = self._route(request)
        if route is None:
            return self.get_response(request)
        request.fast_route = route  # type: ignore[attr-defined]
        response: HttpResponse = self.fast(request)
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

    def _route(self, request: HttpRequest) -> tuple[Any, str] | None:
        """(view, token) when the request may take the short way."""
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        method, path = request.method, request.path_info
        if method in ("GET", "HEAD"):
            match = PAGE.match(path)
            view: Any = client.page
        elif method == "POST":
            match = SEEN.match(path)
            view = client.seen
            if match is None:
                match = ATTENTION.match(path)
                view = client.attention
            if match is None:
                match = CHOICES.match(path)
                view = choices.choices
        else:
            return None
        if match is None:
            return None
        return view, match.group("token")

    def _checked_view(self, request: HttpRequest) -> HttpResponse:
        # What CommonMiddleware would refuse first: a Host not in ALLOWED_HOSTS (400).
        request.get_host()
        view, token = request.fast_route  # type: ignore[attr-defined]
        refusal = self.csrf.process_view(request, view, (), {"token": token})
        if refusal is not None:
            return refusal
        return self._view(request)

    def _view(self, request: HttpRequest) -> HttpResponse:
        view, token = request.fast_route  # type: ignore[attr-defined]
        # Nobody is signed in without a session: the views read this for staff visits.
        request.membership = None  # type: ignore[attr-defined]
        try:
            response: HttpResponse = view(request, token=token)
        except ApplicationError as error:  # answered as ApplicationErrorMiddleware does
            answer = self.errors.process_exception(request, error)
            assert answer is not None
            return answer
        return response
