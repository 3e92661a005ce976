"""Shipping a delivery note, in parts or whole: each shipped quantity leaves the line's
reservation and the warehouse's on-hand stock together, recorded as a stock movement."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from quotery.accounts.models import User
from quotery.catalog.services import MAX_QUANTITY, stock_ship
from quotery.core.exceptions import IllegalTransition, ValidationFailed
from quotery.core.money import decimal_places
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteState

ZERO = Decimal(0)
NOT_SHIPPED = "Nothing was shipped."


def ship_quantities_parse(data: Mapping[str, str], line_ids: list[int]) -> dict[int, Decimal]:
    """The quantities typed per line (`data["ship-<line id>"]`; empty means 0) as Decimals,
    or ValidationFailed naming every line whose text is not a usable quantity."""
    quantities: dict[int, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for line_id in line_ids:
        text = str(data.get(f"ship-{line_id}", "")).strip().replace(",", ".")
        if not text:
            quantities[line_id] = ZERO
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or abs(value) > MAX_QUANTITY:
            errors[str(line_id)] = ["Enter a number, like 2 or 0.5."]
        else:
            quantities[line_id] = value
    if errors:
        raise ValidationFailed(f"{NOT_SHIPPED} Check the quantities marked.", field_errors=errors)
    return quantities


def delivery_note_ship(
    *, note: DeliveryNote, quantities: Mapping[int, Decimal], user: User
) -> DeliveryNote:
    """Ships `quantities` (by delivery note line id; a line left out ships nothing).

    Each quantity must be at least zero, have at most 3 decimals and be no more than the
    line still has to ship (`DeliveryNoteLine.to_ship`: its reservation, or for a line that
    reserves nothing, its unshipped quantity; backordered units never ship), and something
    must ship. Otherwise ValidationFailed (messages keyed by line id) and nothing changes.

    A quantity taken from a reservation leaves reserved and on-hand stock together, with a
    stock movement (`stock_ship`); a line without a reservation ships without one. The note
    becomes *partially shipped*, or *shipped* once every unit of every line has shipped.

    Exactly once: runs under the quote's row lock and then the note's (quotery.quotes.locks:
    quote, the rows hanging off it, then stock rows in product id order), and checks the
    lines as they are under those locks, so two "ship everything" at once ship once and the
    second is told nothing is left. A cancelled or fully shipped note raises
    IllegalTransition. One transaction: on any error nothing changes.
    """
    _check_numbers(quantities)
    with transaction.atomic():
        quote_lock(note.quote_id)
        locked = DeliveryNote.objects.select_for_update().get(
            pk=note.pk, company_id=note.company_id
        )
        if not locked.is_open:
            raise IllegalTransition(
                f"Delivery note {locked.number} is {locked.get_state_display().lower()}; "
                f"nothing is left to ship. {NOT_SHIPPED}"
            )
        lines = list(
            DeliveryNoteLine.objects.filter(note_id=note.pk, company_id=note.company_id)
            .select_related("product")
            .order_by("product_id", "position", "pk")
        )
        shipping = _check_against_lines(lines, quantities)
        _ship_lines(locked, shipping, user)
        _update_state(locked, lines)
    note.refresh_from_db()
    return note


def _check_numbers(quantities: Mapping[int, Decimal]) -> None:
    errors: dict[str, list[str]] = {}
    for line_id, quantity in quantities.items():
        if not quantity.is_finite():
            errors[str(line_id)] = ["Enter a number, like 2 or 0.5."]
        elif quantity < ZERO:
            errors[str(line_id)] = ["A shipped quantity cannot be negative."]
        elif decimal_places(quantity) > 3:
            errors[str(line_id)] = ["Use at most 3 decimal places."]
    if errors:
        raise ValidationFailed(f"{NOT_SHIPPED} Check the quantities marked.", field_errors=errors)


def _check_against_lines(
    lines: list[DeliveryNoteLine], quantities: Mapping[int, Decimal]
) -> list[tuple[DeliveryNoteLine, Decimal]]:
    """The (line, quantity) pairs to ship, checked against the lines as locked."""
    by_id = {line.pk: line for line in lines}
    errors: dict[str, list[str]] = {}
    for line_id in quantities:
        if line_id not in by_id:
            errors[str(line_id)] = ["This line is not on the delivery note."]
    shipping = []
    for line in lines:
        quantity = quantities.get(line.pk, ZERO)
        if quantity > line.to_ship:
            errors[str(line.pk)] = [_too_much(line)]
        elif quantity > ZERO:
            shipping.append((line, quantity))
    if errors:
        raise ValidationFailed(f"{NOT_SHIPPED} Check the quantities marked.", field_errors=errors)
    if not shipping:
        raise ValidationFailed(f"{NOT_SHIPPED} Enter a quantity above zero on at least one line.")
    return shipping


def _too_much(line: DeliveryNoteLine) -> str:
    left = f"{line.to_ship.normalize():f}"
    if line.backorder_quantity > ZERO:
        backordered = f"{line.backorder_quantity.normalize():f}"
        return f"At most {left} can ship: {backordered} are backordered (no stock for them)."
    if line.to_ship == ZERO:
        return "Nothing is left to ship on this line."
    return f"At most {left} can ship: that is what is left on this line."


def _ship_lines(
    note: DeliveryNote, shipping: list[tuple[DeliveryNoteLine, Decimal]], user: User
) -> None:
    """Moves each quantity from the line's reservation to shipped; lines come in product id
    order, so stock rows are locked in that order."""
    for line, quantity in shipping:
        from_stock = line.reserved_quantity > ZERO
        if from_stock and line.product is not None:
            stock_ship(
                product=line.product,
                quantity=quantity,
                reason=f"Shipped on delivery note {note.number}",
                user=user,
            )
        if from_stock:
            line.reserved_quantity = line.reserved_quantity - quantity
        line.shipped_quantity = line.shipped_quantity + quantity
        line.save(update_fields=["reserved_quantity", "shipped_quantity"])


def _update_state(note: DeliveryNote, lines: list[DeliveryNoteLine]) -> None:
    everything = all(line.shipped_quantity >= line.quantity for line in lines)
    now = timezone.now()
    note.state = DeliveryNoteState.SHIPPED if everything else DeliveryNoteState.PARTIALLY_SHIPPED
    note.first_shipped_at = note.first_shipped_at or now
    note.last_shipped_at = now
    note.save(update_fields=["state", "first_shipped_at", "last_shipped_at"])
