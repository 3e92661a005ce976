from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from quotery.accounts.models import Membership


class CurrentMembershipMiddleware:
    """Puts the logged-in user's membership (and so their company) on the request."""

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
        return self.get_response(request)
