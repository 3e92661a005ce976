"""The Engagement section of the rep's quote page, and the filters of the Engagement page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from quotery.engagement.chain import pending_opens_fold
from quotery.engagement.selectors import engagement_summary, timeline_for_quote
from quotery.engagement.selectors.attention import (
    ATTENTION_KINDS,
    QuoteAttention,
    quote_attention,
)
from quotery.quotes.models import Quote
from quotery.quotes.states import LOCKED_STATES

register = template.Library()


@register.inclusion_tag("engagement/_quote_engagement.html", takes_context=True)
def quote_engagement(context: template.Context, quote: Quote) -> dict[str, Any]:
    """Two queries whatever the number of events (the latest events with their actors, the
    grouped counts), two more once the client's time on sections or option changes were
    recorded (those events, their revisions' contents), and one for the shares when the
    section offers a resend; one more
    to chain the quote's pending opens first (a short write when there are some), so the
    section shows every open the portal recorded."""
    pending_opens_fold(quote.pk)
    membership = context.get("membership")
    now = timezone.now()
    summary = engagement_summary(quote, now)
    # Read only when the counts show the client's attention was recorded at all.
    looked = any(summary.counts.get(kind) for kind in ATTENTION_KINDS)
    return {
        "quote": quote,
        "request": context.get("request"),
        "timeline": timeline_for_quote(quote),
        "summary": summary,
        "attention": quote_attention(quote) if looked else QuoteAttention(),
        "now": now,
        # Once the client has answered (or the quote was withdrawn), signals and nudges to
        # win it over mean nothing.
        "answered": quote.state in LOCKED_STATES,
        "can_resend": bool(membership and membership.can_edit_quotes),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A span of time the way people say it: "45 min", "3 h 20 min", "2 days 4 h"."""
    if value is None:
        return "–"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        unit = "day" if days == 1 else "days"
        return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{round(value * 100)} %"


@register.filter
def ago(value: dt.datetime | None, now: dt.datetime) -> str:
    """How long before `now`, in its largest unit: "2 hours ago", "under a minute ago"."""
    if value is None:
        return "–"
    if now - value < dt.timedelta(minutes=1):
        return "under a minute ago"
    return f"{timesince(value, now, depth=1)} ago"
