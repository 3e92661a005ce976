"""Who may open which internal page. Tenancy itself lives in the selectors (company-scoped)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, Protocol, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from quotery.accounts.models import Company, Membership, Role, User


class MemberRequest(HttpRequest):
    """An HttpRequest from a logged-in member of a company."""

    user: User
    membership: Membership
    company: Company


class MemberView(Protocol):
    def __call__(self, request: MemberRequest, *args: Any, **kwargs: Any) -> HttpResponse: ...


def member_required(
    roles: Iterable[Role] | None = None,
) -> Callable[[MemberView], Callable[..., HttpResponse]]:
    """Requires a logged-in, active member; with `roles`, one of those roles.

    A member without the role gets a 404, as a foreign id does: pages they may not open are
    not advertised.
    """
    allowed = set(roles) if roles is not None else None

    def decorator(view: MemberView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if not request.user.is_authenticated or membership is None:
                return redirect_to_login(request.get_full_path())
            if allowed is not None and membership.role not in allowed:
                raise Http404("No such page.")
            member_request = cast(MemberRequest, request)
            member_request.company = membership.company
            return view(member_request, *args, **kwargs)

        return wrapped

    return decorator


ADMINS = (Role.ADMIN,)
EDITORS = (Role.REP, Role.MANAGER, Role.ADMIN)
