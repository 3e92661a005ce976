"""The reminder email (to the client, with their own unchanged link) and the expiry notice
(to the quote's owner), built at send time from outbox rows in the portal emails' layout:
links from BASE_URL (SECURITY.md 6), typed text escaped, headers one line (SECURITY.md 21)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from quotery.core.languages import long_date
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable, email_builders_register
from quotery.portal.emails.layout import (
    PortalEmail,
    build_email,
    greeting,
    one_line,
    quote_details,
    quote_url,
)
from quotery.quotes.models import Quote, QuoteRevision, QuoteState
from quotery.quotes.selectors import quote_language
from quotery.reminders.models import ReminderReason, ReminderSlot
from quotery.reminders.services.expiry import EXPIRED_EMAIL_KIND
from quotery.reminders.services.sending import REMINDER_EMAIL_KIND
from quotery.sharing.links import share_url


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def reminder_email(email: OutboxEmail) -> EmailMultiAlternatives:
    """The reminder, with the same link as the share email; not sent (EmailNotSendable)
    once the link was revoked or the quote no longer waits for the client."""
    reminder = (
        ReminderSlot.objects.select_related("share", "quote", "quote__company", "quote__owner")
        .filter(pk=email.context["reminder"], company_id=email.company_id)
        .first()
    )
    if reminder is None:
        raise EmailNotSendable("Not sent: the reminder behind this email no longer exists.")
    share, quote = reminder.share, reminder.quote
    if share.is_revoked:
        raise EmailNotSendable("Not sent: the link was revoked before this reminder went out.")
    if quote.state != QuoteState.SENT:
        raise EmailNotSendable(
            f"Not sent: the quote became {quote.get_state_display().lower()} meanwhile."
        )
    revision = QuoteRevision.objects.filter(quote=quote, number=quote.revision_number).first()
    if revision is None:
        raise EmailNotSendable("Not sent: the shared revision of the quote is missing.")
    content: dict[str, Any] = json.loads(revision.content)
    with translation.override(quote_language(quote)):  # the client's language
        return _reminder_email(email, reminder, content)


def _reminder_email(
    email: OutboxEmail, reminder: ReminderSlot, content: dict[str, Any]
) -> EmailMultiAlternatives:
    share, quote = reminder.share, reminder.quote
    company = quote.company
    owner = quote.owner
    number, title = content["number"], content["title"]
    valid_until = dt.date.fromisoformat(content["valid_until"])
    words = {
        "number": number,
        "title": title,
        "company": company.sender_name,
        "rep": owner.full_name or owner.email,
        "day": long_date(valid_until),
    }
    if reminder.reason == ReminderReason.BEFORE_EXPIRY:
        subject = _("Quote %(number)s from %(company)s is valid until %(day)s")
        lead = _(
            "A reminder from %(rep)s at %(company)s: the quote they shared with you is valid "
            "until %(day)s. To go ahead, accept it on its page before then, or ask for changes."
        )
    else:
        subject = _("Reminder: quote %(number)s from %(company)s: %(title)s")
        lead = _(
            "%(rep)s at %(company)s shared a quote with you. In case the first email got "
            "lost, here is your link again."
        )
    return build_email(
        email,
        PortalEmail(
            company=company,
            subject=subject % words,
            greeting=greeting(one_line(share.recipient_name)),
            lead=lead % words,
            details=quote_details(content),
            link=share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email),
            button=_("View your quote"),
            footnote=_(
                "The link is personal: please do not forward it. Once you answer, the "
                "reminders stop."
            ),
        ),
        reply_to=(owner.full_name, owner.email),
    )


def quote_expired_email(email: OutboxEmail) -> EmailMultiAlternatives:
    """To the owner: the quote expired without an answer; extend it in one step."""
    quote = (
        Quote.objects.select_related("company", "client")
        .filter(pk=email.context["quote"], company_id=email.company_id)
        .first()
    )
    if quote is None:
        raise EmailNotSendable("Not sent: the quote behind this email no longer exists.")
    until = dt.date.fromisoformat(email.context["valid_until"])
    first = one_line(email.to_name).split(" ")[0]
    return build_email(
        email,
        PortalEmail(
            company=quote.company,
            subject=f"Quote {quote.number} expired: {quote.title}",
            greeting=f"Hello {first}," if first else "Hello,",
            lead=f"Quote {quote.number}, {quote.title}, for {quote.client.name}, expired "
            f"at the end of {_day(until)} without an answer.",
            details=[("Quote", quote.number), ("Valid until", _day(until))],
            link=quote_url(quote, anchor="reminders"),
            button="Open the quote",
            footnote="Extend its validity from the quote's page: the client gets the new "
            "version at the link they already have. They can also ask you for a new version "
            "from their page.",
        ),
    )


def reminder_emails_register() -> None:
    email_builders_register(
        {REMINDER_EMAIL_KIND: reminder_email, EXPIRED_EMAIL_KIND: quote_expired_email}
    )
