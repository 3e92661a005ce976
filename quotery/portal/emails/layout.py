"""What every portal email shares: one branded layout (HTML and plain text), headers made
safe, the Message-ID from the outbox row's dedupe key, and times in the company's zone.

Each kind of email (share, acceptance, answers) fills a `PortalEmail` and calls
`build_email`. Every link comes from BASE_URL (SECURITY.md 6); every text a person typed is
escaped in the HTML part, and names and subjects are made single-line before they reach a
header (SECURITY.md 21).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.branding import text_colour_on, usable_brand_colour
from quotery.accounts.models import Company
from quotery.core.text import BIDI_CONTROLS
from quotery.notifications.models import OutboxEmail
from quotery.quotes.models import Quote


def message_id(dedupe_key: str) -> str:
    """Like `make_msgid`, but the same for the same outbox row, so a copy sent twice (a crash
    after the server took it) is recognisably the same message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "quotery.localhost"
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@{domain}>"


def one_line(text: str) -> str:
    """A value safe in a header: control characters and every kind of line break (CR, LF,
    NEL, U+2028/2029) become spaces; bidirectional overrides go. Joiners inside emoji and
    scripts that need them stay."""
    kept = []
    for ch in text:
        if unicodedata.category(ch) in {"Cc", "Zl", "Zp"}:
            kept.append(" ")
        elif ch not in BIDI_CONTROLS:
            kept.append(ch)
    return " ".join("".join(kept).split())


def quote_url(quote: Quote) -> str:
    """The quote's page in the app, for staff (SECURITY.md 6: from BASE_URL)."""
    return f"{settings.BASE_URL}{reverse('quotes:detail', args=[quote.pk])}"


def local_time(moment: dt.datetime, company: Company) -> str:
    """'28 November 2026, 10:29 CET': the company's time zone, as the pages show it."""
    local = timezone.localtime(moment, company.zone)
    return f"{local.day} {local:%B %Y, %H:%M %Z}"


@dataclass
class PortalEmail:
    """What the layout shows, in the order it shows it."""

    company: Company
    subject: str
    lead: str
    link: str
    button: str
    greeting: str = "Hello,"
    quoted: str = ""  # words a person typed, shown as a quotation
    quoted_by: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    footnote: str = ""


def build_email(
    email: OutboxEmail,
    content: PortalEmail,
    *,
    reply_to: tuple[str, str] | None = None,
    sender_name: str | None = None,
) -> EmailMultiAlternatives:
    """The email for an outbox row: from the company (or `sender_name`), to the row's
    recipient, in the company's colours and logo, HTML and plain text."""
    company = content.company
    colour = usable_brand_colour(company.brand_colour)
    base = settings.BASE_URL
    context = {
        "e": content,
        "sender_name": company.sender_name,
        "brand": colour,
        "brand_text": text_colour_on(colour),
        "logo_url": f"{base}{reverse('accounts:logo', args=[company.pk])}" if company.logo else "",
    }
    sender = sender_name or company.sender_name
    message = EmailMultiAlternatives(
        subject=one_line(content.subject),
        body=render_to_string("portal/email/portal_email.txt", context),
        from_email=formataddr((one_line(sender), settings.DEFAULT_FROM_EMAIL)),
        to=[formataddr((one_line(email.to_name), email.to_email))],
        reply_to=[formataddr((one_line(reply_to[0]), reply_to[1]))] if reply_to else [],
        headers={"Message-ID": message_id(email.dedupe_key)},
    )
    message.attach_alternative(
        render_to_string("portal/email/portal_email.html", context), "text/html"
    )
    return message
