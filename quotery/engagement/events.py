"""One function per kind of event. Each appends one hash-chained row to the quote's log.

Nobody creates QuoteEvent rows any other way. Callers run these inside their own
transaction, so the event commits or rolls back with the change it records. Each builds its
kind's payload (`quotery.engagement.payloads`), which gives the row its kind and its data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from quotery.accounts.models import IpRecording
from quotery.core.request_meta import RequestMeta, anonymised_ip
from quotery.engagement import payloads
from quotery.engagement.chain import Statement, append_event, append_events
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.pending_opens import pending_open_events, pending_open_insert
from quotery.quotes.locks import ChainHead, quote_lock_chain_head
from quotery.webhooks.services.publishing import webhook_publish_quote_event

if TYPE_CHECKING:
    from quotery.accounts.models import User
    from quotery.quotes.models import Quote
    from quotery.sharing.models import PortalShare


def _recorded_ip(quote: Quote, meta: RequestMeta | None) -> str | None:
    if meta is None or meta.ip is None:
        return None
    setting = quote.company.ip_recording
    if setting == IpRecording.FULL:
        return meta.ip
    if setting == IpRecording.ANONYMISED:
        return anonymised_ip(meta.ip)
    return None


def _event(
    *,
    quote: Quote,
    payload: payloads.EventPayload,
    share: PortalShare | None = None,
    actor: User | None = None,
    meta: RequestMeta | None = None,
    revision_number: int | None = None,
    confirmed_open: int | None = None,
) -> QuoteEvent:
    """The unsaved event: what it says, not yet where it sits in the chain."""
    return QuoteEvent(
        company_id=quote.company_id,
        quote_id=quote.pk,
        kind=payload.kind,
        occurred_at=timezone.now(),
        share=share,
        actor=actor,
        recipient_email=share.recipient_email if share else "",
        revision_number=quote.revision_number if revision_number is None else revision_number,
        user_agent=meta.user_agent if meta else "",
        ip=_recorded_ip(quote, meta),
        data=payload.to_data(),
        confirmed_open=confirmed_open,
    )


def _append(**fields: Any) -> QuoteEvent:
    event = append_event(_event(**fields))
    # Its webhook, if its kind sends one, in the same transaction (outbox).
    webhook_publish_quote_event(event)
    return event


def event_quote_shared(
    *, quote: Quote, share: PortalShare, actor: User, resend: bool, with_message: bool
) -> QuoteEvent:
    return _append(
        quote=quote,
        payload=payloads.QuoteShared(
            resend=resend, with_message=with_message, send=share.send_count
        ),
        share=share,
        actor=actor,
    )


def event_link_revoked(*, quote: Quote, share: PortalShare, actor: User) -> QuoteEvent:
    return _append(quote=quote, payload=payloads.LinkRevoked(), share=share, actor=actor)


def event_link_opened(*, quote: Quote, share: PortalShare, meta: RequestMeta) -> QuoteEvent:
    """A GET of the client page. Not a view until the page's beacon confirms it."""
    return _append(quote=quote, payload=payloads.LinkOpened(), share=share, meta=meta)


def event_link_opened_pending(*, quote: Quote, share: PortalShare, meta: RequestMeta) -> int:
    """A GET of the client page, recorded without the chain: one insert, no lock. The open
    joins the chain as a LINK_OPENED event with these facts at the quote's next append or
    read (see `quotery.engagement.pending_opens`). Returns the pending open's id, which the
    page's view token names."""
    return pending_open_insert(
        company_id=quote.company_id,
        quote_id=quote.pk,
        share_id=share.pk,
        occurred_at=timezone.now(),
        revision_number=quote.revision_number,
        user_agent=meta.user_agent,
        ip=_recorded_ip(quote, meta),
    )


def event_quote_viewed(
    *,
    quote: Quote,
    share: PortalShare,
    meta: RequestMeta,
    open_sequence: int,
    revision_number: int,
) -> QuoteEvent:
    """The beacon of a visible browser confirmed the open `open_sequence` (of revision
    `revision_number`): a counted view."""
    return _append(
        quote=quote,
        payload=payloads.QuoteViewed(open=open_sequence),
        share=share,
        meta=meta,
        revision_number=revision_number,
        confirmed_open=open_sequence,
    )


_EVENTS = QuoteEvent._meta.db_table
# A chained open by the id it had while pending, through the index migration 0007 made for
# exactly this expression (`kind` is written out: it is the index's condition).
CHAINED_OPEN_SQL = {
    "sqlite": f"SELECT sequence, revision_number, share_id FROM {_EVENTS} "  # noqa: S608
    "WHERE quote_id = %s AND kind = 'link_opened' AND json_extract(data, '$.pending') = %s",
    "postgresql": f"SELECT sequence, revision_number, share_id FROM {_EVENTS} "  # noqa: S608
    "WHERE quote_id = %s AND kind = 'link_opened' AND (data ->> 'pending')::bigint = %s",
}
CONFIRMED_SQL = f"SELECT 1 FROM {_EVENTS} WHERE quote_id = %s AND confirmed_open = %s"  # noqa: S608


def event_pending_open_viewed(
    *,
    quote: Quote,
    share: PortalShare,
    meta: RequestMeta,
    pending_open: int,
) -> QuoteEvent | None:
    """The beacon of a visible browser confirmed the open recorded as pending open
    `pending_open` (`event_link_opened_pending`): a counted view
    of that open's revision. None, writing nothing, when that open is not `share`'s, is not
    found, or is already confirmed.

    The quote's pending opens and the view are chained in one append (one head move, one
    commit), so the open is in the chain, before its view, whenever the view is. An open
    chained before its beacon came (by a read of the log) is found by its payload's
    `pending`, through an index made for it.
    Holds the quote's row lock from the check to the insert, so racing beacons count once
    (and the database allows one view per open, `event_one_view_per_open`)."""
    with transaction.atomic(savepoint=False):
        head = quote_lock_chain_head(quote.pk)
        pending, opens = pending_open_events(quote.pk)
        found: tuple[int, int, int | None] | None
        if pending_open in pending:
            index = pending.index(pending_open)
            opened = opens[index]
            found = (head.length + index + 1, opened.revision_number, opened.share_id)
        else:
            found = _chained_open(quote, pending_open)
        if found is None or found[2] != share.pk:
            return None
        sequence, revision_number, _ = found
        view = _event(
            quote=quote,
            payload=payloads.QuoteViewed(open=sequence),
            share=share,
            meta=meta,
            revision_number=revision_number,
            confirmed_open=sequence,
        )
        append_events(quote.pk, head, [*opens, view], pending=pending)
        webhook_publish_quote_event(view)
    return view


def _chained_open(quote: Quote, pending_open: int) -> tuple[int, int, int | None] | None:
    """(sequence, revision, share) of the chained open that was pending open
    `pending_open`, if no view confirms it yet. Two index lookups."""
    with connection.cursor() as cursor:
        cursor.execute(CHAINED_OPEN_SQL[connection.vendor], [quote.pk, pending_open])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(CONFIRMED_SQL, [quote.pk, row[0]])
        if cursor.fetchone() is not None:
            return None
    return row[0], row[1], row[2]


def event_pdf_downloaded(
    *, quote: Quote, share: PortalShare, meta: RequestMeta, accepted_copy: bool = False
) -> QuoteEvent:
    return _append(
        quote=quote,
        payload=payloads.PdfDownloaded(accepted_copy=accepted_copy),
        share=share,
        meta=meta,
    )


def event_message_posted(
    *,
    quote: Quote,
    message_id: int,
    author_kind: str,
    share: PortalShare | None = None,
    actor: User | None = None,
    meta: RequestMeta | None = None,
) -> QuoteEvent:
    return _append(
        quote=quote,
        payload=payloads.MessagePosted(message=message_id, author=author_kind),
        share=share,
        actor=actor,
        meta=meta,
    )


def event_quote_accepted(
    *,
    quote: Quote,
    share: PortalShare,
    meta: RequestMeta,
    acceptance_id: int,
    signature_hash: str,
    revision_number: int,
    configuration_hash: str = "",
) -> QuoteEvent:
    """The client's signature. Its chain hash covers the acceptance's signature hash, which
    in turn covers this event's predecessor (SECURITY.md 15-16), and on a quote with
    options the hash of the choices accepted."""
    return _append(
        quote=quote,
        payload=payloads.QuoteAccepted(
            acceptance=acceptance_id,
            signature_hash=signature_hash,
            configuration_hash=configuration_hash or None,
        ),
        share=share,
        meta=meta,
        revision_number=revision_number,
    )


def event_option_changed(
    *,
    quote: Quote,
    share: PortalShare,
    meta: RequestMeta,
    change: str,
    line: str,
    section: str,
    replaced: str | None = None,
    previous: str | None = None,
    new: str | None = None,
) -> QuoteEvent:
    """The client changed one of their choices on the quote's page: `change` is "added",
    "removed", "chose" (with `replaced`, the line chosen before) or "quantity" (with
    `previous` and `new`, stored as "from" and "to"). Recorded for clients' changes only,
    never for staff."""
    return _append(
        quote=quote,
        payload=payloads.OptionChanged(
            change=change, line=line, section=section, replaced=replaced, previous=previous, to=new
        ),
        share=share,
        meta=meta,
    )


def event_options_changed(
    *,
    quote: Quote,
    share: PortalShare,
    meta: RequestMeta,
    changes: Sequence[Mapping[str, str]],
    head: ChainHead,
    write: Statement | None = None,
) -> list[QuoteEvent]:
    """The client's changes of one save of their choices, each an `option_changed` event
    (as `event_option_changed` records it: the entries of `quotery.quotes.options.
    option_changes`, "from"/"to" for a quantity), chained in one append after `head`. The
    caller holds the quote's row lock and read `head` under it, in the transaction this
    runs in (the quote's own row read under `quote_lock` holds it); an append after any
    other head fails (`ChainForked`) instead of forking the chain. `write`, the caller's
    statement saving what changed, runs with the append (`append_events`)."""
    appended = [
        _event(
            quote=quote,
            payload=payloads.OptionChanged(
                change=change["change"],
                line=change["line"],
                section=change["section"],
                replaced=change.get("replaced"),
                previous=change.get("from"),
                to=change.get("to"),
            ),
            share=share,
            meta=meta,
        )
        for change in changes
    ]
    with transaction.atomic(savepoint=False):
        append_events(quote.pk, head, appended, write=write)
        for event in appended:
            webhook_publish_quote_event(event)
    return appended


def event_changes_requested(
    *, quote: Quote, share: PortalShare, meta: RequestMeta, message_id: int
) -> QuoteEvent:
    return _append(
        quote=quote,
        payload=payloads.ChangesRequested(message=message_id),
        share=share,
        meta=meta,
    )


def event_quote_declined(
    *, quote: Quote, share: PortalShare, meta: RequestMeta, reason: str, with_detail: bool
) -> QuoteEvent:
    return _append(
        quote=quote,
        payload=payloads.QuoteDeclined(reason=reason, with_detail=with_detail),
        share=share,
        meta=meta,
    )


def event_payment_status_changed(
    *, quote: Quote, actor: User, previous: str, status: str
) -> QuoteEvent:
    return _append(
        quote=quote,
        payload=payloads.PaymentStatusChanged(previous=previous, status=status),
        actor=actor,
    )


def event_reminder_sent(
    *, quote: Quote, share: PortalShare, reason: str, days: int, slot: str
) -> QuoteEvent:
    """A reminder email was queued for `share`'s recipient (quotery.reminders), in the
    transaction that records its slot as sent."""
    return _append(
        quote=quote,
        payload=payloads.ReminderSent(reason=reason, days=days, slot=slot),
        share=share,
    )


def event_quote_expired(*, quote: Quote) -> QuoteEvent:
    """The quote's valid-until day ended before the client answered: written in the
    transaction that marks the quote expired."""
    return _append(
        quote=quote, payload=payloads.QuoteExpired(valid_until=quote.valid_until.isoformat())
    )


# A counted view as the attention beacon finds it (`counted_view_of_open`).
_VIEW_OF_OPEN_SQL = (
    "SELECT o.sequence, o.occurred_at, v.sequence, v.revision_number, v.share_id "  # noqa: S608
    f"FROM {_EVENTS} o JOIN {_EVENTS} v "
    "ON v.quote_id = o.quote_id AND v.confirmed_open = o.sequence "
    "WHERE o.quote_id = %s AND o.kind = 'link_opened' AND "
)
VIEW_OF_PENDING_OPEN_SQL = {
    "sqlite": _VIEW_OF_OPEN_SQL + "json_extract(o.data, '$.pending') = %s",
    "postgresql": _VIEW_OF_OPEN_SQL + "(o.data ->> 'pending')::bigint = %s",
}
VIEW_OF_CHAINED_OPEN_SQL = _VIEW_OF_OPEN_SQL + "o.sequence = %s"


@dataclass(frozen=True)
class CountedView:
    """A counted view and the open it confirmed: when the page was served (`opened_at`),
    the view's sequence, its revision and its link."""

    open_sequence: int
    opened_at: dt.datetime
    view_sequence: int
    revision_number: int
    share_id: int | None


def counted_view_of_open(
    *, quote_id: int, pending_open: int | None = None, open_sequence: int | None = None
) -> CountedView | None:
    """The counted view that confirmed an open (named by its pending id or its sequence),
    or None when no view confirmed it (a link scanner's open, or one not chained yet).
    One query, through the indexes of the pending id and of `confirmed_open`."""
    with connection.cursor() as cursor:
        if pending_open is not None:
            cursor.execute(VIEW_OF_PENDING_OPEN_SQL[connection.vendor], [quote_id, pending_open])
        else:
            cursor.execute(VIEW_OF_CHAINED_OPEN_SQL, [quote_id, open_sequence])
        row = cursor.fetchone()
    if row is None:
        return None
    opened_at = row[1]
    if isinstance(opened_at, str):  # SQLite through a raw cursor
        opened_at = dt.datetime.fromisoformat(opened_at)
    if timezone.is_naive(opened_at):
        opened_at = timezone.make_aware(opened_at, dt.UTC)
    return CountedView(row[0], opened_at, row[2], row[3], row[4])


def section_seconds_of_view(*, quote_id: int, view_sequence: int) -> dict[str, int]:
    """The seconds the view's SECTION_TIME events hold so far, per part. Reads only the
    quote's events after the view (the (quote, sequence) index)."""
    totals: dict[str, int] = {}
    rows = QuoteEvent.objects.filter(
        quote_id=quote_id, sequence__gt=view_sequence, kind=EventKind.SECTION_TIME
    ).values_list("data", flat=True)
    for data in rows:
        payload = payloads.payload_from(EventKind.SECTION_TIME, data)
        assert isinstance(payload, payloads.SectionTime)
        if payload.view != view_sequence:
            continue
        for key, seconds in payload.sections.items():
            totals[key] = totals.get(key, 0) + seconds
    return totals


def event_section_time(
    *,
    quote: Quote,
    share: PortalShare,
    meta: RequestMeta,
    view: CountedView,
    seconds_so_far: Mapping[str, int],
    last: str | None = None,
) -> QuoteEvent | None:
    """The page of counted view `view` reports the whole seconds each part of the quote
    has been on screen so far (`seconds_so_far`, already bounded by the caller) and the part
    that came on screen last (`last`, a known part or None). Appends one
    SECTION_TIME event holding only what the view's earlier events do not hold yet, in the
    view's revision; None, writing nothing, when nothing was added.

    Holds the quote's row lock from reading the view's earlier events to the append, so
    racing batches never count a second twice. Inside a caller's transaction it adds no
    savepoint."""
    with transaction.atomic(savepoint=False):
        head = quote_lock_chain_head(quote.pk)
        stored = section_seconds_of_view(quote_id=quote.pk, view_sequence=view.view_sequence)
        added = {
            key: seconds - stored.get(key, 0)
            for key, seconds in sorted(seconds_so_far.items())
            if seconds > stored.get(key, 0)
        }
        if not added:
            return None
        event = _event(
            quote=quote,
            payload=payloads.SectionTime(view=view.view_sequence, sections=added, last=last),
            share=share,
            meta=meta,
            revision_number=view.revision_number,
        )
        append_events(quote.pk, head, [event])
        webhook_publish_quote_event(event)
    return event
