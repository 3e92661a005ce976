from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from quotery.accounts.models import Membership


class CurrentMembershipMiddleware:
    """Puts the logged-in user's membership (and so their company) on the request, and
    shows times in the company's time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = (
                Membership.objects.select_related("company", "user")
                .filter(user_id=user.pk, user__is_active=True)
                .first()
            )
        request.membership = membership  # type: ignore[attr-defined]
        # Times on the rep's pages read in the company's time zone.
        if membership is not None:
            timezone.activate(membership.company.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
