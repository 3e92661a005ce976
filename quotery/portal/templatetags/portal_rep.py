"""The sharing parts of the rep's quote page: the Share action, who the quote is shared
with, and the conversation with the rep's reply form and, once declined, the client's
reason. Two queries in all (the shares and the thread), however many shares or messages
there are, and a third for a declined quote's reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.models import Membership
from quotery.portal.forms import RepMessageForm, ShareForm
from quotery.portal.selectors import shares_for_quote, thread_for_quote
from quotery.portal.services.sharing import SHAREABLE_STATES
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.links import share_url
from quotery.sharing.models import ConversationMessage, Decline, PortalShare

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


@register.inclusion_tag("portal/rep/_conversation.html", takes_context=True)
def quote_conversation(context: template.Context, quote: Quote) -> dict[str, Any]:
    zone = quote.company.zone
    shares = [
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
    thread = [
        ThreadRow(message=message, created_at=timezone.localtime(message.created_at, zone))
        for message in thread_for_quote(quote)
    ]
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
