"""The share email, built at send time from an outbox row (no rendered body is stored: it
holds the capability link).

It uses the portal emails' one layout (`quotery.portal.emails.layout`): every link in it
comes from BASE_URL, never from a request (SECURITY.md 6); every text a person typed is
escaped in the HTML part (SECURITY.md 21).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMultiAlternatives

from quotery.accounts.models import User
from quotery.core.money import format_money
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable
from quotery.portal.emails.layout import PortalEmail, build_email, one_line
from quotery.quotes.models import QuoteRevision
from quotery.sharing.links import share_url
from quotery.sharing.models import PortalShare


class ShareEmailNotSendable(EmailNotSendable):
    """The share behind a pending email was revoked or deleted: sending it would deliver a
    dead link, so it is not sent."""


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
    rep_name = (sender.full_name or sender.email) if sender else company.sender_name
    update = bool(email.context.get("update"))
    number, title = content["number"], content["title"]
    valid_until = dt.date.fromisoformat(content["valid_until"])
    name = one_line(email.to_name)
    if update:
        subject = (
            f"Updated quote {number} from {company.sender_name}: {title} "
            f"(version {revision.number})"
        )
        lead = (
            f"{rep_name} at {company.sender_name} has updated the quote (version "
            f"{revision.number}). The page shows what changed since you last looked."
        )
    else:
        subject = f"Quote {number} from {company.sender_name}: {title}"
        lead = f"{rep_name} at {company.sender_name} has shared a quote with you."
    return build_email(
        email,
        PortalEmail(
            company=company,
            subject=subject,
            greeting=f"Hello {name}," if name else "Hello,",
            lead=lead,
            quoted=email.context.get("message", ""),
            details=[
                ("Quote", f"{number}: {title}"),
                ("Total", format_money(Decimal(content["totals"]["total"]), content["currency"])),
                ("Valid until", f"{valid_until.day} {valid_until:%B %Y}"),
            ],
            link=share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email),
            button="View your quote",
            footnote="On the quote's page you can read it, download it as a PDF, accept it, "
            "ask for changes or decline it. The link is personal: please do not forward it.",
        ),
        reply_to=(sender.full_name, sender.email) if sender else None,
    )
