"""Quotes with product lines, shared and accepted through the real services: what the
delivery note and stock tests start from."""

from __future__ import annotations

from decimal import Decimal

from quotery.catalog.models import Product, StockLevel
from quotery.portal.tests.portal_fixtures import Shared, accept_shared, share_quote
from quotery.quotes.models import DeliveryNote


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


def shared_in_opposite_orders(
    rep, first: Product, second: Product, *, count: int, prefix: str
) -> list[Shared]:  # type: ignore[no-untyped-def]
    """`count` quotes of one unit of each product, shared with `<prefix><i>@client.test`, that
    list the two products in alternating order: what a wrong lock order would deadlock on."""
    return [
        share_quote(
            rep,
            products=[first, second] if i % 2 else [second, first],
            quantities=[1, 1],
            email=f"{prefix}{i}@client.test",
        )
        for i in range(count)
    ]


def accepted_holding(
    rep, product: Product, *, quantity: int, count: int, prefix: str
) -> list[Shared]:  # type: ignore[no-untyped-def]
    """`count` quotes of `quantity` units of `product`, shared with `<prefix><i>@client.test`
    and accepted by that client: each has a delivery note reserving its units."""
    held = [
        share_quote(
            rep, products=[product], quantities=[quantity], email=f"{prefix}{i}@client.test"
        )
        for i in range(count)
    ]
    for i, shared in enumerate(held):
        accept_shared(shared, email=f"{prefix}{i}@client.test")
    return held
