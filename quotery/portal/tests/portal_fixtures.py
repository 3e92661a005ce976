"""A quote shared with a client, as the client page tests need it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from quotery.accounts.models import User
from quotery.billing.models import Payment
from quotery.catalog.models import Product, StockLevel, StockMovement
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.models import Client
from quotery.core.request_meta import RequestMeta
from quotery.engagement.models import QuoteEvent
from quotery.notifications.models import Notification, OutboxEmail
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.services.sharing import share_send
from quotery.quotes.factories import make_quote
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, Quote, QuoteRevision
from quotery.quotes.services.quotes import quote_create, quote_update
from quotery.sharing.links import share_token
from quotery.sharing.models import Acceptance, AuthorKind, ConversationMessage, PortalShare


@dataclass
class Shared:
    quote: Quote
    share: PortalShare
    token: str

    @property
    def url(self) -> str:
        return reverse("portal:page", args=[self.token])

    @property
    def seen_url(self) -> str:
        return reverse("portal:seen", args=[self.token])

    @property
    def pdf_url(self) -> str:
        return reverse("portal:pdf", args=[self.token])


def share_quote(
    owner: User,
    *,
    sections: int = 2,
    lines_per_section: int = 3,
    email: str = "anna@client.test",
    message: str = "Here is the quote we discussed.",
    title: str = "Office fit-out",
    products: Sequence[Product | None] = (),
    quantities: Sequence[Decimal | int | str] = (),
    deposit_percent: Decimal | str = Decimal(0),
) -> Shared:
    """A quote shared with `email` through share_send. With `products`, one section whose
    n-th line is the n-th product (None: a free-text line), in the n-th of `quantities`."""
    if products:
        sections, lines_per_section = 1, len(products)
    quote = make_quote(
        owner=owner,
        sections=sections,
        lines_per_section=lines_per_section,
        title=title,
        products=list(products),
        quantities=[Decimal(str(quantity)) for quantity in quantities],
        deposit_percent=Decimal(str(deposit_percent)),
    )
    share = share_send(
        quote=quote,
        user=owner,
        recipient_name="Anna Client",
        recipient_email=email,
        message=message,
    )
    token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    quote.refresh_from_db()
    return Shared(quote=quote, share=share, token=token)


def expire(quote: Quote) -> None:
    """Moves the quote's validity into the past, as time passing would."""
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=3)
    )


def event_kinds(quote_id: int) -> list[str]:
    """The quote's event log, as kinds in order."""
    return list(
        QuoteEvent.objects.filter(quote_id=quote_id)
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


def client_message(
    shared: Shared, body: str, *, created_at: dt.datetime | None = None
) -> ConversationMessage:
    """A message from the client in the quote's thread."""
    return ConversationMessage.objects.create(
        company_id=shared.quote.company_id,
        quote=shared.quote,
        author_kind=AuthorKind.CLIENT,
        author_name=shared.share.recipient_name,
        author_email=shared.share.recipient_email,
        share=shared.share,
        body=body,
        created_at=created_at or timezone.now(),
    )


CLIENT_META = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (iPhone) Safari/605.1")


def latest_revision_hash(quote: Quote) -> str:
    return QuoteRevision.objects.filter(quote_id=quote.pk).order_by("-number").first().content_hash  # type: ignore[union-attr]


def accept_shared(
    shared: Shared,
    *,
    name: str = "Anna Client",
    email: str = "anna@client.test",
    meta: RequestMeta = CLIENT_META,
) -> Acceptance:
    """The client accepts the latest revision through the acceptance service."""
    return quote_accept(
        share=shared.share,
        signer_name=name,
        signer_email=email,
        consent=True,
        revision_hash=latest_revision_hash(shared.quote),
        request_meta=meta,
    )


def footprint(quote: Quote) -> dict[str, object]:
    """Everything an acceptance could write, anywhere: equal before and after means nothing
    was recorded, reserved, notified or emailed."""
    return {
        "state": Quote.objects.values_list("state", flat=True).get(pk=quote.pk),
        "revision_number": Quote.objects.values_list("revision_number", flat=True).get(pk=quote.pk),
        "revisions": QuoteRevision.objects.count(),
        "acceptances": Acceptance.objects.count(),
        "events": list(
            QuoteEvent.objects.order_by("quote_id", "sequence").values_list("quote_id", "kind")
        ),
        "delivery_notes": DeliveryNote.objects.count(),
        "delivery_note_lines": DeliveryNoteLine.objects.count(),
        "notifications": Notification.objects.count(),
        "outbox": sorted(OutboxEmail.objects.values_list("kind", "dedupe_key", "status")),
        "payments": Payment.objects.count(),
        "reserved": sorted(
            (product_id, str(reserved))
            for product_id, reserved in StockLevel.objects.values_list("product_id", "reserved")
        ),
        "stock_movements": StockMovement.objects.count(),
        "shares": sorted(PortalShare.objects.values_list("pk", "key", "revoked_at")),
    }


def edit_and_share_again(shared: Shared, *, quantity: Decimal = Decimal("7")) -> QuoteRevision:
    """The rep edits the shared quote (a new revision) and shares it again with the same
    recipient (SECURITY.md 13): the client's open page now shows an older revision."""
    quote = Quote.objects.select_related("client", "contact", "owner").get(pk=shared.quote.pk)
    data = QuoteInput(
        client=quote.client,
        contact=quote.contact,
        title=quote.title,
        currency=quote.currency,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        notes=quote.notes,
        sections=[
            SectionInput(
                title="Section 1",
                lines=[
                    LineInput(
                        description="Item 1.1, revised",
                        quantity=quantity,
                        unit_price=Decimal("19.99"),
                        tax_rate=Decimal("20"),
                    )
                ],
            )
        ],
    )
    quote_update(quote=quote, data=data, user=quote.owner)
    share_send(
        quote=quote,
        user=quote.owner,
        recipient_name=shared.share.recipient_name,
        recipient_email=shared.share.recipient_email,
        message="Updated as you asked.",
    )
    shared.quote.refresh_from_db()
    return QuoteRevision.objects.get(quote=quote, number=quote.revision_number)


@dataclass(frozen=True)
class OptionNames:
    """The texts of the quote of `options_input`, as the rep typed them."""

    furniture: str = "Furniture"
    desk: str = "Standing desk"
    warranty: str = "Extended warranty"
    installation: str = "Installation"
    finish: str = "Finish"
    oak: str = "Oak"
    walnut: str = "Walnut"


def options_input(
    client: Client, names: OptionNames = OptionNames(), *, more: Sequence[SectionInput] = ()
) -> QuoteInput:
    """A quote with every kind of option: a standing desk (fixed), an extended warranty
    (optional, left out at first), installation hours adjustable from 4 to 10 (6.5 at
    first, 7 % tax), and a finish to choose: oak or walnut (walnut at first), then the
    sections `more`. Without them its defaults come to €2,775.76."""
    d = Decimal
    return QuoteInput(
        client=client,
        contact=client.contacts.first(),
        title="Office fit-out with options",
        currency="EUR",
        issue_date=timezone.localdate(timezone=client.company.zone),
        valid_until=timezone.localdate(timezone=client.company.zone) + dt.timedelta(days=28),
        sections=[
            SectionInput(
                title=names.furniture,
                lines=[
                    LineInput(names.desk, d("4"), d("499"), d("10"), d("20")),
                    LineInput(names.warranty, d("1"), d("89.90"), tax_rate=d("20"), optional=True),
                    LineInput(
                        names.installation,
                        d("6.5"),
                        d("65"),
                        tax_rate=d("7"),
                        min_quantity=d("4"),
                        max_quantity=d("10"),
                    ),
                ],
            ),
            SectionInput(
                title=names.finish,
                choose_one=True,
                lines=[
                    LineInput(names.oak, d("1"), d("100"), tax_rate=d("20")),
                    LineInput(
                        names.walnut, d("1"), d("140"), tax_rate=d("20"), included_by_default=True
                    ),
                ],
            ),
            *more,
        ],
    )


def share_options_quote(
    owner: User,
    *,
    email: str = "anna@client.test",
    names: OptionNames = OptionNames(),
    more: Sequence[SectionInput] = (),
) -> Shared:
    """The quote of `options_input` (with the texts of `names` and the sections `more`),
    shared with `email`."""
    company = owner.membership.company
    client = ClientFactory(company=company)
    ContactFactory(client=client, company=company)
    quote = quote_create(company=company, owner=owner, data=options_input(client, names, more=more))
    share = share_send(
        quote=quote, user=owner, recipient_name="Anna Client", recipient_email=email, message=""
    )
    token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    quote.refresh_from_db()
    return Shared(quote=quote, share=share, token=token)
