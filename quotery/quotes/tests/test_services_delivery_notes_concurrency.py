"""Stock under real concurrency on PostgreSQL: threads with their own connections accept
quotes and cancel delivery notes at the same moment (SECURITY.md 18-19)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import Product, StockLevel
from quotery.core.exceptions import IllegalTransition
from quotery.portal.tests.portal_fixtures import Shared, accept_shared, share_quote
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteState
from quotery.quotes.services.delivery_notes import delivery_note_cancel
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


def accepting(shared: Shared, email: str) -> Callable[[], object]:
    return lambda: accept_shared(shared, email=email)


def held_by_draft_notes(product: Product) -> Decimal:
    """What the draft delivery notes say they hold of `product`."""
    lines = DeliveryNoteLine.objects.filter(product=product, note__state=DeliveryNoteState.DRAFT)
    return sum((line.reserved_quantity for line in lines), D(0))


def test_security_19_two_quotes_accepted_at_once_for_the_last_unit():
    # given one unit on hand and two shared quotes that each want it
    company = CompanyFactory()
    rep = member(company, Role.REP)
    desk = ProductFactory(company=company, sku="DESK", stock=D(1))
    quotes = [
        share_quote(rep, products=[desk], quantities=[1], email=f"client{i}@client.test")
        for i in range(2)
    ]
    # when both clients accept at the same moment
    _, errors = run_at_once([accepting(s, f"client{i}@client.test") for i, s in enumerate(quotes)])
    # then both acceptances stand; one line reserved the unit, the other backordered it
    assert errors == []
    on_hand, reserved = stock_of(desk)
    assert (on_hand, reserved) == (D(1), D(1))
    lines = sorted(
        (note_of(s).lines.get().reserved_quantity, note_of(s).lines.get().backorder_quantity)
        for s in quotes
    )
    assert lines == [(D(0), D(1)), (D(1), D(0))]


def test_security_19_many_acceptances_never_reserve_more_than_on_hand():
    # given 5 chairs and 8 quotes wanting 1 or 2 each (12 in all)
    company = CompanyFactory()
    rep = member(company, Role.REP)
    chair = ProductFactory(company=company, sku="CHAIR", stock=D(5))
    wanted = [1, 2, 1, 2, 1, 2, 1, 2]
    quotes = [
        share_quote(rep, products=[chair], quantities=[q], email=f"client{i}@client.test")
        for i, q in enumerate(wanted)
    ]
    _, errors = run_at_once([accepting(s, f"client{i}@client.test") for i, s in enumerate(quotes)])
    assert errors == []
    # then exactly what was on hand is reserved, and nothing asked for is lost
    assert stock_of(chair) == (D(5), D(5))
    note_lines = [note_of(s).lines.get() for s in quotes]
    assert sum((line.reserved_quantity for line in note_lines), D(0)) == D(5)
    assert sum((line.backorder_quantity for line in note_lines), D(0)) == D(sum(wanted) - 5)
    assert all(
        line.reserved_quantity + line.backorder_quantity == line.quantity for line in note_lines
    )
    assert DeliveryNote.objects.filter(company=company).count() == len(wanted)


def test_security_19_products_in_opposite_line_order_do_not_deadlock():
    # given two products and quotes listing them in opposite orders
    company = CompanyFactory()
    rep = member(company, Role.REP)
    desk = ProductFactory(company=company, sku="DESK", stock=D(3))
    lamp = ProductFactory(company=company, sku="LAMP", stock=D(3))
    quotes = shared_in_opposite_orders(rep, desk, lamp, count=6, prefix="client")
    # when they are accepted at once (a deadlock would fail one with an error or hang)
    _, errors = run_at_once([accepting(s, f"client{i}@client.test") for i, s in enumerate(quotes)])
    assert errors == []
    assert stock_of(desk) == (D(3), D(3))
    assert stock_of(lamp) == (D(3), D(3))
    assert held_by_draft_notes(desk) == D(3) == held_by_draft_notes(lamp)


def test_security_18_two_cancels_of_one_note_release_its_stock_once():
    company = CompanyFactory()
    rep = member(company, Role.REP)
    manager = member(company, Role.MANAGER)
    desk = ProductFactory(company=company, stock=D(10))
    first = share_quote(rep, products=[desk], quantities=[4], email="a@client.test")
    second = share_quote(rep, products=[desk], quantities=[3], email="b@client.test")
    accept_shared(first, email="a@client.test")
    accept_shared(second, email="b@client.test")
    assert stock_of(desk) == (D(10), D(7))
    note = note_of(first)
    # when the rep and the manager cancel the same note at the same moment
    results, errors = run_at_once(
        [
            lambda: delivery_note_cancel(note=note, user=rep),
            lambda: delivery_note_cancel(note=note, user=manager),
        ]
    )
    # then one cancel wins, the other is refused, and 4 (not 8) come back
    assert len(results) == 1
    assert [type(error) for error in errors] == [IllegalTransition]
    assert stock_of(desk) == (D(10), D(3))
    assert held_by_draft_notes(desk) == D(3)


def test_security_19_cancels_racing_acceptances_keep_reserved_equal_to_what_notes_hold():
    # given 4 lamps all reserved by two notes, and three more quotes waiting to be accepted
    company = CompanyFactory()
    rep = member(company, Role.REP)
    lamp = ProductFactory(company=company, sku="LAMP", stock=D(4))
    held = accepted_holding(rep, lamp, quantity=2, count=2, prefix="held")
    waiting = [
        share_quote(rep, products=[lamp], quantities=[2], email=f"wait{i}@client.test")
        for i in range(3)
    ]
    # when the two notes are cancelled while the three quotes are accepted
    notes = [note_of(shared) for shared in held]
    jobs: list[Callable[[], object]] = [
        partial(delivery_note_cancel, note=note, user=rep) for note in notes
    ]
    jobs += [accepting(s, f"wait{i}@client.test") for i, s in enumerate(waiting)]
    _, errors = run_at_once(jobs)
    # then the stock row agrees with the draft notes, and never exceeds on hand
    assert errors == []
    level = StockLevel.objects.get(product=lamp)
    assert level.reserved == held_by_draft_notes(lamp)
    assert D(0) <= level.reserved <= level.on_hand == D(4)
