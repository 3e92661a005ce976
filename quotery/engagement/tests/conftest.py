"""Engagement data for the tests, made the way the product makes it.

`shared` and `visit` go through the portal's real services (share, open, beacon, download).
`record` appends a chained event at a chosen time through `append_event`, the function every
named event function uses, for tests about dates and time zones (the services stamp "now"),
with the data the product writes for its kind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from quotery.accounts.models import User
from quotery.core.request_meta import RequestMeta
from quotery.engagement import payloads
from quotery.engagement.chain import append_event
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.services.sharing import (
    portal_open_record,
    portal_pdf_download_record,
    portal_view_confirm,
    share_send,
)
from quotery.portal.view_confirmation import view_token_for
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.models import PortalShare

BROWSER = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/140")
SCANNER = RequestMeta(ip="198.51.100.2", user_agent="Microsoft Office Link Scanner")


def shared(owner: User, email: str = "anna@client.test", **quote_fields: Any) -> PortalShare:
    quote = make_quote(owner=owner, **quote_fields)
    return share_send(quote=quote, user=owner, recipient_name="Anna Client", recipient_email=email)


def share_again(share: PortalShare, owner: User, email: str | None = None) -> PortalShare:
    quote = Quote.objects.get(pk=share.quote_id)
    return share_send(
        quote=quote,
        user=owner,
        recipient_name="Anna Client",
        recipient_email=email or share.recipient_email,
    )


def visit(share: PortalShare, *, seen: bool = True, downloads: int = 0) -> None:
    """The client opens the link; `seen`: the page's beacon confirms a visible browser."""
    share = PortalShare.objects.select_related("quote__company").get(pk=share.pk)
    opened = portal_open_record(share=share, meta=BROWSER if seen else SCANNER)
    if seen:
        assert portal_view_confirm(
            share=share,
            view_token=view_token_for(share=share, open_sequence=opened.sequence),
            meta=BROWSER,
        )
    for _ in range(downloads):
        portal_pdf_download_record(share=share, meta=BROWSER)


# For `record` given only a kind: data of the shape the named event function writes.
EXAMPLES: dict[str, payloads.EventPayload] = {
    EventKind.QUOTE_SHARED: payloads.QuoteShared(resend=False, with_message=False, send=1),
    EventKind.LINK_REVOKED: payloads.LinkRevoked(),
    EventKind.LINK_OPENED: payloads.LinkOpened(),
    EventKind.PDF_DOWNLOADED: payloads.PdfDownloaded(accepted_copy=False),
    EventKind.MESSAGE_POSTED: payloads.MessagePosted(message=1, author="client"),
    EventKind.QUOTE_ACCEPTED: payloads.QuoteAccepted(acceptance=1, signature_hash="0" * 64),
    EventKind.CHANGES_REQUESTED: payloads.ChangesRequested(message=1),
    EventKind.QUOTE_DECLINED: payloads.QuoteDeclined(reason="price", with_detail=False),
    EventKind.PAYMENT_STATUS_CHANGED: payloads.PaymentStatusChanged(
        previous="pending", status="paid"
    ),
}


def record(
    quote: Quote,
    what: payloads.EventPayload | str,
    at: dt.datetime,
    *,
    share: PortalShare | None = None,
) -> QuoteEvent:
    """An event dated `at`. `what`: its payload, or a kind (its data then one of EXAMPLES;
    none for a kind this version does not know)."""
    payload = what if isinstance(what, payloads.EventPayload) else EXAMPLES.get(what)
    assert payload is not None or what not in EventKind.values, f"give the {what} its payload"
    kind = payload.kind if payload is not None else str(what)
    return append_event(
        QuoteEvent(
            company_id=quote.company_id,
            quote_id=quote.pk,
            kind=kind,
            occurred_at=at,
            share=share,
            recipient_email=share.recipient_email if share else "",
            revision_number=max(quote.revision_number, 1),
            data=payload.to_data() if payload is not None else {},
        )
    )


def quote_shared_at(
    owner: User, at: dt.datetime, email: str = "anna@client.test", **quote_fields: Any
) -> tuple[Quote, PortalShare]:
    """A quote first shared at `at`: the quote's sent fields and the share event as
    quote_mark_sent and share_send leave them, dated `at`."""
    quote = make_quote(owner=owner, **quote_fields)
    Quote.objects.filter(pk=quote.pk).update(
        state=QuoteState.SENT,
        revision_number=1,
        first_shared_at=at,
        state_changed_at=at,
    )
    quote.refresh_from_db()
    share = PortalShare.objects.create(
        company_id=quote.company_id,
        quote=quote,
        recipient_name="Anna Client",
        recipient_email=email,
        key=f"k{quote.pk:031d}",
        created_by=owner,
        created_at=at,
        last_sent_at=at,
        send_count=1,
    )
    record(quote, payloads.QuoteShared(resend=False, with_message=False, send=1), at, share=share)
    return quote, share


def view_at(quote: Quote, share: PortalShare, at: dt.datetime) -> QuoteEvent:
    opened = record(quote, EventKind.LINK_OPENED, at, share=share)
    return record(quote, payloads.QuoteViewed(open=opened.sequence), at, share=share)


def event_count() -> int:
    return QuoteEvent.objects.count()


@pytest.fixture
def chained(rep: User) -> Quote:
    """A quote with seven chained events: shared, then three views (open + view each)."""
    share = shared(rep)
    for _ in range(3):
        visit(share)
    quote = Quote.objects.get(pk=share.quote_id)
    assert QuoteEvent.objects.filter(quote=quote).count() == 7
    return quote


@pytest.fixture
def own_storage_and_seal(settings: Any, tmp_path: Path) -> None:
    """Stored PDFs in memory and a seal key of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")
