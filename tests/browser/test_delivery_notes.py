"""After an acceptance the rep finds the delivery note, reads what is reserved and what is
backordered, cancels it, and the product has its stock available again.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.acceptance.quote_accept, django.contrib.auth.views.LoginView,
quotery.quotes.product_views.product_detail, quotery.quotes.views.delivery_note_cancel,
quotery.quotes.views.delivery_note_detail, quotery.quotes.views.delivery_note_list,
quotery.quotes.views.quote_list, quotery.quotes.views.delivery_note_ship,
quotery.quotes.views.quote_detail, quotery.documents.views.delivery_note_pdf_view
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockLevel, StockMovement
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import DeliveryNote, DeliveryNoteState
from tests.browser.tables import cells
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_reads_and_cancels_a_delivery_note_and_the_stock_comes_back(page) -> None:  # type: ignore[no-untyped-def]
    # given a client accepted 5 desks (3 on hand) and an installation (not stocked)
    company = CompanyFactory(name="Northwind")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    desk = ProductFactory(company=company, sku="DESK-120", name="Standing desk", stock=Decimal(3))
    install = ProductFactory(
        company=company, sku="INSTALL", name="Installation", tracks_stock=False
    )
    shared = share_quote(rep, products=[desk, install], quantities=[5, 1], title="Desks for Globex")
    accept_shared(shared)
    note = DeliveryNote.objects.get(quote=shared.quote)

    # when the rep opens the delivery note from the list
    log_in(page, rep.email)
    page.get_by_role("link", name="Delivery notes").click()
    row = page.get_by_role("row").filter(has_text=note.number)
    assert cells(row)[3:5] == ["Draft", "Backordered"]
    row.get_by_role("link", name=note.number).click()

    # then it shows where it came from, what is reserved and what is backordered
    page.get_by_role("heading", name=f"Delivery note {note.number}").wait_for()
    assert page.get_by_role("link", name=f"{shared.quote.number} · Desks for Globex").is_visible()
    assert page.get_by_text(
        "2 units backordered: not enough stock when the quote was accepted."
    ).is_visible()
    desk_row = page.get_by_role("row").filter(has_text="DESK-120").first
    assert cells(desk_row) == ["DESK-120", "Item 1.1", "5", "3", "2", "0"]
    assert cells(page.get_by_role("row").filter(has_text="INSTALL").first) == [
        "INSTALL",
        "Item 1.2",
        "1",
        "0",
        "0",
        "0",
    ]

    # when the rep cancels it, confirming the step
    page.get_by_text("Cancel delivery note").click()
    page.get_by_role("button", name=f"Yes, cancel {note.number}").click()

    # then the note says cancelled and the reservation is gone
    page.get_by_text(
        f"Delivery note {note.number} cancelled. Its reserved stock is available again."
    ).wait_for()
    assert page.get_by_text("Cancelled by Rita Rep").is_visible()
    assert not page.get_by_role("button", name=f"Yes, cancel {note.number}").count()
    assert DeliveryNote.objects.get(pk=note.pk).state == DeliveryNoteState.CANCELLED
    assert StockLevel.objects.get(product=desk).reserved == 0

    # and the product page shows the 3 desks available again
    page.get_by_role("link", name="DESK-120").click()
    page.get_by_role("heading", name="Standing desk").wait_for()
    stock = page.get_by_role("complementary", name="Stock")
    levels = " ".join(stock.locator("dl").inner_text().split())
    assert levels == "On hand 3 Reserved for accepted quotes 0 Available 3"
    assert stock.get_by_text("No draft delivery note holds this product.").is_visible()


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    """No sideways scrolling of the whole page (wide tables scroll inside their wrapper)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("width", [375, 1280])
def test_rep_prints_ships_part_then_the_rest_and_the_quote_shows_it(page, width: int) -> None:  # type: ignore[no-untyped-def]
    # given a client accepted 3 chairs (10 on hand) and an installation (not stocked)
    page.set_viewport_size({"width": width, "height": 900})
    company = CompanyFactory(name="Northwind")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    chair = ProductFactory(company=company, sku="CHAIR-9", name="Chair", stock=Decimal(10))
    install = ProductFactory(
        company=company, sku="INSTALL", name="Installation", tracks_stock=False
    )
    shared = share_quote(rep, products=[chair, install], quantities=[3, 1], title="Chairs")
    accept_shared(shared)
    note = DeliveryNote.objects.get(quote=shared.quote)

    # when the rep opens the note from the quote, which says nothing has shipped yet
    log_in(page, rep.email)
    page.goto(f"/quotes/{shared.quote.pk}/")
    panel = page.locator("#delivery-notes")
    assert " ".join(panel.inner_text().split()) == f"Delivery notes {note.number} · Not shipped"
    panel.get_by_role("link", name=note.number).click()
    page.get_by_role("heading", name=f"Delivery note {note.number}").wait_for()
    assert fits(page)

    # then it prints: a PDF named after the note
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{note.number}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    # when 2 chairs ship now (the boxes offer all that is left) and the installation waits
    assert page.get_by_label("Ship now: CHAIR-9").input_value() == "3"
    page.get_by_label("Ship now: CHAIR-9").fill("2")
    page.get_by_label("Ship now: INSTALL").fill("0")
    page.get_by_role("button", name="Record shipment").click()

    # then the note is partially shipped and the stock moved
    page.get_by_text(f"Shipment recorded: delivery note {note.number} is now partially").wait_for()
    assert page.get_by_text("Partially shipped: 2 units shipped").is_visible()
    assert StockLevel.objects.get(product=chair).on_hand == 8
    assert fits(page)

    # when a typo is sent, the page says what is wrong and nothing ships
    page.get_by_label("Ship now: CHAIR-9").fill("two")
    page.get_by_role("button", name="Record shipment").click()
    page.get_by_text("Enter a number, like 2 or 0.5.").wait_for()
    assert StockMovement.objects.filter(product=chair, delta__lt=0).count() == 1

    # when the rest ships
    page.get_by_label("Ship now: CHAIR-9").fill("1")
    page.get_by_label("Ship now: INSTALL").fill("1")
    page.get_by_role("button", name="Record shipment").click()
    page.get_by_text(f"Shipment recorded: delivery note {note.number} is now shipped").wait_for()
    assert page.get_by_text("Shipped in full: 4 units shipped").is_visible()
    assert not page.get_by_role("button", name="Record shipment").count()

    # then the quote's Delivery notes panel and the quote list say shipped, with the date
    page.get_by_role("link", name=f"{shared.quote.number} · Chairs").click()
    panel = page.locator("#delivery-notes")
    panel.wait_for()
    assert f"{note.number} · Shipped ·" in " ".join(panel.inner_text().split())
    assert panel.locator("time").count() >= 1
    assert fits(page)
    page.goto("/quotes/")
    row = page.get_by_role("row").filter(has_text=shared.quote.number)
    assert "Shipped ·" in " ".join(row.inner_text().split())
    assert fits(page)
