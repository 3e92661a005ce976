"""The share email, built at send time from an outbox row (no rendered body is stored: it
holds the capability link).

It uses the portal emails' one layout (`quotery.portal.emails.layout`): every link in it
comes from BASE_URL, never from a request (SECURITY.md 6); every text a person typed is
escaped in the HTML part (SECURITY.md 21).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from quotery.accounts.models import User
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable
from quotery.portal.emails.layout import (
    PortalEmail,
    build_email,
    greeting,
    one_line,
    quote_details,
)
from quotery.quotes.models import QuoteRevision
from quotery.quotes.selectors import quote_language
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
    name = one_line(email.to_name)
    words = {
        "number": number,
        "title": title,
        "company": company.sender_name,
        "rep": rep_name,
        "version": revision.number,
    }
    with translation.override(quote_language(quote)):  # the client's language
        if update:
            subject = _(
                "Updated quote %(number)s from %(company)s: %(title)s (version %(version)s)"
            )
            lead = _(
                "%(rep)s at %(company)s has updated the quote (version %(version)s). The page "
                "shows what changed since you last looked."
            )
        else:
            subject = _("Quote %(number)s from %(company)s: %(title)s")
            lead = _("%(rep)s at %(company)s has shared a quote with you.")
        return build_email(
            email,
            PortalEmail(
                company=company,
                subject=subject % words,
                greeting=greeting(name),
                lead=lead % words,
                quoted=email.context.get("message", ""),
                details=quote_details(content),
                link=share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email),
                button=_("View your quote"),
                footnote=_(
                    "On the quote's page you can read it, download it as a PDF, accept it, "
                    "ask for changes or decline it. The link is personal: please do not "
                    "forward it."
                ),
            ),
            reply_to=(sender.full_name, sender.email) if sender else None,
        )
