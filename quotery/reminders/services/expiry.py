"""A quote's validity ends: the scheduler marks it expired, records it in the engagement
log and tells its owner (in-app and by email), all in one transaction per quote."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from quotery.engagement import events
from quotery.notifications.models import NotificationKind
from quotery.portal.services.answers import owner_tell
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import Quote
from quotery.quotes.services.quotes import quote_mark_expired
from quotery.quotes.states import OPEN_STATES

EXPIRED_EMAIL_KIND = "quote_expired_rep"


def quotes_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expires every open quote whose valid-until day has ended in its company's zone;
    returns how many. Safe to run any time and from several workers: each quote changes
    under its lock by compare-and-set, so each expiry is recorded and told once."""
    now = now or timezone.now()
    candidates = Quote.objects.filter(
        state__in=OPEN_STATES, valid_until__lt=(now + dt.timedelta(days=1)).date()
    ).values_list("pk", flat=True)
    return sum(quote_expire(quote_id=pk, now=now) for pk in list(candidates))


def quote_expire(*, quote_id: int, now: dt.datetime) -> bool:
    """Marks the quote expired if it is open and past its validity at `now`, with a
    `quote_expired` event and the owner's notification and email; whether it did.
    Holds the quote's row lock from its check to its last write."""
    with transaction.atomic():
        quote_lock(quote_id)
        quote = Quote.objects.select_related("company", "owner").get(pk=quote_id)
        if not quote_mark_expired(quote=quote, now=now):
            return False
        events.event_quote_expired(quote=quote)
        until = quote.valid_until
        owner_tell(
            quote=quote,
            kind=NotificationKind.QUOTE_EXPIRED,
            text=f"{quote.number} expired without an answer (valid until "
            f"{until.day} {until:%B %Y}).",
            notification_key=f"quote_expired:{quote.pk}:{until.isoformat()}",
            email_kind="quote_expired_rep",
            email_key=f"{EXPIRED_EMAIL_KIND}:{quote.pk}:{until.isoformat()}",
            context={"quote": quote.pk, "valid_until": until.isoformat()},
        )
    return True
