"""Reads of the portal: which share a link opens, a quote's shares and its thread."""

from __future__ import annotations

from django.db.models import QuerySet

from quotery.portal.links import signature_matches, split_token
from quotery.portal.models import ConversationMessage, PortalShare
from quotery.quotes.models import Quote


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
