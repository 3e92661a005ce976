"""A quote shared with a client, as the client page tests need it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from quotery.accounts.models import User
from quotery.core.request_meta import RequestMeta
from quotery.engagement.models import QuoteEvent
from quotery.factories import make_quote
from quotery.portal.links import share_token
from quotery.portal.models import Acceptance, AuthorKind, ConversationMessage, PortalShare
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.services.sharing import share_send
from quotery.quotes.models import Quote, QuoteRevision


@dataclass
class Shared:
    quote: Quote
    share: PortalShare
    token: str

    @property
    def url(self) -> str:
        return reverse("portal:page", args=[self.token])

    @property
    def seen_url(self) -> str:
        return reverse("portal:seen", args=[self.token])

    @property
    def pdf_url(self) -> str:
        return reverse("portal:pdf", args=[self.token])


def share_quote(
    owner: User,
    *,
    sections: int = 2,
    lines_per_section: int = 3,
    email: str = "anna@client.test",
    message: str = "Here is the quote we discussed.",
    title: str = "Office fit-out",
) -> Shared:
    quote = make_quote(
        owner=owner,
        sections=sections,
        lines_per_section=lines_per_section,
        issue_date=timezone.localdate(),
        title=title,
    )
    share = share_send(
        quote=quote,
        user=owner,
        recipient_name="Anna Client",
        recipient_email=email,
        message=message,
    )
    token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    return Shared(quote=quote, share=share, token=token)


def expire(quote: Quote) -> None:
    """Moves the quote's validity into the past, as time passing would."""
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=3)
    )


def event_kinds(quote_id: int) -> list[str]:
    """The quote's event log, as kinds in order."""
    return list(
        QuoteEvent.objects.filter(quote_id=quote_id)
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


def client_message(
    shared: Shared, body: str, *, created_at: dt.datetime | None = None
) -> ConversationMessage:
    """A message from the client in the quote's thread."""
    return ConversationMessage.objects.create(
        company_id=shared.quote.company_id,
        quote=shared.quote,
        author_kind=AuthorKind.CLIENT,
        author_name=shared.share.recipient_name,
        author_email=shared.share.recipient_email,
        share=shared.share,
        body=body,
        created_at=created_at or timezone.now(),
    )


CLIENT_META = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (iPhone) Safari/605.1")


def latest_revision_hash(quote: Quote) -> str:
    return QuoteRevision.objects.filter(quote_id=quote.pk).order_by("-number").first().content_hash  # type: ignore[union-attr]


def accept_shared(
    shared: Shared,
    *,
    name: str = "Anna Client",
    email: str = "anna@client.test",
    meta: RequestMeta = CLIENT_META,
) -> Acceptance:
    """The client accepts the latest revision through the acceptance service."""
    return quote_accept(
        share=shared.share,
        signer_name=name,
        signer_email=email,
        consent=True,
        revision_hash=latest_revision_hash(shared.quote),
        request_meta=meta,
    )
