"""Reads of delivery notes and the reservations they hold, scoped like the quotes they
come from: the member's company and, for reps, their own quotes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from quotery.accounts.models import Membership
from quotery.catalog.models import Product
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteState
from quotery.quotes.selectors import (
    delivery_notes_visible_to,
    quotes_editable_by,
    quotes_visible_to,
)

ZERO = Decimal(0)
RESERVATIONS_SHOWN = 50


def delivery_notes_for_list(*, membership: Membership) -> QuerySet[DeliveryNote]:
    """The delivery notes list: newest first, each with `has_backorder`.

    Quantities are exact decimal text on SQLite, so the flag compares for equality with
    zero (exact on both databases) instead of summing or ordering in SQL.
    """
    backordered = DeliveryNoteLine.objects.filter(note=OuterRef("pk")).exclude(
        backorder_quantity=ZERO
    )
    return delivery_notes_visible_to(membership=membership).annotate(
        has_backorder=Exists(backordered)
    )


@dataclass(frozen=True)
class DeliveryNotePage:
    note: DeliveryNote
    lines: list[DeliveryNoteLine]
    reserved_units: Decimal
    backordered_units: Decimal
    backordered_lines: int
    can_cancel: bool


def delivery_note_page(*, membership: Membership, pk: int) -> DeliveryNotePage:
    """One delivery note the member may see, its lines in order and its totals, or 404
    (another company's note, a colleague's for a rep, or none)."""
    note = (
        delivery_notes_visible_to(membership=membership)
        .select_related("cancelled_by")
        .filter(pk=pk)
        .first()
    )
    if note is None:
        raise Http404("No such delivery note.")
    lines = list(
        DeliveryNoteLine.objects.filter(note=note, company_id=note.company_id).order_by(
            "position", "pk"
        )
    )
    backordered = [line for line in lines if line.backorder_quantity > ZERO]
    return DeliveryNotePage(
        note=note,
        lines=lines,
        reserved_units=sum((line.reserved_quantity for line in lines), ZERO),
        backordered_units=sum((line.backorder_quantity for line in backordered), ZERO),
        backordered_lines=len(backordered),
        can_cancel=note.is_draft
        and quotes_editable_by(membership).filter(pk=note.quote_id).exists(),
    )


def delivery_note_for_edit(*, membership: Membership, pk: int) -> DeliveryNote:
    """A delivery note the member may change (the quote's owning rep, managers, admins),
    or 404."""
    note = (
        DeliveryNote.objects.filter(
            company_id=membership.company_id, quote__in=quotes_editable_by(membership)
        )
        .filter(pk=pk)
        .first()
    )
    if note is None:
        raise Http404("No such delivery note.")
    return note


def reservations_for_product(*, product: Product, membership: Membership) -> list[DeliveryNoteLine]:
    """Lines of draft delivery notes the member may see that reserve or backorder
    `product`, newest note first (at most RESERVATIONS_SHOWN)."""
    lines = (
        DeliveryNoteLine.objects.filter(
            company_id=membership.company_id,
            product=product,
            note__state=DeliveryNoteState.DRAFT,
            note__quote__in=quotes_visible_to(membership),
        )
        # Equality with zero is exact on both databases (text on SQLite, numeric on PG).
        .exclude(reserved_quantity=ZERO, backorder_quantity=ZERO)
        .select_related("note", "note__quote")
        .order_by("-note__created_at", "-note_id", "position")
    )
    return list(lines[:RESERVATIONS_SHOWN])
