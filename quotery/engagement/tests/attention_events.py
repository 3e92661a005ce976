"""Time on sections and option changes for the tests of what reads them (the Engagement
section, the company page, the timeline).

`time_on` goes through the named event function the attention beacon uses. OPTION_CHANGED
events are recorded by the client page's options feature; `option_changed` appends them
through the chain's own `append_event`, with the payload that feature writes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from quotery.core.request_meta import RequestMeta
from quotery.engagement import events, payloads
from quotery.engagement.chain import append_event
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.sharing.models import PortalShare

BROWSER = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (iPhone) Safari/605.1")


def time_on(share: PortalShare, seconds: dict[str, int], *, last: str | None = None) -> QuoteEvent:
    """The page of `share`'s latest counted view reports `seconds` so far per part."""
    view = (
        QuoteEvent.objects.filter(share=share, kind=EventKind.QUOTE_VIEWED)
        .order_by("-sequence")
        .first()
    )
    assert view is not None and view.confirmed_open is not None, "the share has no counted view"
    opened = QuoteEvent.objects.get(quote_id=view.quote_id, sequence=view.confirmed_open)
    event = events.event_section_time(
        quote=share.quote,
        share=share,
        meta=BROWSER,
        view=events.CountedView(
            opened.sequence, opened.occurred_at, view.sequence, view.revision_number, share.pk
        ),
        seconds_so_far=seconds,
        last=last,
    )
    assert event is not None, "nothing new to record"
    return event


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
