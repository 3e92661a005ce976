"""Delivery note pages and the stock they show: reserved and backordered quantities, the
cancel step, roles, and tenancy on every URL (SECURITY.md 22-23)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.factories import DEFAULT_PASSWORD, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import DeliveryNote, DeliveryNoteState
from quotery.quotes.tests.delivery_fixtures import note_of, stock_of

pytestmark = pytest.mark.django_db

D = Decimal
EDITOR_ROLES = ["rep", "manager", "admin_user"]
ALL_ROLES = [*EDITOR_ROLES, "finance"]


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's visible text, tags dropped and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def accepted(company, rep):
    """A rep's accepted quote: 5 desks wanted, 2 on hand; 1 chair wanted, 4 on hand; a
    service line without stock."""
    desk = ProductFactory(company=company, sku="DESK-120", name="Desk", stock=D(2))
    chair = ProductFactory(company=company, sku="CHAIR-9", name="Chair", stock=D(4))
    install = ProductFactory(company=company, sku="INSTALL", tracks_stock=False)
    shared = share_quote(
        rep, products=[desk, chair, install], quantities=[5, 1, 1], title="Desks for Anna"
    )
    accept_shared(shared)
    return {"shared": shared, "note": note_of(shared), "desk": desk, "chair": chair}


@pytest.fixture
def foreign(other_company):
    """Another company's accepted quote with a reserved product."""
    foreign_rep = member(other_company, Role.REP)
    product = ProductFactory(company=other_company, sku="FOREIGN-SKU", stock=D(3))
    shared = share_quote(
        foreign_rep, products=[product], quantities=[2], title="Foreign secret deal"
    )
    accept_shared(shared)
    return {"note": note_of(shared), "product": product}


# -- the delivery note page ------------------------------------------------------------------


def test_the_page_shows_lines_reserved_and_backordered_quantities(login, rep, accepted):
    response = login(rep).get(reverse("quotes:delivery_note", args=[accepted["note"].pk]))
    assert response.status_code == 200
    page = text(response)
    note, quote = accepted["note"], accepted["shared"].quote
    assert f"Delivery note {note.number} Draft" in page
    assert f"From quote {quote.number} · Desks for Anna" in page
    assert reverse("quotes:detail", args=[quote.pk]) in response.content.decode()
    assert "3 units backordered: not enough stock when the quote was accepted." in page
    # SKU, description, quantity, reserved, backordered per line; then totals
    assert "DESK-120 Item 1.1 5 2 3" in page
    assert "CHAIR-9 Item 1.2 1 1 0" in page
    assert "INSTALL Item 1.3 1 0 0" in page
    assert "Total 3 3" in page
    assert "Cancel delivery note" in page


def test_a_fully_reserved_note_says_so_and_mentions_no_backorder(login, company, rep):
    desk = ProductFactory(company=company, stock=D(9))
    shared = share_quote(rep, products=[desk], quantities=[1])
    accept_shared(shared)
    page = text(login(rep).get(reverse("quotes:delivery_note", args=[note_of(shared).pk])))
    assert "backordered:" not in page
    assert "Everything on this note that is kept in stock is reserved." in page


def test_one_backordered_unit_reads_in_the_singular(login, company, rep):
    desk = ProductFactory(company=company, stock=D(1))
    shared = share_quote(rep, products=[desk], quantities=[2])
    accept_shared(shared)
    page = text(login(rep).get(reverse("quotes:delivery_note", args=[note_of(shared).pk])))
    assert "1 unit backordered: not enough stock when the quote was accepted." in page


def test_the_list_shows_state_and_backorder_flag(login, company, rep, accepted):
    chair = accepted["chair"]
    full = share_quote(
        rep, products=[chair], quantities=[1], email="bo@client.test", title="Chairs"
    )
    accept_shared(full, email="bo@client.test")
    page = text(login(rep).get(reverse("quotes:delivery_notes")))
    backordered, reserved = accepted["note"], note_of(full)
    assert re.search(
        rf"{backordered.number} {accepted['shared'].quote.number} .*? Draft Backordered", page
    )
    assert re.search(rf"{reserved.number} {full.quote.number} .*? Draft None", page)


# -- cancelling ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_an_editor_cancels_a_draft_note_and_the_stock_comes_back(login, request, accepted, who):
    user = request.getfixturevalue(who)
    note = accepted["note"]
    client = login(user)
    response = client.post(reverse("quotes:delivery_note_cancel", args=[note.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("quotes:delivery_note", args=[note.pk])
    page = text(response)
    assert f"Delivery note {note.number} cancelled. Its reserved stock is available again." in page
    assert f"Delivery note {note.number} Cancelled" in page
    assert f"Cancelled by {user.full_name}" in page
    assert "Cancel delivery note" not in page
    assert stock_of(accepted["desk"]) == (D(2), D(0))
    assert stock_of(accepted["chair"]) == (D(4), D(0))
    note.refresh_from_db()
    assert (note.state, note.cancelled_by) == (DeliveryNoteState.CANCELLED, user)


def test_a_second_cancel_is_refused_with_a_clear_message_and_releases_nothing(login, rep, accepted):
    note = accepted["note"]
    client = login(rep)
    url = reverse("quotes:delivery_note_cancel", args=[note.pk])
    client.post(url)
    # the chair is reserved again by another quote; a second release would free it wrongly
    other = share_quote(rep, products=[accepted["chair"]], quantities=[3], email="bo@client.test")
    accept_shared(other, email="bo@client.test")
    response = client.post(url)
    assert response.status_code == 409
    assert f"Delivery note {note.number} is already cancelled" in text(response)
    assert stock_of(accepted["chair"]) == (D(4), D(3))
    assert stock_of(accepted["desk"]) == (D(2), D(0))


def test_get_on_the_cancel_url_changes_nothing(login, rep, accepted):
    client = login(rep)
    url = reverse("quotes:delivery_note_cancel", args=[accepted["note"].pk])
    assert client.get(url).status_code == 405
    assert client.head(url).status_code == 405
    assert note_of(accepted["shared"]).state == DeliveryNoteState.DRAFT
    assert stock_of(accepted["desk"]) == (D(2), D(2))


def test_finance_reads_the_note_but_cannot_cancel_it(login, finance, accepted):
    note = accepted["note"]
    client = login(finance)
    page = text(client.get(reverse("quotes:delivery_note", args=[note.pk])))
    assert note.number in page
    assert "Cancel delivery note" not in page
    response = client.post(reverse("quotes:delivery_note_cancel", args=[note.pk]))
    assert response.status_code == 404
    assert note_of(accepted["shared"]).state == DeliveryNoteState.DRAFT
    assert stock_of(accepted["desk"]) == (D(2), D(2))


def test_a_colleague_rep_can_neither_open_nor_cancel_another_reps_note(login, company, accepted):
    colleague = member(company, Role.REP)
    note = accepted["note"]
    client = login(colleague)
    assert client.get(reverse("quotes:delivery_note", args=[note.pk])).status_code == 404
    assert client.post(reverse("quotes:delivery_note_cancel", args=[note.pk])).status_code == 404
    assert note.number not in text(client.get(reverse("quotes:delivery_notes")))
    assert note_of(accepted["shared"]).state == DeliveryNoteState.DRAFT
    assert stock_of(accepted["desk"]) == (D(2), D(2))


def test_security_22_cancel_without_csrf_token_is_refused(rep, accepted):
    browser = HttpClient(enforce_csrf_checks=True)
    assert browser.login(request=HttpRequest(), email=rep.email, password=DEFAULT_PASSWORD)
    response = browser.post(reverse("quotes:delivery_note_cancel", args=[accepted["note"].pk]))
    assert response.status_code == 403
    assert note_of(accepted["shared"]).state == DeliveryNoteState.DRAFT
    assert stock_of(accepted["desk"]) == (D(2), D(2))


# -- tenancy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALL_ROLES)
def test_security_23_delivery_note_pages_hide_a_foreign_accepted_note(login, request, foreign, who):
    client = login(request.getfixturevalue(who))
    note = foreign["note"]
    response = client.get(reverse("quotes:delivery_note", args=[note.pk]))
    assert response.status_code == 404
    assert note.number.encode() not in response.content
    listing = client.get(reverse("quotes:delivery_notes"))
    assert b"Foreign secret deal" not in listing.content
    assert reverse("quotes:delivery_note", args=[note.pk]).encode() not in listing.content


@pytest.mark.parametrize("who", ALL_ROLES)
def test_security_23_cancel_of_a_foreign_note_is_404_and_releases_nothing(
    login, request, foreign, who
):
    client = login(request.getfixturevalue(who))
    response = client.post(reverse("quotes:delivery_note_cancel", args=[foreign["note"].pk]))
    assert response.status_code == 404
    assert DeliveryNote.objects.get(pk=foreign["note"].pk).state == DeliveryNoteState.DRAFT
    assert stock_of(foreign["product"]) == (D(3), D(2))


@pytest.mark.parametrize("who", ALL_ROLES)
def test_security_23_foreign_product_page_and_its_reservations_stay_hidden(
    login, request, foreign, who
):
    client = login(request.getfixturevalue(who))
    response = client.get(reverse("catalog:detail", args=[foreign["product"].pk]))
    assert response.status_code == 404
    assert b"FOREIGN-SKU" not in response.content
    assert foreign["note"].number.encode() not in response.content


# -- stock on the product pages --------------------------------------------------------------


def test_product_page_shows_stock_and_the_notes_holding_it(login, rep, accepted):
    desk, note = accepted["desk"], accepted["note"]
    response = login(rep).get(reverse("catalog:detail", args=[desk.pk]))
    page = text(response)
    assert "On hand 2 Reserved for accepted quotes 2 Available 0" in page
    quote_number = accepted["shared"].quote.number
    held = f"{note.number} (quote {quote_number}): 2 reserved, 3 backordered"
    assert f"Reserved on delivery notes {held}" in page
    assert reverse("quotes:delivery_note", args=[note.pk]) in response.content.decode()


def test_product_page_after_a_cancel_shows_the_stock_available_again(login, rep, accepted):
    client = login(rep)
    client.post(reverse("quotes:delivery_note_cancel", args=[accepted["note"].pk]))
    page = text(client.get(reverse("catalog:detail", args=[accepted["desk"].pk])))
    assert "On hand 2 Reserved for accepted quotes 0 Available 2" in page
    assert "No draft delivery note holds this product." in page


def test_product_page_lists_only_notes_the_member_may_open(login, company, accepted):
    colleague = member(company, Role.REP)
    page = text(login(colleague).get(reverse("catalog:detail", args=[accepted["desk"].pk])))
    assert "Reserved for accepted quotes 2" in page
    assert accepted["note"].number not in page
    assert "No draft delivery note you can open holds this product." in page


def test_product_list_shows_on_hand_reserved_and_available(login, rep, accepted):
    page = text(login(rep).get(reverse("catalog:list")))
    assert re.search(r"DESK-120 Desk .*? 2 2 0 ", page)
    assert re.search(r"CHAIR-9 Chair .*? 4 1 3 ", page)
