from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from quotery.notifications.selectors import notifications_unread_count

register = template.Library()

DEFAULT_POLL_SECONDS = 30


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    """{% notification_bell %}: the bell in the navigation with the unread count (one COUNT
    query), refreshed by htmx every NOTIFICATION_POLL_SECONDS. Empty for a visitor who is
    not a member of a company."""
    request = context.get("request")
    membership = context.get("membership")
    if request is None or membership is None:
        return {"membership": None}
    return {
        "membership": membership,
        "current": request.resolver_match is not None
        and request.resolver_match.view_name == "notifications:list",
        "unread": notifications_unread_count(user=request.user, company=membership.company),
        "poll_seconds": int(getattr(settings, "NOTIFICATION_POLL_SECONDS", DEFAULT_POLL_SECONDS)),
    }
