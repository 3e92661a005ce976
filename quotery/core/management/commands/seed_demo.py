"""`manage.py seed_demo`: loads the two demo companies once, through the services.

Running it again changes nothing and says so. Sent quotes are shared with their contact
through the portal (the emails land in the local mailbox) and show some client engagement.
The clients' answers (acceptances with their typed-name signatures, declines, requests for
changes, messages) and finance's payment statuses go through the same services the portal
and the Billing page use, so every demo quote carries its real events, notifications,
delivery notes and emails.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from quotery.accounts.models import Company, Membership, Role, User
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.catalog.models import Product
from quotery.catalog.services import ProductInput, product_create
from quotery.clients.models import Client
from quotery.clients.services import client_create, contact_create
from quotery.core.management.demo_data import (
    DEMO_COMPANIES,
    DEMO_PASSWORDS,
    DemoCompany,
    DemoQuote,
    FreeLine,
)
from quotery.core.request_meta import RequestMeta
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
from quotery.quotes.services.quotes import (
    quote_cancel,
    quote_create,
    quote_expire_due,
    quote_update,
)
from quotery.sharing.models import DeclineReason, PortalShare

ROLES = (Role.REP, Role.MANAGER, Role.FINANCE, Role.ADMIN)
# Stories in which the client answers through the portal while the demo loads.
ANSWERED_LATELY = frozenset(
    {"accepted", "accepted_and_paid", "declined", "changes_requested", "sent_after_changes"}
)


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(company, role, email, password) for every demo user, in a stable order."""
    return [
        (company.name, Role(role).label, company.email(role), DEMO_PASSWORDS[role])
        for company in DEMO_COMPANIES
        for role in ROLES
    ]


class Command(BaseCommand):
    help = "Loads the demo companies, users, products, clients and quotes (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        created: list[str] = []
        for demo in DEMO_COMPANIES:
            if Company.objects.filter(slug=demo.slug).exists():
                continue
            with transaction.atomic():
                seed_company(demo)
            created.append(demo.name)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {', '.join(created)}."))
        else:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        self.stdout.write(self.logins_table())

    def logins_table(self) -> str:
        rows = [("Company", "Role", "Email", "Password"), *demo_logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["", "Demo logins:"]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append(("  " + "  ".join(cells)).rstrip())
        return "\n".join(lines)


def seed_company(demo: DemoCompany) -> Company:
    """Creates one demo company with its people, catalog, clients and quotes."""
    company = Company.objects.create(
        name=demo.name,
        slug=demo.slug,
        brand_colour=demo.brand_colour,
        portal_text=demo.portal_text,
        time_zone=demo.time_zone,
        default_currency=demo.currency,
        default_tax_rate=Decimal(demo.default_tax_rate),
        default_validity_days=demo.validity_days,
        plan=demo.plan,
        finance_gate=demo.finance_gate,
    )
    people: dict[str, User] = {}
    for role in ROLES:
        # Company and user creation are the tenant provisioning that no service covers yet;
        # create_user hashes the fixed demo password (which the validators need not approve).
        user = User.objects.create_user(
            email=demo.email(role), password=DEMO_PASSWORDS[role], full_name=demo.people[role]
        )
        Membership.objects.create(user=user, company=company, role=role)
        people[role] = user
    admin = people[Role.ADMIN]
    products: dict[str, Product] = {}
    for item in demo.products:
        products[item.sku] = product_create(
            company=company,
            data=ProductInput(
                sku=item.sku,
                name=item.name,
                description=item.description,
                unit_price=Decimal(item.unit_price),
                tax_rate=Decimal(item.tax_rate),
                tracks_stock=item.stock is not None,
            ),
            initial_stock=Decimal(item.stock or 0),
            user=admin,
        )
    clients: list[Client] = []
    for demo_client in demo.clients:
        (first_name, first_email), *more = demo_client.contacts
        client = client_create(
            company=company,
            name=demo_client.name,
            address=demo_client.address,
            vat_number=demo_client.vat_number,
            contact_name=first_name,
            contact_email=first_email,
        )
        for name, email in more:
            contact_create(client=client, name=name, email=email)
        clients.append(client)
    today = timezone.localdate(timezone=company.zone)
    # Oldest first, so quote numbers rise with the issue date as they would in real use.
    for spec in sorted(demo.quotes, key=lambda q: -q.issued_days_ago):
        seed_quote(company, demo, spec, people, products, clients, today)
    # Quotes issued long enough ago run past their validity: expire them as the periodic
    # task would.
    quote_expire_due()
    return company


def quote_input(
    company: Company,
    demo: DemoCompany,
    spec: DemoQuote,
    products: dict[str, Product],
    client: Client,
    today: dt.date,
) -> QuoteInput:
    issue_date = today - dt.timedelta(days=spec.issued_days_ago)
    sections = []
    for section in spec.sections:
        lines = []
        for line in section.lines:
            if isinstance(line, FreeLine):
                lines.append(
                    LineInput(
                        description=line.description,
                        quantity=Decimal(line.quantity),
                        unit_price=Decimal(line.unit_price),
                        tax_rate=Decimal(line.tax_rate),
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
                    )
                )
        sections.append(SectionInput(title=section.title, lines=lines))
    valid_until = issue_date + dt.timedelta(days=company.default_validity_days)
    if spec.story in ANSWERED_LATELY and valid_until <= today:
        # The client answers today (the services record the real time), so the quote must
        # still be open: its validity was agreed longer than the company's default.
        valid_until = today + dt.timedelta(days=7)
    return QuoteInput(
        client=client,
        contact=client.contacts.order_by("pk").first(),
        title=spec.title,
        currency=demo.currency,
        issue_date=issue_date,
        valid_until=valid_until,
        notes=demo.notes,
        sections=sections,
    )


DEMO_CLIENT = RequestMeta(
    ip="198.51.100.23", user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)"
)
LINK_SCANNER = RequestMeta(ip="203.0.113.5", user_agent="Mozilla/5.0 (compatible; LinkScan)")


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


def seed_quote(
    company: Company,
    demo: DemoCompany,
    spec: DemoQuote,
    people: dict[str, User],
    products: dict[str, Product],
    clients: list[Client],
    today: dt.date,
) -> Quote:
    """Creates one quote and takes it along the path its story names."""
    owner = people[spec.owner_role]
    data = quote_input(company, demo, spec, products, clients[spec.client], today)
    quote = quote_create(company=company, owner=owner, data=data)
    story = spec.story
    if story == "draft":
        return quote
    share = share_demo_quote(quote, owner)
    if story == "sent":
        # Opened once by the mail provider's link scanner, then read by the client.
        client_reads(share, views=2 if quote.pk % 2 else 1, downloads=quote.pk % 2)
        return quote
    if story == "expired":
        # "expired": issued long ago, so quote_expire_due picks it up once all are loaded.
        return quote
    if story == "cancelled":
        return quote_cancel(quote=quote, user=owner)
    if story == "declined":
        client_reads(share, views=1, downloads=0)
        quote_decline(
            share=share,
            reason=DeclineReason.OTHER_SUPPLIER,
            detail="We went with a supplier closer to our site this time.",
            request_meta=DEMO_CLIENT,
        )
        return quote
    if story == "changes_requested":
        client_reads(share, views=2, downloads=1)
        quote_request_changes(
            share=share,
            message="Could you do 10 % on the hardware? Then we can sign this week.",
            request_meta=DEMO_CLIENT,
        )
        return quote
    if story == "sent_after_changes":
        # The client asked for a better price; the rep raised the discounts and shared again.
        client_reads(share, views=1, downloads=0)
        quote_request_changes(
            share=share,
            message="The hardware is above our budget. Is there room on the price?",
            request_meta=DEMO_CLIENT,
        )
        for section in data.sections:
            for line in section.lines:
                if line.product is not None and line.product.tracks_stock:
                    line.discount_percent = max(line.discount_percent, Decimal(10))
        data.internal_notes = "Client asked for 10 % on the hardware; approved by the manager."
        quote = quote_update(quote=quote, data=data, user=owner)
        rep_message_post(
            quote=quote, user=owner, body="Done: 10 % on all hardware lines. See version 2."
        )
        share = share_demo_quote(quote, owner)
        return quote
    if story in {"accepted", "accepted_and_paid"}:
        # The finance gate decides where an accepted quote lands (DESIGN.md, journey 4).
        client_reads(share, views=2, downloads=1)
        contact = quote.contact
        assert contact is not None
        quote_accept(
            share=share,
            signer_name=contact.name,
            signer_email=contact.email,
            consent=True,
            revision_hash=share_revision_hash(quote),
            request_meta=DEMO_CLIENT,
        )
        if story == "accepted_and_paid":
            payment = Payment.objects.get(quote=quote)
            finance = people[Role.FINANCE]
            payment_status_set(payment=payment, status=PaymentStatus.UNDER_REVIEW, user=finance)
            payment_status_set(payment=payment, status=PaymentStatus.PAID, user=finance)
        quote.refresh_from_db()
        return quote
    raise ValueError(f"Unknown demo quote story {story!r}")


def share_revision_hash(quote: Quote) -> str:
    """The content hash of the revision the client sees (the latest)."""
    return (
        QuoteRevision.objects.filter(quote=quote)
        .order_by("-number")
        .values_list("content_hash", flat=True)[0]
    )
