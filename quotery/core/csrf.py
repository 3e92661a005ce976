"""Django's CSRF middleware, taught one thing about the portal's referrer policy.

Portal pages are served with `Referrer-Policy: no-referrer` (SECURITY.md 5) so their
capability link never leaves in a Referer header. Under that policy browsers serialise the
`Origin` of the page's own form posts as the literal string `null` (Fetch spec, "serializing
a request origin"), and Django refuses a `null` origin before it looks at the token. So on
portal URLs only, `Origin: null` counts as the browser declining to name the origin: the
request still needs the CSRF token and the SameSite cookie, which a cross-site page can
neither read nor send. Any other origin that is not ours is refused as before (SECURITY.md 22).
A refusal under /p/ carries the portal's headers like every other answer there.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from quotery.core.headers import PORTAL_PREFIX, add_portal_headers


class PortalAwareCsrfViewMiddleware(CsrfViewMiddleware):
    # Django's hook for the Origin check (since 4.0); django-stubs does not declare it.
    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null" and request.path.startswith(PORTAL_PREFIX):
            return True
        verified: bool = super()._origin_verified(request)  # type: ignore[misc]
        return verified

    # Django's hook that answers a refused request; django-stubs does not declare it.
    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        response: HttpResponse = super()._reject(request, reason)  # type: ignore[misc]
        if request.path.startswith(PORTAL_PREFIX):
            add_portal_headers(response)
        return response
