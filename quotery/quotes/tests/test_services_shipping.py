"""Shipping delivery notes in parts or whole: reservations become stock movements, bad
quantities change nothing, lines without stock ship without movements."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockMovement
from quotery.core.exceptions import IllegalTransition, ValidationFailed
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteState
from quotery.quotes.selectors import reservations_for_product
from quotery.quotes.services.delivery_notes import delivery_note_cancel
from quotery.quotes.services.shipping import delivery_note_ship, ship_quantities_parse
from quotery.quotes.tests.delivery_fixtures import note_of, stock_of

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def accepted(company, rep):
    """5 desks wanted (2 on hand: 3 backordered), 3 chairs (10 on hand), a service."""
    desk = ProductFactory(company=company, sku="DESK", stock=D(2))
    chair = ProductFactory(company=company, sku="CHAIR", stock=D(10))
    install = ProductFactory(company=company, sku="INSTALL", tracks_stock=False)
    shared = share_quote(rep, products=[desk, chair, install], quantities=[5, 3, 1])
    accept_shared(shared)
    note = note_of(shared)
    lines = {line.sku: line for line in note.lines.all()}
    return {"note": note, "lines": lines, "desk": desk, "chair": chair, "rep": rep}


def shipped(note: DeliveryNote) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """(reserved, backordered, shipped) per SKU as stored now."""
    return {
        line.sku: (line.reserved_quantity, line.backorder_quantity, line.shipped_quantity)
        for line in DeliveryNoteLine.objects.filter(note=note)
    }


def test_a_partial_shipment_moves_stock_out_of_the_reservation(accepted):
    note, lines, chair = accepted["note"], accepted["lines"], accepted["chair"]
    # when 2 of 3 chairs ship
    delivery_note_ship(note=note, quantities={lines["CHAIR"].pk: D(2)}, user=accepted["rep"])
    # then on hand and reserved both drop by 2; available is what it was
    assert stock_of(chair) == (D(8), D(1))
    assert shipped(note)["CHAIR"] == (D(1), D(0), D(2))
    note.refresh_from_db()
    assert note.state == DeliveryNoteState.PARTIALLY_SHIPPED
    assert note.first_shipped_at is not None
    assert note.first_shipped_at == note.last_shipped_at
    assert note.delivery_status == "Partially shipped"
    # and a movement records who shipped what and why
    movement = StockMovement.objects.get(product=chair)
    assert (movement.delta, movement.on_hand_after) == (D(-2), D(8))
    assert movement.reason == f"Shipped on delivery note {note.number}"
    assert movement.user == accepted["rep"]


def test_shipping_the_rest_in_a_second_shipment(accepted):
    note, lines, desk, chair = (accepted[k] for k in ("note", "lines", "desk", "chair"))
    rep = accepted["rep"]
    delivery_note_ship(note=note, quantities={lines["CHAIR"].pk: D(1)}, user=rep)
    first = DeliveryNote.objects.get(pk=note.pk).first_shipped_at
    everything = {lines["DESK"].pk: D(2), lines["CHAIR"].pk: D(2), lines["INSTALL"].pk: D(1)}
    delivery_note_ship(note=note, quantities=everything, user=rep)
    note.refresh_from_db()
    # then the reserved units are all gone, but 3 desks stay backordered: partially shipped
    assert shipped(note) == {
        "DESK": (D(0), D(3), D(2)),
        "CHAIR": (D(0), D(0), D(3)),
        "INSTALL": (D(0), D(0), D(1)),
    }
    assert stock_of(desk) == (D(0), D(0))
    assert stock_of(chair) == (D(7), D(0))
    assert note.state == DeliveryNoteState.PARTIALLY_SHIPPED
    assert note.first_shipped_at == first
    assert note.last_shipped_at is not None and note.last_shipped_at >= first
    # and a note holding nothing no longer lists among the product's reservations
    assert reservations_for_product(product=chair, membership=rep.membership) == []


def test_a_note_without_backorders_shipped_whole_is_shipped(company, rep):
    chair = ProductFactory(company=company, sku="CHAIR", stock=D(10))
    install = ProductFactory(company=company, sku="INSTALL", tracks_stock=False)
    shared = share_quote(rep, products=[chair, install], quantities=[4, 2])
    accept_shared(shared)
    note = note_of(shared)
    quantities = {line.pk: line.to_ship for line in note.lines.all()}
    delivery_note_ship(note=note, quantities=quantities, user=rep)
    note.refresh_from_db()
    assert note.state == DeliveryNoteState.SHIPPED
    assert note.delivery_status == "Shipped"
    assert stock_of(chair) == (D(6), D(0))
    # the service line shipped without any stock movement
    assert not StockMovement.objects.filter(product=install).exists()
    # and a shipped note ships nothing more
    with pytest.raises(IllegalTransition, match="is shipped; nothing is left to ship"):
        delivery_note_ship(note=note, quantities=quantities, user=rep)
    assert stock_of(chair) == (D(6), D(0))


def test_a_line_without_stock_ships_its_quantity_without_a_movement(accepted):
    note, lines = accepted["note"], accepted["lines"]
    delivery_note_ship(note=note, quantities={lines["INSTALL"].pk: D(1)}, user=accepted["rep"])
    assert shipped(note)["INSTALL"] == (D(0), D(0), D(1))
    assert not StockMovement.objects.filter(company=note.company, delta__lt=0).exists()


@pytest.mark.parametrize(
    ("sku", "quantity", "message"),
    [
        ("CHAIR", D(4), "At most 3 can ship: that is what is left on this line."),
        ("DESK", D(3), "At most 2 can ship: 3 are backordered (no stock for them)."),
        ("INSTALL", D(2), "At most 1 can ship: that is what is left on this line."),
        ("CHAIR", D(-1), "A shipped quantity cannot be negative."),
        ("CHAIR", D("0.0001"), "Use at most 3 decimal places."),
        # normalize() would round this to 0 and call it whole
        ("CHAIR", D("1E-999999999"), "Use at most 3 decimal places."),
        ("CHAIR", D("NaN"), "Enter a number, like 2 or 0.5."),
    ],
)
def test_a_quantity_the_line_cannot_ship_is_refused_and_nothing_changes(
    accepted, sku, quantity, message
):
    note, lines = accepted["note"], accepted["lines"]
    before = (shipped(note), stock_of(accepted["desk"]), stock_of(accepted["chair"]))
    # the other lines ask for valid quantities: still nothing ships
    quantities = {line.pk: D(1) for line in lines.values()}
    quantities[lines[sku].pk] = quantity
    with pytest.raises(ValidationFailed) as refused:
        delivery_note_ship(note=note, quantities=quantities, user=accepted["rep"])
    assert refused.value.field_errors == {str(lines[sku].pk): [message]}
    assert refused.value.message.startswith("Nothing was shipped.")
    assert (shipped(note), stock_of(accepted["desk"]), stock_of(accepted["chair"])) == before
    assert DeliveryNote.objects.get(pk=note.pk).state == DeliveryNoteState.DRAFT
    assert StockMovement.objects.filter(delta__lt=0).count() == 0


def test_shipping_nothing_is_refused(accepted):
    note, lines = accepted["note"], accepted["lines"]
    with pytest.raises(ValidationFailed, match="Enter a quantity above zero on at least one"):
        delivery_note_ship(
            note=note, quantities={line.pk: D(0) for line in lines.values()}, user=accepted["rep"]
        )
    assert DeliveryNote.objects.get(pk=note.pk).state == DeliveryNoteState.DRAFT


def test_a_line_of_another_note_is_refused(accepted, company, rep):
    other = ProductFactory(company=company, sku="OTHER", stock=D(5))
    shared = share_quote(rep, products=[other], quantities=[1])
    accept_shared(shared)
    foreign_line = note_of(shared).lines.get()
    with pytest.raises(ValidationFailed) as refused:
        delivery_note_ship(
            note=accepted["note"], quantities={foreign_line.pk: D(1)}, user=accepted["rep"]
        )
    assert refused.value.field_errors == {
        str(foreign_line.pk): ["This line is not on the delivery note."]
    }
    assert stock_of(other) == (D(5), D(1))


def test_a_cancelled_note_ships_nothing_and_a_shipped_one_cannot_be_cancelled(accepted):
    note, lines, rep = accepted["note"], accepted["lines"], accepted["rep"]
    delivery_note_ship(note=note, quantities={lines["CHAIR"].pk: D(1)}, user=rep)
    with pytest.raises(IllegalTransition, match=r"has been shipped .* can no longer be cancel"):
        delivery_note_cancel(note=note, user=rep)
    assert stock_of(accepted["chair"]) == (D(9), D(2))


def test_a_cancelled_note_cannot_ship(accepted):
    note, lines, rep = accepted["note"], accepted["lines"], accepted["rep"]
    delivery_note_cancel(note=note, user=rep)
    with pytest.raises(IllegalTransition, match="is cancelled; nothing is left to ship"):
        delivery_note_ship(note=note, quantities={lines["CHAIR"].pk: D(1)}, user=rep)
    assert stock_of(accepted["chair"]) == (D(10), D(0))


def test_the_form_text_is_parsed_and_non_numbers_are_named(accepted):
    lines = accepted["lines"]
    ids = [line.pk for line in lines.values()]
    desk, chair, install = (lines[s].pk for s in ("DESK", "CHAIR", "INSTALL"))
    data = {f"ship-{desk}": " 2 ", f"ship-{chair}": "1,5", f"ship-{install}": ""}
    assert ship_quantities_parse(data, ids) == {desk: D(2), chair: D("1.5"), install: D(0)}
    bad = {f"ship-{desk}": "two", f"ship-{chair}": "Infinity", f"ship-{install}": "1e99"}
    with pytest.raises(ValidationFailed) as refused:
        ship_quantities_parse(bad, ids)
    assert set(refused.value.field_errors) == {str(desk), str(chair), str(install)}


def test_a_colleague_rep_is_recorded_on_the_movement(accepted, company):
    manager = member(company, Role.MANAGER)
    note, lines = accepted["note"], accepted["lines"]
    delivery_note_ship(note=note, quantities={lines["CHAIR"].pk: D(3)}, user=manager)
    assert StockMovement.objects.get(product=accepted["chair"], delta=D(-3)).user == manager
