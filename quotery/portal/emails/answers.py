"""Emails about the client's answers and the conversation, built at send time from an
outbox row (ids only): to the quote's owner when the client asks for changes, declines or
writes; to each recipient, with their own link, when the rep answers.

In the portal emails' one layout (`quotery.portal.emails.layout`): every link comes from
BASE_URL (SECURITY.md 6), typed text is escaped, headers are one line (SECURITY.md 21).
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable
from quotery.portal.emails.layout import (
    PortalEmail,
    build_email,
    greeting,
    local_time,
    one_line,
    quote_url,
)
from quotery.quotes.selectors import quote_language
from quotery.sharing.links import share_url
from quotery.sharing.models import ConversationMessage, Decline, DeclineReason, PortalShare


def _client_message(email: OutboxEmail) -> ConversationMessage:
    note = (
        ConversationMessage.objects.select_related("quote", "quote__company", "share")
        .filter(pk=email.context["message"], company_id=email.company_id)
        .first()
    )
    if note is None:
        raise EmailNotSendable("Not sent: the message behind this email no longer exists.")
    return note


def _owner_greeting(email: OutboxEmail) -> str:
    first = one_line(email.to_name).split(" ")[0]
    return f"Hello {first}," if first else "Hello,"


def _client_label(note: ConversationMessage) -> str:
    name = one_line(note.author_name)
    return f"{name} ({note.author_email})" if note.author_email else name


# ---------------------------------------------------------------------------------------
# To the quote's owner


def changes_requested_email(email: OutboxEmail) -> EmailMultiAlternatives:
    """To the owner; for an expired quote the client asked for a new version."""
    note = _client_message(email)
    quote = note.quote
    if email.context.get("new_version"):
        subject = f"New version requested of {quote.number}: {quote.title}"
        lead = (
            f"{_client_label(note)} asked for a new version of quote {quote.number}, "
            f"{quote.title}, which had expired."
        )
    else:
        subject = f"Changes requested on {quote.number}: {quote.title}"
        lead = f"{_client_label(note)} asked for changes to quote {quote.number}, {quote.title}."
    return build_email(
        email,
        PortalEmail(
            company=quote.company,
            subject=subject,
            greeting=_owner_greeting(email),
            lead=lead,
            quoted=note.body,
            quoted_by=note.author_name,
            details=[
                ("Quote", quote.number),
                ("Asked", local_time(note.created_at, quote.company)),
            ],
            link=quote_url(quote, anchor="client-request"),
            button="Open the quote",
            footnote="Edit the quote and share it again: the client's link shows the new "
            "version, and they get a fresh email.",
        ),
    )


def declined_email(email: OutboxEmail) -> EmailMultiAlternatives:
    decline = (
        Decline.objects.select_related("quote", "quote__company", "share")
        .filter(pk=email.context["decline"], company_id=email.company_id)
        .first()
    )
    if decline is None:
        raise EmailNotSendable("Not sent: the decline behind this email no longer exists.")
    quote = decline.quote
    share = decline.share
    reason = DeclineReason(decline.reason).label if decline.reason else "No reason given"
    who = f"{one_line(share.recipient_name)} ({share.recipient_email})"
    return build_email(
        email,
        PortalEmail(
            company=quote.company,
            subject=f"Quote {quote.number} declined: {quote.title}",
            greeting=_owner_greeting(email),
            lead=f"{who} declined quote {quote.number}, {quote.title}.",
            details=[
                ("Reason", str(reason)),
                ("Declined", local_time(decline.declined_at, quote.company)),
                ("Version", str(decline.revision_number)),
            ],
            quoted=decline.detail,
            quoted_by=share.recipient_name,
            link=quote_url(quote),
            button="Open the quote",
        ),
    )


def client_message_email(email: OutboxEmail) -> EmailMultiAlternatives:
    note = _client_message(email)
    quote = note.quote
    return build_email(
        email,
        PortalEmail(
            company=quote.company,
            subject=f"New message about {quote.number}: {quote.title}",
            greeting=_owner_greeting(email),
            lead=f"{_client_label(note)} wrote about quote {quote.number}, {quote.title}.",
            quoted=note.body,
            quoted_by=note.author_name,
            details=[("Written", local_time(note.created_at, quote.company))],
            link=quote_url(quote, anchor="client-request"),
            button="Open the quote to answer",
            footnote="Answer from the quote's page: the client gets your reply by email "
            "and sees it on their page.",
        ),
    )


# ---------------------------------------------------------------------------------------
# To the client


def rep_message_email(email: OutboxEmail) -> EmailMultiAlternatives:
    """The rep's reply, to one recipient with their own link; not sent (EmailNotSendable)
    once that link was revoked, since it would deliver a dead link."""
    note = _client_message(email)
    share = PortalShare.objects.filter(
        pk=email.context["share"], company_id=email.company_id, quote_id=note.quote_id
    ).first()
    if share is None or share.is_revoked:
        raise EmailNotSendable("Not sent: the link for this recipient was revoked.")
    quote = note.quote
    company = quote.company
    words = {
        "author": one_line(note.author_name),
        "company": one_line(company.sender_name),
        "number": quote.number,
        "title": quote.title,
    }
    with translation.override(quote_language(quote)):  # the client's language
        return build_email(
            email,
            PortalEmail(
                company=company,
                subject=_("%(author)s replied about quote %(number)s") % words,
                greeting=greeting(one_line(share.recipient_name)),
                lead=_("%(author)s at %(company)s replied about quote %(number)s, %(title)s.")
                % words,
                quoted=note.body,
                quoted_by=note.author_name,
                link=share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email),
                button=_("View the quote and reply"),
                footnote=_("The link is personal: please do not forward it."),
            ),
            reply_to=(note.author_name, note.author_email) if note.author_email else None,
        )
