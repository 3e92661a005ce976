"""Quotes with product lines, shared and accepted through the real services: what the
delivery note and stock tests start from."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from quotery.accounts.models import User
from quotery.catalog.models import Product, StockLevel
from quotery.factories import make_quote
from quotery.portal.links import share_token
from quotery.portal.services.sharing import share_send
from quotery.portal.tests.portal_fixtures import Shared
from quotery.quotes.models import DeliveryNote


def share_quote_of(
    owner: User,
    products: Sequence[Product | None],
    quantities: Sequence[Decimal | int | str],
    *,
    email: str = "anna@client.test",
    title: str = "Office fit-out",
) -> Shared:
    """Like portal_fixtures.share_quote, with one section whose n-th line is the n-th
    product (None: a free-text line) in the n-th quantity."""
    assert len(products) == len(quantities)
    quote = make_quote(
        owner=owner,
        sections=1,
        lines_per_section=len(products),
        issue_date=timezone.localdate(),
        title=title,
        products=list(products),
        quantities=[Decimal(str(q)) for q in quantities],
    )
    share = share_send(
        quote=quote,
        user=owner,
        recipient_name="Anna Client",
        recipient_email=email,
        message="Here is the quote we discussed.",
    )
    token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    return Shared(quote=quote, share=share, token=token)


def stock_of(product: Product) -> tuple[Decimal, Decimal]:
    """(on hand, reserved) as stored now."""
    level = StockLevel.objects.get(product=product)
    return level.on_hand, level.reserved


def note_of(shared: Shared) -> DeliveryNote:
    return DeliveryNote.objects.get(quote=shared.quote)


def line_quantities(note: DeliveryNote) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(sku, quantity, reserved, backordered) per line, in order."""
    return [
        (line.sku, line.quantity, line.reserved_quantity, line.backorder_quantity)
        for line in note.lines.order_by("position")
    ]
