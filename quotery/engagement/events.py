"""One function per kind of event. Each appends one hash-chained row to the quote's log.

Nobody creates QuoteEvent rows any other way. Callers run these inside their own
transaction, so the event commits or rolls back with the change it records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from quotery.accounts.models import IpRecording
from quotery.core.request_meta import RequestMeta, anonymised_ip
from quotery.engagement.chain import append_event
from quotery.engagement.models import EventKind, QuoteEvent

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


def _append(
    *,
    quote: Quote,
    kind: str,
    share: PortalShare | None = None,
    actor: User | None = None,
    meta: RequestMeta | None = None,
    data: dict[str, Any] | None = None,
    revision_number: int | None = None,
    confirmed_open: int | None = None,
) -> QuoteEvent:
    event = QuoteEvent(
        company_id=quote.company_id,
        quote_id=quote.pk,
        kind=kind,
        occurred_at=timezone.now(),
        share=share,
        actor=actor,
        recipient_email=share.recipient_email if share else "",
        revision_number=quote.revision_number if revision_number is None else revision_number,
        user_agent=meta.user_agent if meta else "",
        ip=_recorded_ip(quote, meta),
        data=data or {},
        confirmed_open=confirmed_open,
    )
    return append_event(event)


def event_quote_shared(
    *, quote: Quote, share: PortalShare, actor: User, resend: bool, with_message: bool
) -> QuoteEvent:
    return _append(
        quote=quote,
        kind=EventKind.QUOTE_SHARED,
        share=share,
        actor=actor,
        data={"resend": resend, "with_message": with_message, "send": share.send_count},
    )


def event_link_revoked(*, quote: Quote, share: PortalShare, actor: User) -> QuoteEvent:
    return _append(quote=quote, kind=EventKind.LINK_REVOKED, share=share, actor=actor)


def event_link_opened(*, quote: Quote, share: PortalShare, meta: RequestMeta) -> QuoteEvent:
    """A GET of the client page. Not a view until the page's beacon confirms it."""
    return _append(quote=quote, kind=EventKind.LINK_OPENED, share=share, meta=meta)


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
        kind=EventKind.QUOTE_VIEWED,
        share=share,
        meta=meta,
        data={"open": open_sequence},
        revision_number=revision_number,
        confirmed_open=open_sequence,
    )


def event_pdf_downloaded(
    *, quote: Quote, share: PortalShare, meta: RequestMeta, accepted_copy: bool = False
) -> QuoteEvent:
    return _append(
        quote=quote,
        kind=EventKind.PDF_DOWNLOADED,
        share=share,
        meta=meta,
        data={"accepted_copy": accepted_copy},
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
        kind=EventKind.MESSAGE_POSTED,
        share=share,
        actor=actor,
        meta=meta,
        data={"message": message_id, "author": author_kind},
    )


def event_quote_accepted(
    *,
    quote: Quote,
    share: PortalShare,
    meta: RequestMeta,
    acceptance_id: int,
    signature_hash: str,
    revision_number: int,
) -> QuoteEvent:
    """The client's signature. Its chain hash covers the acceptance's signature hash, which
    in turn covers this event's predecessor (SECURITY.md 15-16)."""
    return _append(
        quote=quote,
        kind=EventKind.QUOTE_ACCEPTED,
        share=share,
        meta=meta,
        data={"acceptance": acceptance_id, "signature_hash": signature_hash},
        revision_number=revision_number,
    )


def event_changes_requested(
    *, quote: Quote, share: PortalShare, meta: RequestMeta, message_id: int
) -> QuoteEvent:
    return _append(
        quote=quote,
        kind=EventKind.CHANGES_REQUESTED,
        share=share,
        meta=meta,
        data={"message": message_id},
    )


def event_quote_declined(
    *, quote: Quote, share: PortalShare, meta: RequestMeta, reason: str, with_detail: bool
) -> QuoteEvent:
    return _append(
        quote=quote,
        kind=EventKind.QUOTE_DECLINED,
        share=share,
        meta=meta,
        data={"reason": reason, "with_detail": with_detail},
    )


def event_payment_status_changed(
    *, quote: Quote, actor: User, previous: str, status: str
) -> QuoteEvent:
    return _append(
        quote=quote,
        kind=EventKind.PAYMENT_STATUS_CHANGED,
        actor=actor,
        data={"from": previous, "to": status},
    )
