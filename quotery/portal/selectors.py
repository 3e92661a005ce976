"""Reads of the portal: which share a link opens, a quote's shares and its thread."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from quotery.portal.links import signature_matches, split_token
from quotery.portal.models import ConversationMessage, PortalShare
from quotery.quotes.models import Quote, QuoteRevision, end_of_validity
from quotery.quotes.states import effective_state


def share_for_token(token: str) -> PortalShare | None:
    """The live share a link opens, or None for unknown, malformed, forged and revoked links
    alike (SECURITY.md 3); the caller answers all of them with the same 404. One query."""
    parts = split_token(token)
    if parts is None:
        return None
    key, signature = parts
    share = (
        PortalShare.objects.select_related("quote", "quote__company", "quote__owner")
        .filter(key=key)
        .first()
    )
    if share is None or share.is_revoked:
        return None
    if not signature_matches(
        key=key, quote_id=share.quote_id, email=share.recipient_email, signature=signature
    ):
        return None
    return share


def shares_for_quote(quote: Quote) -> QuerySet[PortalShare]:
    return PortalShare.objects.filter(quote=quote, company_id=quote.company_id).order_by(
        "created_at", "pk"
    )


def thread_for_quote(quote: Quote) -> QuerySet[ConversationMessage]:
    return ConversationMessage.objects.filter(quote=quote, company_id=quote.company_id).order_by(
        "created_at", "pk"
    )


@dataclass(frozen=True)
class PortalPage:
    """What the client page shows: the latest revision's canonical content (exactly what
    the content hash covers), the thread, and whether the quote is past its validity."""

    share: PortalShare
    quote: Quote
    revision: QuoteRevision
    content: dict[str, Any]
    messages: list[ConversationMessage]
    state: str
    expired: bool
    valid_until_end: dt.datetime


def portal_page(share: PortalShare, *, now: dt.datetime | None = None) -> PortalPage:
    """Two queries whatever the quote's size: the latest revision and the thread."""
    quote = share.quote
    zone = quote.company.zone
    now = now or timezone.now()
    revision = QuoteRevision.objects.filter(quote=quote).order_by("-number").first()
    if revision is None:  # a share always follows quote_mark_sent, which writes one
        raise QuoteRevision.DoesNotExist(f"Quote {quote.pk} has a share but no revision")
    state = effective_state(quote.state, quote.valid_until, zone, now)
    return PortalPage(
        share=share,
        quote=quote,
        revision=revision,
        content=json.loads(revision.content),
        messages=list(thread_for_quote(quote)),
        state=state,
        expired=state == "expired",
        valid_until_end=end_of_validity(quote.valid_until, zone),
    )
