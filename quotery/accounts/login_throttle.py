"""How django-axes counts failed sign-ins for Quotery (SECURITY.md 25), configured by the AXES_*
settings in config/settings/base.py: which account an attempt names, what a successful login
clears, and when a pause ends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.http import HttpRequest
from django.utils import timezone

from quotery.accounts.models import User


def attempted_email(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt names, as axes counts it: `username` (what the login forms
    send) or `email` (the user model's USERNAME_FIELD, which ModelBackend accepts too),
    trimmed and lower-cased like stored emails, so `Ana@X.test` and `ana@x.test` share one
    counter."""
    source = credentials if credentials is not None else request.POST
    named = source.get("username") or source.get(User.USERNAME_FIELD) or ""
    return str(named).strip().lower() or None


class AccountThrottle(AxesDatabaseHandler):
    """Axes' database handler with one change: a successful login clears the failures counted
    against that account, and only those. Axes' own reset also clears every failure from the
    client's address, so anyone holding one working password could wipe a password spray's
    count by logging in between rounds."""

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        email = get_client_username(request, credentials)
        if not email:
            return 0  # reset_attempts() without a filter would clear everybody's failures
        return int(self.reset_attempts(username=email))

    def pause_ends(self, request: HttpRequest, credentials: dict[str, Any] | None) -> datetime:
        """When the pause on this request's account or address lifts: the moment fewer than
        the limit's worth of its failures lie within the cool-off. Failures during a pause are
        not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off), so this moment
        never moves later while the pause lasts."""
        limit = get_failure_limit(request, credentials)
        cool_off = get_cool_off(request)
        ends = timezone.now()
        # One queryset per counter (the account's, the address's), failures still counted.
        for attempts in self.get_user_attempts(request, credentials):
            counted = 0
            for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
                "attempt_time", "failures_since_start"
            ):
                counted += failures
                if counted >= limit:
                    ends = max(ends, attempt_time + cool_off)
                    break
        return ends
