"""The share email, built at send time from an outbox row (no rendered body is stored: it
holds the capability link).

Every link in it comes from BASE_URL, never from a request (SECURITY.md 6); every text a
person typed is escaped in the HTML part (SECURITY.md 21).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from quotery.accounts.branding import text_colour_on
from quotery.accounts.models import User
from quotery.core.money import format_money
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable
from quotery.portal.links import share_url
from quotery.portal.models import PortalShare
from quotery.quotes.models import QuoteRevision


class ShareEmailNotSendable(EmailNotSendable):
    """The share behind a pending email was revoked or deleted: sending it would deliver a
    dead link, so it is not sent."""


def message_id(dedupe_key: str) -> str:
    """Like `make_msgid`, but the same for the same outbox row, so a copy sent twice (a crash
    after the server took it) is recognisably the same message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "quotery.localhost"
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@{domain}>"


def share_email(email: OutboxEmail) -> EmailMultiAlternatives:
    """The branded email that carries a share's link, or ShareEmailNotSendable when the
    share was revoked (or is gone) since the email was queued. Three queries."""
    share = (
        PortalShare.objects.select_related("quote", "quote__company")
        .filter(pk=email.context["share"], company_id=email.company_id)
        .first()
    )
    if share is None:
        raise ShareEmailNotSendable("Not sent: the share behind this email no longer exists.")
    if share.is_revoked:
        raise ShareEmailNotSendable("Not sent: the link was revoked before this email went out.")
    quote = share.quote
    company = quote.company
    sender = User.objects.filter(pk=email.context["sender"]).first()
    revision = QuoteRevision.objects.filter(quote=quote, number=email.context["revision"]).first()
    if revision is None:
        raise ShareEmailNotSendable("Not sent: the shared revision of the quote is missing.")
    content: dict[str, Any] = json.loads(revision.content)
    base = settings.BASE_URL
    context = {
        "company": company,
        "sender_name": company.sender_name,
        "rep_name": (sender.full_name or sender.email) if sender else company.sender_name,
        "recipient_name": email.to_name,
        "update": bool(email.context.get("update")),
        "version": revision.number,
        "message": email.context.get("message", ""),
        "link": share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email),
        "number": content["number"],
        "title": content["title"],
        "total": format_money(Decimal(content["totals"]["total"]), content["currency"]),
        "valid_until": dt.date.fromisoformat(content["valid_until"]),
        "brand": company.brand_colour,
        "brand_text": text_colour_on(company.brand_colour),
        "logo_url": f"{base}{reverse('accounts:logo', args=[company.pk])}" if company.logo else "",
    }
    message = EmailMultiAlternatives(
        subject=(
            f"Updated quote {content['number']} from {company.sender_name}: "
            f"{content['title']} (version {revision.number})"
            if context["update"]
            else f"Quote {content['number']} from {company.sender_name}: {content['title']}"
        ),
        body=render_to_string("portal/email/share.txt", context),
        from_email=formataddr((company.sender_name, settings.DEFAULT_FROM_EMAIL)),
        to=[formataddr((email.to_name, email.to_email))],
        reply_to=[formataddr((sender.full_name, sender.email))] if sender else [],
        headers={"Message-ID": message_id(email.dedupe_key)},
    )
    message.attach_alternative(render_to_string("portal/email/share.html", context), "text/html")
    return message
