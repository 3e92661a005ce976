"""OPTION_CHANGED events for the tests of what reads them (the Engagement section, the
company page, the timeline). Recording them is the client page's options feature; here they
are appended through the chain's own `append_event`, with the payload that feature writes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from quotery.engagement import payloads
from quotery.engagement.chain import append_event
from quotery.engagement.models import QuoteEvent
from quotery.sharing.models import PortalShare


def option_changed(
    share: PortalShare,
    *,
    change: str,
    line: str,
    section: str = "Furniture",
    replaced: str | None = None,
    previous: str | None = None,
    to: str | None = None,
    at: dt.datetime | None = None,
    revision_number: int | None = None,
) -> QuoteEvent:
    """The client of `share` changed an option ("added", "removed", "chose", "quantity")."""
    quote = share.quote
    payload = payloads.OptionChanged(
        change=change, line=line, section=section, replaced=replaced, previous=previous, to=to
    )
    return append_event(
        QuoteEvent(
            company_id=quote.company_id,
            quote_id=quote.pk,
            kind=payload.kind,
            occurred_at=at or timezone.now(),
            share=share,
            recipient_email=share.recipient_email,
            revision_number=revision_number or max(quote.revision_number, 1),
            data=payload.to_data(),
        )
    )
