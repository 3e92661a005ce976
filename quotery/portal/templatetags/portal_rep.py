"""The sharing parts of the rep's quote page: the client's request at the top (changes asked
for, or a message awaiting a reply), the Share action, who the quote is shared with, and the
conversation with the rep's reply form and, once declined, the client's reason. Two queries
in all (the shares and the thread, read once for the page however many parts show them),
however many shares or messages there are; a third for a declined quote's reason, and one
for the change request's event while changes are requested."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.models import Membership
from quotery.portal.forms import RepMessageForm, ShareForm
from quotery.portal.selectors import (
    change_request_message_id,
    shares_for_quote,
    thread_for_quote,
)
from quotery.portal.services.sharing import SHAREABLE_STATES
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.states import ACCEPTED_STATES, LOCKED_STATES
from quotery.sharing.links import share_url
from quotery.sharing.models import AuthorKind, ConversationMessage, Decline, PortalShare

register = template.Library()


def _can_share(context: template.Context) -> bool:
    membership: Membership | None = context.get("membership")
    return membership is not None and membership.can_edit_quotes


@register.inclusion_tag("portal/rep/_share_actions.html", takes_context=True)
def share_actions(context: template.Context, quote: Quote) -> dict[str, Any]:
    can_share = _can_share(context)
    shareable = quote.state in SHAREABLE_STATES
    return {
        "quote": quote,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "can_share": can_share,
        "shareable": shareable,
        # An accepted quote is done: no Share to explain away.
        "won": quote.state in ACCEPTED_STATES,
        "form": ShareForm.for_quote(quote, auto_id="id_share_%s")
        if can_share and shareable
        else None,
    }


@dataclass(frozen=True)
class ShareRow:
    share: PortalShare
    link: str
    last_sent_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class ThreadRow:
    message: ConversationMessage
    created_at: dt.datetime


def _page_read(context: template.Context, name: str, read: Callable[[], list[Any]]) -> list[Any]:
    """`read()` once per page render: the banner and the conversation show the same rows.
    Kept in the render context, which lives as long as one rendering of the page."""
    key = f"portal_rep.{name}"
    cache = context.render_context
    if key not in cache:
        cache[key] = read()
    rows: list[Any] = cache[key]
    return rows


def _share_rows(context: template.Context, quote: Quote) -> list[ShareRow]:
    return _page_read(context, f"shares.{quote.pk}", lambda: _read_share_rows(quote))


def _thread_rows(context: template.Context, quote: Quote) -> list[ThreadRow]:
    zone = quote.company.zone
    return _page_read(
        context,
        f"thread.{quote.pk}",
        lambda: [
            ThreadRow(message=message, created_at=timezone.localtime(message.created_at, zone))
            for message in thread_for_quote(quote)
        ],
    )


def _read_share_rows(quote: Quote) -> list[ShareRow]:
    zone = quote.company.zone
    return [
        ShareRow(
            share=share,
            # Computed for the page, never stored (SECURITY.md 2); a revoked link is dead.
            link=""
            if share.is_revoked
            else share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email),
            last_sent_at=timezone.localtime(share.last_sent_at, zone)
            if share.last_sent_at
            else None,
            revoked_at=timezone.localtime(share.revoked_at, zone) if share.revoked_at else None,
        )
        for share in shares_for_quote(quote)
    ]


@register.inclusion_tag("portal/rep/_conversation.html", takes_context=True)
def quote_conversation(context: template.Context, quote: Quote) -> dict[str, Any]:
    zone = quote.company.zone
    shares = _share_rows(context, quote)
    thread = _thread_rows(context, quote)
    decline = (
        Decline.objects.filter(quote_id=quote.pk, company_id=quote.company_id)
        .select_related("share")
        .first()
        if quote.state == QuoteState.DECLINED
        else None
    )
    can_share = _can_share(context)
    # The reply reaches the client through their link: only worth offering when one is live.
    can_reply = can_share and any(row.link for row in shares)
    return {
        "quote": quote,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "can_share": can_share,
        "shareable": quote.state in SHAREABLE_STATES,
        "shares": shares,
        "thread": thread,
        "reply_form": RepMessageForm(auto_id="id_reply_%s") if can_reply else None,
        "decline": decline,
        "declined_at": timezone.localtime(decline.declined_at, zone) if decline else None,
        "preview_url": reverse("portal:preview", args=[quote.pk]) if shares else None,
    }


def _awaiting(quote: Quote, thread: list[ThreadRow]) -> tuple[str, ThreadRow | None]:
    """What the client is waiting for, with their words: "changes" while changes are
    requested (the message of their latest request, else their latest message), "reply"
    when the thread's latest message is theirs, "" otherwise."""
    client_rows = [row for row in thread if row.message.author_kind == AuthorKind.CLIENT]
    if quote.state == QuoteState.CHANGES_REQUESTED:
        wanted = change_request_message_id(quote)
        asked = [row for row in client_rows if row.message.pk == wanted] or client_rows
        return "changes", asked[-1] if asked else None
    if thread and thread[-1].message.author_kind == AuthorKind.CLIENT:
        return "reply", thread[-1]
    return "", None


@register.inclusion_tag("portal/rep/_client_request.html", takes_context=True)
def quote_client_request(context: template.Context, quote: Quote) -> dict[str, Any]:
    """The banner at the top of the quote page (the notifications land on it): the client
    asked for changes, or wrote and awaits a reply. Shares the page's reads with the
    conversation, so it adds a query only while changes are requested."""
    if quote.state in LOCKED_STATES:
        return {"awaiting": ""}
    awaiting, row = _awaiting(quote, _thread_rows(context, quote))
    can_share = _can_share(context)
    return {
        "awaiting": awaiting,
        "quote": quote,
        "row": row,
        "can_edit": can_share,
        "can_reply": can_share and any(share.link for share in _share_rows(context, quote)),
    }
