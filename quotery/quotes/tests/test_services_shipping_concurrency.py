"""Shipping under real concurrency on PostgreSQL: threads with their own connections ship,
cancel and accept at the same moment (SECURITY.md 18-19)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockLevel, StockMovement
from quotery.core.exceptions import IllegalTransition
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteState
from quotery.quotes.services.delivery_notes import delivery_note_cancel
from quotery.quotes.services.shipping import delivery_note_ship
from quotery.quotes.tests.delivery_fixtures import (
    accepted_holding,
    note_of,
    shared_in_opposite_orders,
    stock_of,
)
from tests.concurrency import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and their order are a PostgreSQL concern; SQLite's IMMEDIATE "
        "transactions admit one writer at a time",
    ),
]

D = Decimal


def ship_everything(note: DeliveryNote, user) -> Callable[[], object]:  # type: ignore[no-untyped-def]
    """What the form sends by default: every line's quantity left to ship, read now."""
    quantities = {line.pk: line.to_ship for line in note.lines.all()}
    return lambda: delivery_note_ship(note=note, quantities=quantities, user=user)


def held_by_open_notes(product) -> Decimal:  # type: ignore[no-untyped-def]
    lines = DeliveryNoteLine.objects.filter(
        product=product,
        note__state__in=[DeliveryNoteState.DRAFT, DeliveryNoteState.PARTIALLY_SHIPPED],
    )
    return sum((line.reserved_quantity for line in lines), D(0))


def test_security_18_two_ship_everything_at_once_ship_once():
    # given a note reserving 4 of 10 desks, and an installation without stock
    company = CompanyFactory()
    rep = member(company, Role.REP)
    manager = member(company, Role.MANAGER)
    desk = ProductFactory(company=company, sku="DESK", stock=D(10))
    install = ProductFactory(company=company, sku="INSTALL", tracks_stock=False)
    shared = share_quote(rep, products=[desk, install], quantities=[4, 1])
    accept_shared(shared)
    note = note_of(shared)
    # when the rep and the manager both press "Record shipment" with everything at once
    results, errors = run_at_once([ship_everything(note, rep), ship_everything(note, manager)])
    # then one shipment stands, the other is told nothing is left, and 4 (not 8) left
    assert len(results) == 1
    assert [type(error) for error in errors] == [IllegalTransition]
    assert stock_of(desk) == (D(6), D(0))
    assert StockMovement.objects.filter(product=desk, delta__lt=0).count() == 1
    assert [line.shipped_quantity for line in note.lines.order_by("position")] == [D(4), D(1)]
    assert DeliveryNote.objects.get(pk=note.pk).state == DeliveryNoteState.SHIPPED


def test_security_19_a_shipment_racing_a_cancel_gives_the_stock_one_fate():
    # given two notes reserving 3 lamps each of 6
    company = CompanyFactory()
    rep = member(company, Role.REP)
    lamp = ProductFactory(company=company, sku="LAMP", stock=D(6))
    shared = accepted_holding(rep, lamp, quantity=3, count=2, prefix="c")
    first, second = (note_of(s) for s in shared)
    # when one note is shipped and cancelled at once, while the other ships
    results, errors = run_at_once(
        [
            ship_everything(first, rep),
            lambda: delivery_note_cancel(note=first, user=rep),
            ship_everything(second, rep),
        ]
    )
    # then exactly one of ship and cancel won for the first note
    assert len(results) == 2
    assert [type(error) for error in errors] == [IllegalTransition]
    level = StockLevel.objects.get(product=lamp)
    first_state = DeliveryNote.objects.get(pk=first.pk).state
    if first_state == DeliveryNoteState.SHIPPED:
        assert (level.on_hand, level.reserved) == (D(0), D(0))
    else:
        assert first_state == DeliveryNoteState.CANCELLED
        assert (level.on_hand, level.reserved) == (D(3), D(0))
    assert level.reserved == held_by_open_notes(lamp)


def test_shipments_and_acceptances_sharing_products_in_opposite_orders_do_not_deadlock():
    # given notes holding desks and lamps, listed in opposite orders, and quotes to accept
    company = CompanyFactory()
    rep = member(company, Role.REP)
    desk = ProductFactory(company=company, sku="DESK", stock=D(8))
    lamp = ProductFactory(company=company, sku="LAMP", stock=D(8))
    held = shared_in_opposite_orders(rep, desk, lamp, count=4, prefix="held")
    for i, s in enumerate(held):
        accept_shared(s, email=f"held{i}@client.test")
    waiting = [
        share_quote(rep, products=[lamp, desk], quantities=[2, 2], email=f"w{i}@client.test")
        for i in range(2)
    ]
    jobs: list[Callable[[], object]] = [ship_everything(note_of(s), rep) for s in held]
    jobs += [partial(accept_shared, s, email=f"w{i}@client.test") for i, s in enumerate(waiting)]
    # when they all run at once (a deadlock would fail one with an error or hang)
    _, errors = run_at_once(jobs)
    # then every shipment and acceptance stands and the stock agrees with the notes
    assert errors == []
    for product in (desk, lamp):
        level = StockLevel.objects.get(product=product)
        assert (level.on_hand, level.reserved) == (D(4), D(4))
        assert level.reserved == held_by_open_notes(product)
