"""The acceptance emails, built at send time from an outbox row: to the quote's owner (who,
when, total, signature hash) and to the signer (a confirmation with the accepted PDF).

Both carry the signature hash, so both parties hold it outside our database (SECURITY.md
17). Links come from BASE_URL only (SECURITY.md 6); typed text is escaped in HTML.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.branding import text_colour_on, usable_brand_colour
from quotery.accounts.models import Company
from quotery.core.money import format_money
from quotery.documents.acceptance import accepted_pdf
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable
from quotery.portal.emails.share import message_id
from quotery.portal.links import share_url
from quotery.portal.models import Acceptance
from quotery.quotes.models import QuoteState


def _acceptance(email: OutboxEmail) -> Acceptance:
    acceptance = (
        Acceptance.objects.select_related("quote", "quote__owner", "company", "share", "revision")
        .filter(pk=email.context["acceptance"], company_id=email.company_id)
        .first()
    )
    if acceptance is None:
        raise EmailNotSendable("Not sent: the acceptance behind this email no longer exists.")
    return acceptance


def _when(moment: dt.datetime, company: Company) -> str:
    local = timezone.localtime(moment, company.zone)
    utc = moment.astimezone(dt.UTC)
    return f"{local:%d %b %Y, %H:%M %Z} ({utc:%Y-%m-%d %H:%M:%S} UTC)"


def _branding(company: Company) -> dict[str, Any]:
    brand = usable_brand_colour(company.brand_colour)
    return {
        "sender_name": company.sender_name,
        "brand": brand,
        "brand_text": text_colour_on(brand),
        "logo_url": (
            f"{settings.BASE_URL}{reverse('accounts:logo', args=[company.pk])}"
            if company.logo
            else ""
        ),
    }


def _facts(acceptance: Acceptance) -> list[tuple[str, str]]:
    company = acceptance.company
    return [
        ("Signed by", f"{acceptance.signer_name} <{acceptance.signer_email}>"),
        ("Accepted", _when(acceptance.accepted_at, company)),
        ("Total", format_money(Decimal(acceptance.total), acceptance.currency)),
        ("Version", str(acceptance.revision_number)),
        ("Signature code (SHA-256)", acceptance.signature_hash),
    ]


def acceptance_rep_email(email: OutboxEmail) -> EmailMultiAlternatives:
    acceptance = _acceptance(email)
    quote = acceptance.quote
    company = acceptance.company
    owner = quote.owner
    number = quote.number
    total = format_money(Decimal(acceptance.total), acceptance.currency)
    next_step = (
        "Finance has it now: the quote is ready for billing, stock is reserved and a draft "
        "delivery note is waiting."
        if quote.state == QuoteState.READY_FOR_BILLING or company.finance_gate
        else "The quote is closed, stock is reserved and a draft delivery note is waiting."
    )
    context = {
        **_branding(company),
        "owner_name": owner.get_short_name(),
        "signer_name": acceptance.signer_name,
        "number": number,
        "title": quote.title,
        "total": total,
        "next_step": next_step,
        "facts": _facts(acceptance),
        "button_link": f"{settings.BASE_URL}{reverse('quotes:detail', args=[quote.pk])}",
        "button_label": "Open the quote",
    }
    message = EmailMultiAlternatives(
        subject=f"Accepted: {number} by {acceptance.signer_name} ({total})",
        body=render_to_string("portal/email/acceptance_rep.txt", context),
        from_email=formataddr(("Quotery", settings.DEFAULT_FROM_EMAIL)),
        to=[formataddr((email.to_name, email.to_email))],
        headers={"Message-ID": message_id(email.dedupe_key)},
    )
    message.attach_alternative(
        render_to_string("portal/email/acceptance_rep.html", context), "text/html"
    )
    return message


def acceptance_client_email(email: OutboxEmail) -> EmailMultiAlternatives:
    acceptance = _acceptance(email)
    quote = acceptance.quote
    company = acceptance.company
    owner = quote.owner
    share = acceptance.share
    link = (
        ""
        if share.is_revoked
        else share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    )
    context = {
        **_branding(company),
        "signer_name": acceptance.signer_name,
        "rep_name": owner.full_name or owner.email,
        "number": quote.number,
        "title": quote.title,
        "facts": _facts(acceptance),
        "button_link": link,
        "button_label": "See the accepted quote",
    }
    message = EmailMultiAlternatives(
        subject=f"Your acceptance of quote {quote.number} from {company.sender_name}",
        body=render_to_string("portal/email/acceptance_client.txt", context),
        from_email=formataddr((company.sender_name, settings.DEFAULT_FROM_EMAIL)),
        to=[formataddr((email.to_name, email.to_email))],
        reply_to=[formataddr((owner.full_name, owner.email))],
        headers={"Message-ID": message_id(email.dedupe_key)},
    )
    message.attach_alternative(
        render_to_string("portal/email/acceptance_client.html", context), "text/html"
    )
    message.attach(
        f"{quote.number}-accepted.pdf", accepted_pdf(acceptance=acceptance), "application/pdf"
    )
    return message
