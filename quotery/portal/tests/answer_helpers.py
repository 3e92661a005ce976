"""What the answer tests compare before and after: every row an answer could write."""

from __future__ import annotations

from typing import Any

from quotery.engagement.models import QuoteEvent
from quotery.notifications.models import Notification, OutboxEmail
from quotery.quotes.models import Quote
from quotery.sharing.models import ConversationMessage, Decline


def written() -> dict[str, Any]:
    """The counts (and quote states) an answer changes when it goes through."""
    return {
        "messages": ConversationMessage.objects.count(),
        "events": QuoteEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "emails": OutboxEmail.objects.count(),
        "declines": Decline.objects.count(),
        "states": sorted(Quote.objects.values_list("pk", "state")),
    }
