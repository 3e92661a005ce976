"""Delivery notes: made in draft when a client accepts, with stock reserved per line."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from quotery.catalog.services import stock_reserve
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, Line, Quote
from quotery.quotes.services.quotes import number_next

ZERO = Decimal(0)


def delivery_note_create_for_quote(*, quote: Quote) -> DeliveryNote:
    """A draft delivery note with one line per quote line. Each product line reserves what
    is available and records the shortfall as a backorder, so an acceptance never fails for
    lack of stock and nothing is silently lost (SECURITY.md 19).

    Runs inside the caller's transaction (the acceptance). Stock rows are locked in product
    order, so two acceptances that share products cannot deadlock on PostgreSQL.
    """
    company = quote.company
    note = DeliveryNote.objects.create(
        company=company,
        quote=quote,
        number=number_next(
            company=company,
            kind="delivery",
            prefix="DN",
            on=timezone.localdate(timezone=company.zone),
        ),
    )
    lines = list(
        Line.objects.filter(quote=quote)
        .select_related("product")
        .order_by("section__position", "position", "pk")
    )
    reserved: dict[int, Decimal] = {}
    for line in sorted(
        (line for line in lines if line.product is not None), key=lambda line: line.product_id or 0
    ):
        assert line.product is not None
        reserved[line.pk] = stock_reserve(product=line.product, quantity=line.quantity)
    DeliveryNoteLine.objects.bulk_create(
        DeliveryNoteLine(
            company=company,
            note=note,
            position=position,
            product=line.product,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            reserved_quantity=reserved.get(line.pk, ZERO),
            backorder_quantity=(
                line.quantity - reserved.get(line.pk, ZERO)
                if line.product is not None and line.product.tracks_stock
                else ZERO
            ),
        )
        for position, line in enumerate(lines)
    )
    return note
