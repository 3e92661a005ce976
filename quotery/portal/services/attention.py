"""The attention beacon: how long a counted view's page showed each part of the quote."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from quotery.core.exceptions import TooManyRequests, ValidationFailed
from quotery.core.request_meta import RequestMeta
from quotery.engagement import events
from quotery.portal import ratelimit
from quotery.portal.attention import bounded_seconds, known_last, known_parts, parse_batch
from quotery.portal.view_confirmation import open_named_by
from quotery.quotes.models import QuoteRevision
from quotery.sharing.models import PortalShare

# A page left open all day still reports; one open for longer than this does not.
ATTENTION_WINDOW_SECONDS = 12 * 60 * 60

NOT_A_COUNTED_VIEW = (
    "This page's view has not been counted, so its time on the quote is not recorded."
)
TOO_MANY_BATCHES = "Too many attention batches for this view; try again in a minute."


@dataclass(frozen=True)
class AttentionRecorded:
    """What a batch added: the event's sequence (None when nothing was new) and the seconds
    added per part."""

    sequence: int | None
    added: dict[str, int]


def portal_attention_record(
    *,
    share: PortalShare,
    view_token: str,
    batch: str,
    meta: RequestMeta,
    last: str = "",
    now: dt.datetime | None = None,
) -> AttentionRecorded:
    """Records a batch of the page's attention beacon for the counted view of the open its
    `view_token` names (the same token the view beacon sent): the running seconds `batch`
    reports per part, bounded, and the part that came on screen last (`last`, "" for none),
    stored as one SECTION_TIME event in the quote's chain
    holding only what the view's earlier batches do not hold yet, in the view's revision.

    Raises ValidationFailed (a plain sentence, nothing stored) for a token that is not this
    link's or is older than ATTENTION_WINDOW_SECONDS, an open no view confirmed (a link
    scanner's, a staff visit records none), a malformed batch, an unknown part, or a part
    over the time since the page was opened; TooManyRequests (nothing stored) past
    `ratelimit.ATTENTION_PER_VIEW` batches of the view in its window. The per-view counter
    is written in the caller's transaction.

    Holds the quote's row lock from reading the view's earlier batches to the append
    (`event_section_time`)."""
    named = open_named_by(share=share, view_token=view_token, window=ATTENTION_WINDOW_SECONDS)
    reported = parse_batch(batch)
    view = events.counted_view_of_open(
        quote_id=share.quote_id, pending_open=named.pending, open_sequence=named.sequence
    )
    if view is None or view.share_id != share.pk:
        raise ValidationFailed(NOT_A_COUNTED_VIEW)
    if not ratelimit.hit(ratelimit.ATTENTION_PER_VIEW, f"{share.quote_id}:{view.view_sequence}"):
        raise TooManyRequests(TOO_MANY_BATCHES)
    content = QuoteRevision.objects.filter(
        quote_id=share.quote_id, number=view.revision_number
    ).values_list("content", flat=True)[0]
    now = now or timezone.now()
    known = known_parts(json.loads(content))
    last_part = known_last(last, known=known)
    seconds = bounded_seconds(
        reported, known=known, span_seconds=(now - view.opened_at).total_seconds()
    )
    if not seconds:
        return AttentionRecorded(None, {})
    with transaction.atomic(savepoint=False):
        event = events.event_section_time(
            quote=share.quote,
            share=share,
            meta=meta,
            view=view,
            seconds_so_far=seconds,
            last=last_part,
        )
    if event is None:
        return AttentionRecorded(None, {})
    return AttentionRecorded(event.sequence, dict(event.data["sections"]))
