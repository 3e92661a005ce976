"""One function per kind of event. Each appends one hash-chained row to the quote's log.

Nobody creates QuoteEvent rows any other way. Callers run these inside their own
transaction, so the event commits or rolls back with the change it records. Each builds its
kind's payload (`quotery.engagement.payloads`), which gives the row its kind and its data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from quotery.accounts.models import IpRecording
from quotery.core.request_meta import RequestMeta, anonymised_ip
from quotery.engagement import payloads
from quotery.engagement.chain import append_event
from quotery.engagement.models import QuoteEvent

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
    payload: payloads.EventPayload,
    share: PortalShare | None = None,
    actor: User | None = None,
    meta: RequestMeta | None = None,
    revision_number: int | None = None,
    confirmed_open: int | None = None,
) -> QuoteEvent:
    event = QuoteEvent(
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
    return append_event(event)


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
) -> QuoteEvent:
    """The client's signature. Its chain hash covers the acceptance's signature hash, which
    in turn covers this event's predecessor (SECURITY.md 15-16)."""
    return _append(
        quote=quote,
        payload=payloads.QuoteAccepted(acceptance=acceptance_id, signature_hash=signature_hash),
        share=share,
        meta=meta,
        revision_number=revision_number,
    )


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
