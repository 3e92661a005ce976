"""Delivery notes: made in draft when a client accepts, with stock reserved per line;
cancelling a draft gives its reservations back; shipping (in parts or whole) turns
reservations into stock movements."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from quotery.accounts.models import Company, User
from quotery.catalog.models import Product
from quotery.catalog.services import stock_release, stock_reserve
from quotery.core.exceptions import IllegalTransition
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteState, Line, Quote
from quotery.quotes.services.quotes import number_next

ZERO = Decimal(0)


def delivery_note_create_for_quote(
    *, quote: Quote, chosen: Mapping[str, Decimal] | None = None
) -> DeliveryNote:
    """A draft delivery note with one line per quote line, each linked to its quote line.

    Each line of a product that tracks stock reserves what is available and records the
    shortfall as its backorder quantity (reserved + backordered = quantity), so an
    acceptance never fails for lack of stock and nothing is silently lost (SECURITY.md 19).
    Lines without a product, or of a product that does not track stock, reserve and
    backorder nothing. Several lines of one product reserve in document order: the first
    takes what is there, the next backorders the rest.

    Runs inside the caller's transaction (the acceptance, which holds the quote's lock).
    Stock rows are locked in product id order, the same order `delivery_note_cancel` uses,
    so two acceptances (or an acceptance and a cancel) that share products cannot deadlock
    on PostgreSQL. A quote already holding a non-cancelled delivery note makes the insert
    fail (unique constraint `delivery_note_one_open_per_quote`): one note per acceptance.

    `chosen`, for a quote with options: the lines the client took ("<section>.<line>", as
    quotery.quotes.options names them) and their quantities; only those are delivered
    and reserved, in those quantities.
    """
    company = quote.company
    lines = list(
        Line.objects.filter(quote=quote, company_id=quote.company_id)
        .select_related("section")
        .order_by("section__position", "position", "pk")
    )
    if chosen is not None:
        taken = []
        for line in lines:
            quantity = chosen.get(f"{line.section.position}.{line.position}")
            if quantity is not None:
                line.quantity = quantity  # what the client chose; the quote line keeps its own
                taken.append(line)
        lines = taken
    products = _products_of(quote, lines)
    note = DeliveryNote.objects.create(
        company=company, quote=quote, number=_delivery_note_number(company)
    )
    reserved = _reserve_stock(lines, products)
    DeliveryNoteLine.objects.bulk_create(
        DeliveryNoteLine(
            company=company,
            note=note,
            quote_line=line,
            position=position,
            product=products.get(line.product_id or 0),
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            reserved_quantity=reserved.get(line.pk, ZERO),
            backorder_quantity=line.quantity - reserved[line.pk] if line.pk in reserved else ZERO,
        )
        for position, line in enumerate(lines)
    )
    return note


def _products_of(quote: Quote, lines: list[Line]) -> dict[int, Product]:
    """The lines' products by id, read from the quote's company only: a line can never
    reserve another company's stock."""
    products = Product.objects.in_bulk(
        {line.product_id for line in lines if line.product_id is not None}
    )
    return {pk: p for pk, p in products.items() if p.company_id == quote.company_id}


def _delivery_note_number(company: Company) -> str:
    """The company's next delivery note number, dated today in its time zone."""
    return number_next(
        company=company, kind="delivery", prefix="DN", on=timezone.localdate(timezone=company.zone)
    )


def _reserve_stock(lines: list[Line], products: dict[int, Product]) -> dict[int, Decimal]:
    """What each line of a product that tracks stock reserved, by line id. Stock rows are
    locked in product id order (see `quotery.quotes.locks`); sorted() is stable, so lines
    of one product keep their document order: the first takes what is there."""
    stocked = [
        line
        for line in lines
        if line.product_id in products and products[line.product_id].tracks_stock
    ]
    return {
        line.pk: stock_reserve(product=products[line.product_id or 0], quantity=line.quantity)
        for line in sorted(stocked, key=lambda line: line.product_id or 0)
    }


def delivery_note_cancel(*, note: DeliveryNote, user: User) -> DeliveryNote:
    """Cancels a draft delivery note, records who cancelled it and when, and gives each
    line's reservation back to stock.

    Exactly once: the state moves from draft to cancelled by compare-and-set
    (`UPDATE ... WHERE state = 'draft'`, which waits for a concurrent cancel's row lock on
    PostgreSQL), and only the call that made that change releases anything. A note that is
    already cancelled raises IllegalTransition and releases nothing. Stock rows are locked in
    product id order, as `delivery_note_create_for_quote` does. One transaction: on any
    error nothing changes.
    """
    with transaction.atomic():
        changed = DeliveryNote.objects.filter(
            pk=note.pk, company_id=note.company_id, state=DeliveryNoteState.DRAFT
        ).update(state=DeliveryNoteState.CANCELLED, cancelled_at=timezone.now(), cancelled_by=user)
        if not changed:
            raise IllegalTransition(_not_cancellable(note))
        lines = (
            DeliveryNoteLine.objects.filter(note_id=note.pk, company_id=note.company_id)
            .exclude(product=None)
            .exclude(reserved_quantity=ZERO)
            .select_related("product")
            .order_by("product_id", "position", "pk")
        )
        for line in lines:
            assert line.product is not None
            stock_release(product=line.product, quantity=line.reserved_quantity)
    note.refresh_from_db()
    return note


def _not_cancellable(note: DeliveryNote) -> str:
    state = DeliveryNote.objects.filter(pk=note.pk).values_list("state", flat=True).first()
    if state == DeliveryNoteState.CANCELLED:
        return (
            f"Delivery note {note.number} is already cancelled; its reserved stock was "
            "given back then. Nothing changed."
        )
    return (
        f"Delivery note {note.number} has been shipped (in part or whole) and can no longer "
        "be cancelled. Nothing changed."
    )
