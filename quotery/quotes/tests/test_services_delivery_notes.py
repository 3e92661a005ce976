"""Stock reservations and delivery notes made by real acceptances, and cancelling them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockLevel
from quotery.catalog.services import stock_adjust
from quotery.core.exceptions import AlreadyAnswered, IllegalTransition
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteState, Line
from quotery.quotes.services.delivery_notes import (
    delivery_note_cancel,
    delivery_note_create_for_quote,
)
from quotery.quotes.tests.delivery_fixtures import (
    line_quantities,
    note_of,
    stock_of,
)

pytestmark = pytest.mark.django_db

D = Decimal


# -- reservations on acceptance --------------------------------------------------------------


def test_enough_stock_reserves_every_line_in_full(company, rep):
    # given 10 desks and 4 chairs on hand
    desk = ProductFactory(company=company, sku="DESK", stock=D(10))
    chair = ProductFactory(company=company, sku="CHAIR", stock=D(4))
    shared = share_quote(rep, products=[desk, chair], quantities=[3, 4])
    # when the client accepts
    accept_shared(shared)
    # then one draft note reserves everything and backorders nothing
    note = note_of(shared)
    assert note.state == DeliveryNoteState.DRAFT
    assert note.number.startswith("DN-")
    assert line_quantities(note) == [("DESK", D(3), D(3), D(0)), ("CHAIR", D(4), D(4), D(0))]
    assert stock_of(desk) == (D(10), D(3))
    assert stock_of(chair) == (D(4), D(4))


def test_a_partial_shortfall_reserves_what_is_there_and_backorders_the_rest(company, rep):
    desk = ProductFactory(company=company, sku="DESK", stock=D(2))
    shared = share_quote(rep, products=[desk], quantities=[5])
    accept_shared(shared)
    assert line_quantities(note_of(shared)) == [("DESK", D(5), D(2), D(3))]
    # available never goes below zero
    assert stock_of(desk) == (D(2), D(2))


def test_zero_stock_backorders_the_whole_line_and_the_acceptance_stands(company, rep):
    desk = ProductFactory(company=company, sku="DESK", stock=D(0))
    shared = share_quote(rep, products=[desk], quantities=[2])
    acceptance = accept_shared(shared)
    assert acceptance.pk is not None
    assert line_quantities(note_of(shared)) == [("DESK", D(2), D(0), D(2))]
    assert stock_of(desk) == (D(0), D(0))


def test_stock_already_reserved_by_others_is_not_available(company, rep):
    desk = ProductFactory(company=company, sku="DESK", stock=D(5))
    StockLevel.objects.filter(product=desk).update(reserved=D(4))
    shared = share_quote(rep, products=[desk], quantities=[3])
    accept_shared(shared)
    assert line_quantities(note_of(shared)) == [("DESK", D(3), D(1), D(2))]
    assert stock_of(desk) == (D(5), D(5))


def test_products_without_stock_and_free_text_lines_reserve_and_backorder_nothing(company, rep):
    install = ProductFactory(company=company, sku="INSTALL", tracks_stock=False)
    desk = ProductFactory(company=company, sku="DESK", stock=D(1))
    shared = share_quote(rep, products=[install, None, desk], quantities=[8, 2, 1])
    accept_shared(shared)
    assert line_quantities(note_of(shared)) == [
        ("INSTALL", D(8), D(0), D(0)),
        ("", D(2), D(0), D(0)),
        ("DESK", D(1), D(1), D(0)),
    ]
    # the non-stock product's stock row is untouched
    assert stock_of(install) == (D(0), D(0))


def test_several_lines_of_one_product_reserve_in_document_order(company, rep):
    desk = ProductFactory(company=company, sku="DESK", stock=D(5))
    shared = share_quote(rep, products=[desk, desk, desk], quantities=[3, 4, 1])
    accept_shared(shared)
    assert line_quantities(note_of(shared)) == [
        ("DESK", D(3), D(3), D(0)),
        ("DESK", D(4), D(2), D(2)),
        ("DESK", D(1), D(0), D(1)),
    ]
    assert stock_of(desk) == (D(5), D(5))


def test_fractional_quantities_stay_exact(company, rep):
    # given 2.5 m of cable on hand, 0.1 already reserved
    cable = ProductFactory(company=company, sku="CABLE", stock=D("2.5"))
    StockLevel.objects.filter(product=cable).update(reserved=D("0.1"))
    shared = share_quote(rep, products=[cable, cable], quantities=["1.3", "1.3"])
    accept_shared(shared)
    # then 2.4 were available: 1.3 + 1.1 reserved, 0.2 backordered, no float dust
    lines = line_quantities(note_of(shared))
    assert lines == [("CABLE", D("1.3"), D("1.3"), D(0)), ("CABLE", D("1.3"), D("1.1"), D("0.2"))]
    assert [str(q.normalize()) for _, _, _, q in lines] == ["0", "0.2"]
    assert stock_of(cable) == (D("2.5"), D("2.5"))


def test_each_note_line_links_to_its_quote_line(company, rep):
    desk = ProductFactory(company=company, stock=D(9))
    shared = share_quote(rep, products=[desk, None], quantities=[1, 1])
    accept_shared(shared)
    quote_lines = list(Line.objects.filter(quote=shared.quote).order_by("position"))
    note_lines = list(note_of(shared).lines.order_by("position"))
    assert [line.quote_line_id for line in note_lines] == [line.pk for line in quote_lines]
    assert [line.delivery_lines.get().pk for line in quote_lines] == [n.pk for n in note_lines]


def test_a_repeated_acceptance_makes_no_second_note_or_reservation(company, rep):
    desk = ProductFactory(company=company, stock=D(9))
    shared = share_quote(rep, products=[desk], quantities=[2])
    accept_shared(shared)
    with pytest.raises(AlreadyAnswered):
        accept_shared(shared)
    assert DeliveryNote.objects.filter(quote=shared.quote).count() == 1
    assert stock_of(desk) == (D(9), D(2))


def test_the_database_allows_one_open_note_per_quote(company, rep):
    desk = ProductFactory(company=company, stock=D(9))
    shared = share_quote(rep, products=[desk], quantities=[2])
    accept_shared(shared)
    lines_before = DeliveryNoteLine.objects.count()
    # when a second note is made for the same quote (a bug, or a race past the quote lock)
    with pytest.raises(IntegrityError), transaction.atomic():
        delivery_note_create_for_quote(quote=shared.quote)
    # then nothing of it remains and no more stock is reserved
    assert DeliveryNote.objects.filter(quote=shared.quote).count() == 1
    assert DeliveryNoteLine.objects.count() == lines_before
    assert stock_of(desk) == (D(9), D(2))


def test_a_cancelled_note_does_not_count_against_a_new_one(company, rep):
    desk = ProductFactory(company=company, stock=D(9))
    shared = share_quote(rep, products=[desk], quantities=[2])
    accept_shared(shared)
    delivery_note_cancel(note=note_of(shared), user=rep)
    with transaction.atomic():
        again = delivery_note_create_for_quote(quote=shared.quote)
    assert again.state == DeliveryNoteState.DRAFT
    assert DeliveryNote.objects.filter(quote=shared.quote).count() == 2
    assert stock_of(desk) == (D(9), D(2))


# -- cancelling ------------------------------------------------------------------------------


def test_cancel_releases_each_reservation_and_records_who_and_when(company, rep):
    desk = ProductFactory(company=company, sku="DESK", stock=D(3))
    chair = ProductFactory(company=company, sku="CHAIR", stock=D(10))
    install = ProductFactory(company=company, sku="INSTALL", tracks_stock=False)
    shared = share_quote(rep, products=[desk, chair, desk, install], quantities=[2, 4, 2, 1])
    accept_shared(shared)
    assert stock_of(desk) == (D(3), D(3))
    assert stock_of(chair) == (D(10), D(4))
    # when the rep cancels the note
    note = delivery_note_cancel(note=note_of(shared), user=rep)
    # then every reservation is back, on-hand stock is unchanged
    assert note.state == DeliveryNoteState.CANCELLED
    assert note.cancelled_by == rep
    assert note.cancelled_at is not None
    assert stock_of(desk) == (D(3), D(0))
    assert stock_of(chair) == (D(10), D(0))
    assert stock_of(install) == (D(0), D(0))
    # the lines keep what was reserved, as history
    assert [q[2] for q in line_quantities(note)] == [D(2), D(4), D(1), D(0)]


def test_a_second_cancel_is_refused_and_releases_nothing(company, rep, manager):
    desk = ProductFactory(company=company, stock=D(5))
    first = share_quote(rep, products=[desk], quantities=[2])
    accept_shared(first)
    stale = note_of(first)  # as a second browser tab would hold it
    delivery_note_cancel(note=note_of(first), user=rep)
    # another quote now reserves stock that a second release would wrongly free
    second = share_quote(rep, products=[desk], quantities=[4], email="bo@client.test")
    accept_shared(second, email="bo@client.test")
    assert stock_of(desk) == (D(5), D(4))
    # when the stale note is cancelled again
    with pytest.raises(IllegalTransition) as refused:
        delivery_note_cancel(note=stale, user=manager)
    # then a clear message, and nothing released or rewritten
    assert "already cancelled" in refused.value.message
    assert stale.number in refused.value.message
    assert stock_of(desk) == (D(5), D(4))
    stale.refresh_from_db()
    assert stale.cancelled_by == rep


def test_cancel_after_a_partial_shortfall_gives_back_only_what_was_reserved(company, rep):
    desk = ProductFactory(company=company, stock=D(2))
    shared = share_quote(rep, products=[desk], quantities=[5])
    accept_shared(shared)
    # stock arrives later and someone else's reservation would use it
    stock_adjust(product=desk, delta=D(3), reason="Delivery", user=rep)
    StockLevel.objects.filter(product=desk).update(reserved=D(4))
    delivery_note_cancel(note=note_of(shared), user=rep)
    assert stock_of(desk) == (D(5), D(2))


def test_cancel_releases_what_was_reserved_even_if_the_product_stopped_tracking(company, rep):
    desk = ProductFactory(company=company, stock=D(4))
    shared = share_quote(rep, products=[desk], quantities=[3])
    accept_shared(shared)
    type(desk).objects.filter(pk=desk.pk).update(tracks_stock=False)
    delivery_note_cancel(note=note_of(shared), user=rep)
    assert stock_of(desk) == (D(4), D(0))
