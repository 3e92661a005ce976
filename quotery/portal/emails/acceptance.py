"""The acceptance emails, built at send time from an outbox row: to the quote's owner (who,
when, total, signature hash) and to the signer (a confirmation with the accepted PDF).

Both carry the signature hash, so both parties hold it outside our database (SECURITY.md
17). Links come from BASE_URL only (SECURITY.md 6); typed text is escaped in HTML.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from quotery.core.evidence_text import short_reference
from quotery.core.money import format_money
from quotery.documents.acceptance import accepted_pdf
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
from quotery.quotes.models import QuoteState
from quotery.quotes.selectors import quote_language
from quotery.sharing.links import share_url
from quotery.sharing.models import Acceptance


def _acceptance(email: OutboxEmail) -> Acceptance:
    acceptance = (
        Acceptance.objects.select_related("quote", "quote__owner", "company", "share", "revision")
        .filter(pk=email.context["acceptance"], company_id=email.company_id)
        .first()
    )
    if acceptance is None:
        raise EmailNotSendable("Not sent: the acceptance behind this email no longer exists.")
    return acceptance


def emailed_signature_hash(email: OutboxEmail, acceptance: Acceptance) -> str:
    """The signature hash recorded with the outbox row when the client accepted: what the
    email shows, so what `manage.py verify` compares is what was sent (SECURITY.md 17).
    Rows queued before the hash was recorded show the acceptance's."""
    recorded = email.context.get("signature_hash")
    return recorded if isinstance(recorded, str) else acceptance.signature_hash


def _facts(email: OutboxEmail, acceptance: Acceptance) -> list[tuple[str, str]]:
    """The acceptance's facts, labelled in the active language."""
    company = acceptance.company
    utc = acceptance.accepted_at.astimezone(dt.UTC)
    return [
        (_("Signed by"), f"{one_line(acceptance.signer_name)} <{acceptance.signer_email}>"),
        (_("Accepted"), f"{local_time(acceptance.accepted_at, company)} ({utc:%H:%M:%S} UTC)"),
        (_("Total"), format_money(Decimal(acceptance.total), acceptance.currency)),
        *(
            [
                (
                    _("Deposit on acceptance"),
                    f"{format_money(Decimal(acceptance.deposit_amount), acceptance.currency)} "
                    f"({acceptance.deposit_percent} %)",
                )
            ]
            if acceptance.has_deposit
            else []
        ),
        (_("Version"), str(acceptance.revision_number)),
        (_("Reference"), short_reference(emailed_signature_hash(email, acceptance))),
    ]


def _full_hash(email: OutboxEmail, acceptance: Acceptance) -> str:
    return _("The full signature hash, for checking: %(hash)s.") % {
        "hash": emailed_signature_hash(email, acceptance)
    }


def acceptance_rep_email(email: OutboxEmail) -> EmailMultiAlternatives:
    acceptance = _acceptance(email)
    quote = acceptance.quote
    company = acceptance.company
    owner = quote.owner
    total = format_money(Decimal(acceptance.total), acceptance.currency)
    signer = one_line(acceptance.signer_name)
    next_step = (
        "Finance has it now: the quote is ready for billing, stock is reserved and a draft "
        "delivery note is waiting."
        if quote.state == QuoteState.READY_FOR_BILLING
        else "The quote is closed, stock is reserved and a draft delivery note is waiting."
    )
    return build_email(
        email,
        PortalEmail(
            company=company,
            subject=f"Accepted: {quote.number} by {signer} ({total})",
            greeting=f"Hello {owner.get_short_name()},",
            lead=f"{signer} accepted quote {quote.number} ({quote.title}) for {total}. {next_step}",
            details=_facts(email, acceptance),
            link=quote_url(quote),
            button="Open the quote",
            footnote="The reference identifies this acceptance. The client has the same "
            "reference in their confirmation and on the accepted PDF, so either side can show "
            f"later that nothing was changed. {_full_hash(email, acceptance)}",
        ),
        sender_name="Quotery",
    )


def acceptance_client_email(email: OutboxEmail) -> EmailMultiAlternatives:
    """The signer's confirmation with the accepted PDF, in the language they accepted in
    (the client's language for acceptances recorded before languages)."""
    acceptance = _acceptance(email)
    quote = acceptance.quote
    with translation.override(acceptance.language or quote_language(quote)):
        return _acceptance_client_email(email, acceptance)


def _acceptance_client_email(email: OutboxEmail, acceptance: Acceptance) -> EmailMultiAlternatives:
    quote = acceptance.quote
    company = acceptance.company
    owner = quote.owner
    share = acceptance.share
    link = (
        ""
        if share.is_revoked
        else share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    )
    words = {
        "number": quote.number,
        "title": quote.title,
        "company": company.sender_name,
        "owner": owner.full_name or owner.email,
    }
    footnote = _(
        "Keep this email: the reference identifies your acceptance, and the attached PDF "
        "carries a digital seal that shows whether it was changed. %(owner)s will be in "
        "touch about the next steps."
    )
    message = build_email(
        email,
        PortalEmail(
            company=company,
            subject=_("Your acceptance of quote %(number)s from %(company)s") % words,
            greeting=greeting(one_line(acceptance.signer_name)),
            lead=_(
                "Thank you: your acceptance of quote %(number)s (%(title)s) from %(company)s "
                "is recorded. The accepted PDF, with its acceptance certificate, is attached."
            )
            % words,
            details=_facts(email, acceptance),
            link=link,
            button=_("See the accepted quote"),
            footnote=f"{footnote % words} {_full_hash(email, acceptance)}",
        ),
        reply_to=(owner.full_name, owner.email),
    )
    message.attach(
        f"{quote.number}-accepted.pdf", accepted_pdf(acceptance=acceptance), "application/pdf"
    )
    return message
