"""The paths the demo quotes take: shared, read, answered, paid, through the real services.

Sent quotes are shared with their contact through the portal (the emails land in the local
mailbox) and show some client engagement. The clients' answers (acceptances with their
typed-name signatures, declines, requests for changes, messages) and finance's payment
statuses go through the same services the portal and the Billing page use, so every demo
quote carries its real events, notifications, delivery notes and emails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from quotery.accounts.models import Company, Role, User
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.catalog.models import Product
from quotery.clients.models import Client
from quotery.core.request_meta import RequestMeta
from quotery.demo.data.records import DemoCompany, DemoQuote, DemoSection, FreeLine, LineOptions
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.services.answers import quote_decline, quote_request_changes, rep_message_post
from quotery.portal.services.sharing import (
    portal_open_record,
    portal_pdf_download_record,
    portal_view_confirm,
    share_send,
)
from quotery.portal.view_confirmation import view_token_for
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import Quote, QuoteRevision
from quotery.quotes.services.quotes import quote_cancel, quote_create, quote_update
from quotery.sharing.models import DeclineReason, PortalShare

# Stories in which the client answers through the portal while the demo loads.
ANSWERED_LATELY = frozenset(
    {"accepted", "accepted_and_paid", "declined", "changes_requested", "sent_after_changes"}
)
DEMO_CLIENT = RequestMeta(
    ip="198.51.100.23", user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)"
)
LINK_SCANNER = RequestMeta(ip="203.0.113.5", user_agent="Mozilla/5.0 (compatible; LinkScan)")


@dataclass(frozen=True)
class DemoTenant:
    """A demo company once its people, catalog and clients exist: what its quotes draw on."""

    company: Company
    demo: DemoCompany
    people: dict[str, User]
    products: dict[str, Product]
    clients: list[Client]
    today: dt.date


@dataclass(frozen=True)
class SharedQuote:
    """A demo quote just shared with its contact, at the start of its story."""

    quote: Quote
    share: PortalShare
    owner: User
    data: QuoteInput
    tenant: DemoTenant


def seed_quote(tenant: DemoTenant, spec: DemoQuote) -> Quote:
    """Creates one quote and takes it along the path its story names (a draft stays
    unshared)."""
    if spec.story != "draft" and spec.story not in STORIES:
        raise ValueError(f"Unknown demo quote story {spec.story!r}")
    owner = tenant.people[spec.owner_role]
    data = quote_input(tenant, spec)
    quote = quote_create(company=tenant.company, owner=owner, data=data)
    if spec.story == "draft":
        return quote
    shared = SharedQuote(
        quote=quote, share=share_demo_quote(quote, owner), owner=owner, data=data, tenant=tenant
    )
    return STORIES[spec.story](shared)


def quote_input(tenant: DemoTenant, spec: DemoQuote) -> QuoteInput:
    issue_date = tenant.today - dt.timedelta(days=spec.issued_days_ago)
    valid_until = issue_date + dt.timedelta(days=tenant.company.default_validity_days)
    if spec.story in ANSWERED_LATELY and valid_until <= tenant.today:
        # The client answers today (the services record the real time), so the quote must
        # still be open: its validity was agreed longer than the company's default.
        valid_until = tenant.today + dt.timedelta(days=7)
    client = tenant.clients[spec.client]
    return QuoteInput(
        client=client,
        contact=client.contacts.order_by("pk").first(),
        title=spec.title,
        currency=tenant.demo.currency,
        issue_date=issue_date,
        valid_until=valid_until,
        notes=tenant.demo.notes,
        deposit_percent=Decimal(spec.deposit_percent),
        sections=[_section_input(section, tenant.products) for section in spec.sections],
    )


def _section_input(section: DemoSection, products: dict[str, Product]) -> SectionInput:
    lines = []
    for line in section.lines:
        if isinstance(line, FreeLine):
            lines.append(
                LineInput(
                    description=line.description,
                    quantity=Decimal(line.quantity),
                    unit_price=Decimal(line.unit_price),
                    tax_rate=Decimal(line.tax_rate),
                    **_options(line.options),
                )
            )
        else:
            product = products[line.sku]
            lines.append(
                LineInput(
                    description=product.name,
                    quantity=Decimal(line.quantity),
                    unit_price=product.unit_price,
                    discount_percent=Decimal(line.discount_percent),
                    tax_rate=product.tax_rate,
                    product=product,
                    **_options(line.options),
                )
            )
    return SectionInput(title=section.title, lines=lines, choose_one=section.choose_one)


def _options(options: LineOptions) -> dict[str, Any]:
    return {
        "optional": options.optional,
        "included_by_default": options.included,
        "min_quantity": Decimal(options.min_quantity) if options.min_quantity else None,
        "max_quantity": Decimal(options.max_quantity) if options.max_quantity else None,
    }


def share_demo_quote(quote: Quote, owner: User) -> PortalShare:
    """Shares the quote with its contact through the portal, as the rep would; the email
    lands in the local mailbox (or goes to EMAIL_URL)."""
    contact = quote.contact
    if contact is None:
        raise ValueError(f"Demo quote {quote.number} has no contact to share it with")
    return share_send(
        quote=quote,
        user=owner,
        recipient_name=contact.name,
        recipient_email=contact.email,
        message=f"Hello {contact.name.split()[0]},\n\nhere is the quote we discussed. "
        "I am happy to walk you through it.",
    )


def client_reads(share: PortalShare, *, views: int, downloads: int) -> None:
    """Engagement for the demo: a link scanner's fetch, then the client's confirmed views
    and PDF downloads, recorded through the same services the portal pages use."""
    portal_open_record(share=share, meta=LINK_SCANNER)
    for _ in range(views):
        opened = portal_open_record(share=share, meta=DEMO_CLIENT)
        portal_view_confirm(
            share=share,
            view_token=view_token_for(share=share, open_sequence=opened.sequence),
            meta=DEMO_CLIENT,
        )
    for _ in range(downloads):
        portal_pdf_download_record(share=share, meta=DEMO_CLIENT)


def _sent(shared: SharedQuote) -> Quote:
    # Opened once by the mail provider's link scanner, then read by the client.
    odd = shared.quote.pk % 2
    client_reads(shared.share, views=2 if odd else 1, downloads=odd)
    return shared.quote


def _expired(shared: SharedQuote) -> Quote:
    # Issued long ago, so quote_expire_due picks it up once the company is loaded.
    return shared.quote


def _cancelled(shared: SharedQuote) -> Quote:
    return quote_cancel(quote=shared.quote, user=shared.owner)


def _declined(shared: SharedQuote) -> Quote:
    client_reads(shared.share, views=1, downloads=0)
    quote_decline(
        share=shared.share,
        reason=DeclineReason.OTHER_SUPPLIER,
        detail="We went with a supplier closer to our site this time.",
        request_meta=DEMO_CLIENT,
    )
    return shared.quote


def _changes_requested(shared: SharedQuote) -> Quote:
    client_reads(shared.share, views=2, downloads=1)
    quote_request_changes(
        share=shared.share,
        message="Could you do 10 % on the hardware? Then we can sign this week.",
        request_meta=DEMO_CLIENT,
    )
    return shared.quote


def _sent_after_changes(shared: SharedQuote) -> Quote:
    # The client asked for a better price; the rep raised the discounts and shared again.
    client_reads(shared.share, views=1, downloads=0)
    quote_request_changes(
        share=shared.share,
        message="The hardware is above our budget. Is there room on the price?",
        request_meta=DEMO_CLIENT,
    )
    data = shared.data
    for section in data.sections:
        for line in section.lines:
            if line.product is not None and line.product.tracks_stock:
                line.discount_percent = max(line.discount_percent, Decimal(10))
    data.internal_notes = "Client asked for 10 % on the hardware; approved by the manager."
    quote = quote_update(quote=shared.quote, data=data, user=shared.owner)
    rep_message_post(
        quote=quote, user=shared.owner, body="Done: 10 % on all hardware lines. See version 2."
    )
    share_demo_quote(quote, shared.owner)
    return quote


def _accepted(shared: SharedQuote) -> Quote:
    # The finance gate decides where an accepted quote lands (DESIGN.md, journey 4).
    quote = shared.quote
    client_reads(shared.share, views=2, downloads=1)
    contact = quote.contact
    assert contact is not None
    quote_accept(
        share=shared.share,
        signer_name=contact.name,
        signer_email=contact.email,
        consent=True,
        revision_hash=share_revision_hash(quote),
        request_meta=DEMO_CLIENT,
    )
    quote.refresh_from_db()
    return quote


def _accepted_and_paid(shared: SharedQuote) -> Quote:
    quote = _accepted(shared)
    payment = Payment.objects.get(quote=quote)
    finance = shared.tenant.people[Role.FINANCE]
    payment_status_set(payment=payment, status=PaymentStatus.UNDER_REVIEW, user=finance)
    payment_status_set(payment=payment, status=PaymentStatus.PAID, user=finance)
    quote.refresh_from_db()
    return quote


# Every story but "draft" (created and never shared): what happens once the quote is shared.
STORIES: dict[str, Callable[[SharedQuote], Quote]] = {
    "sent": _sent,
    "expired": _expired,
    "cancelled": _cancelled,
    "declined": _declined,
    "changes_requested": _changes_requested,
    "sent_after_changes": _sent_after_changes,
    "accepted": _accepted,
    "accepted_and_paid": _accepted_and_paid,
}


def share_revision_hash(quote: Quote) -> str:
    """The content hash of the revision the client sees (the latest)."""
    return (
        QuoteRevision.objects.filter(quote=quote)
        .order_by("-number")
        .values_list("content_hash", flat=True)[0]
    )
