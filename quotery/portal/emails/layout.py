"""What every portal email shares: one branded layout (HTML and plain text), headers made
safe, the Message-ID from the outbox row's dedupe key, and times in the company's zone.

Each kind of email (share, acceptance, answers) fills a `PortalEmail` and calls
`build_email`. Every link comes from BASE_URL (SECURITY.md 6); every text a person typed is
escaped in the HTML part, subjects are made single-line, and every address header is written
by `mail_address`, whose display names no folding can turn into another address
(SECURITY.md 21).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quotery.accounts.branding import text_colour_on, usable_brand_colour
from quotery.accounts.models import Company
from quotery.core.languages import long_date, long_datetime
from quotery.core.money import format_money
from quotery.core.text import BIDI_CONTROLS, BLANK_GLYPHS, DOT_ATOM
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable
from quotery.quotes.models import Quote

# RFC 5322's specials. Python's email package quotes a display name holding them, then
# drops the quotes when it folds a long header: `Anna, Example <attacker@evil.example>, Anna
# <anna@example.com>` reaches the mail server as three recipients. The period too: a folded
# name that starts with one crashes Python's own parser at the receiving end. A name
# without them is a plain run of words, written without quotes, that folding cannot break.
ADDRESS_SPECIALS = frozenset('"(),.:;<>@[\\]')


def from_address() -> str:
    """The address every portal email is sent from: DEFAULT_FROM_EMAIL's address part."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def message_id(dedupe_key: str) -> str:
    """Like `make_msgid`, but the same for the same outbox row, so a copy sent twice (a crash
    after the server took it) is recognisably the same message."""
    domain = from_address().rpartition("@")[2] or "quotery.localhost"
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@{domain}>"


def one_line(text: str) -> str:
    """A value safe in a header: control characters and every kind of line break (CR, LF,
    NEL, U+2028/2029) become spaces; bidi controls (overrides, isolates, marks) go.
    Joiners inside emoji and scripts that need them stay."""
    kept = []
    for ch in text:
        if unicodedata.category(ch) in {"Cc", "Zl", "Zp"}:
            kept.append(" ")
        elif ch not in BIDI_CONTROLS:
            kept.append(ch)
    return " ".join("".join(kept).split())


def _is_special(ch: str) -> bool:
    # Also the look-alikes that NFKC turns into a special (full-width comma, small "<"),
    # which a mail client might show as if they were the real thing.
    return ch in ADDRESS_SPECIALS or not ADDRESS_SPECIALS.isdisjoint(
        unicodedata.normalize("NFKC", ch)
    )


def display_name(name: str) -> str:
    """The name as an address header shows it: one line; each RFC 5322 special, the period
    included, a space (so is each character NFKC turns into one); no bidi marks; no `=?`
    that a reader would decode as an RFC 2047 encoded word. Letters of every script, emoji
    and joiners stay; "" when nothing visible is left. What remains is a plain run of
    words, so however Python folds or re-encodes the header, the name cannot become or hide
    another address. Only for headers: pages, PDFs and email bodies show the name as typed.
    """
    kept = []
    for ch in one_line(name):
        if _is_special(ch):
            kept.append(" ")
        elif unicodedata.category(ch) != "Cs":
            kept.append(ch)
    # "= ?" opens no encoded word; the replacement cannot make a new "=?".
    safe = " ".join("".join(kept).split()).replace("=?", "= ?")
    visible = any(unicodedata.category(ch)[0] in "LNPS" and ch not in BLANK_GLYPHS for ch in safe)
    return safe if visible else ""


def mail_address(name: str, address: str) -> str:
    """`Name <address>` for a From, To or Reply-To header: every address Quotery writes into
    a header is built here. The name goes through `display_name`; without a visible name,
    the bare address. An address Python would not write back as given (a quoted or
    encoded-word local part, a second address) raises EmailNotSendable: it is refused,
    never sent somewhere else."""
    local_part = address.rpartition("@")[0]
    try:
        parsed = Address(display_name=display_name(name), addr_spec=address)
    except (ValueError, IndexError, HeaderParseError) as error:
        raise EmailNotSendable(f"Not sent: {address!r} is not a single email address.") from error
    if parsed.addr_spec != address or not DOT_ATOM.match(local_part) or "=?" in local_part:
        raise EmailNotSendable(
            "Not sent: the address has a form that mail headers cannot carry safely."
        )
    return str(parsed)


def quote_url(quote: Quote, anchor: str = "") -> str:
    """The quote's page in the app, for staff (SECURITY.md 6: from BASE_URL); `anchor`
    lands on a part of it ("client-request": the banner with the client's words)."""
    url = f"{settings.BASE_URL}{reverse('quotes:detail', args=[quote.pk])}"
    return f"{url}#{anchor}" if anchor else url


def local_time(moment: dt.datetime, company: Company) -> str:
    """'28 November 2026, 10:29 CET': the company's time zone, as the pages show it, in the
    active language ('28. November 2026, 10:29 CET')."""
    return long_datetime(timezone.localtime(moment, company.zone))


def greeting(name: str) -> str:
    """'Hello Anna,' ('Hallo Anna,'), or 'Hello,' without a name, in the active language."""
    return _("Hello %(name)s,") % {"name": name} if name else _("Hello,")


def quote_details(content: dict[str, Any]) -> list[tuple[str, str]]:
    """The quote's number and title, total and validity from a revision's content, as the
    client's emails list them, in the active language."""
    total = format_money(Decimal(content["totals"]["total"]), content["currency"])
    return [
        (_("Quote"), f"{content['number']}: {content['title']}"),
        (_("Total"), total),
        (_("Valid until"), long_date(dt.date.fromisoformat(content["valid_until"]))),
    ]


@dataclass
class PortalEmail:
    """What the layout shows, in the order it shows it."""

    company: Company
    subject: str
    lead: str
    link: str
    button: str
    greeting: str = ""  # "Hello," (in the active language) when empty
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
    if not content.greeting:
        content.greeting = greeting("")
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
        from_email=mail_address(sender, from_address()),
        to=[mail_address(email.to_name, email.to_email)],
        reply_to=[mail_address(*reply_to)] if reply_to else [],
        headers={"Message-ID": message_id(email.dedupe_key)},
    )
    message.attach_alternative(
        render_to_string("portal/email/portal_email.html", context), "text/html"
    )
    return message
