"""The shipping form on the delivery note page, and the delivery status the quote shows:
roles, tenancy (SECURITY.md 23), bad input with a clear message that changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockMovement
from quotery.clients.factories import ClientFactory
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import DeliveryNote, DeliveryNoteState
from quotery.quotes.services.delivery_notes import delivery_note_create_for_quote
from quotery.quotes.services.quotes import quote_create
from quotery.quotes.tests.conftest import issue_today
from quotery.quotes.tests.delivery_fixtures import note_of, stock_of
from quotery.quotes.tests.test_views_delivery_notes import text

pytestmark = pytest.mark.django_db

D = Decimal
EDITOR_ROLES = ["rep", "manager", "admin_user"]


@pytest.fixture
def accepted(company, rep):
    """5 desks wanted with 2 on hand (3 backordered), 3 chairs of 10, a service line."""
    desk = ProductFactory(company=company, sku="DESK-120", name="Desk", stock=D(2))
    chair = ProductFactory(company=company, sku="CHAIR-9", name="Chair", stock=D(10))
    install = ProductFactory(company=company, sku="INSTALL", tracks_stock=False)
    shared = share_quote(
        rep, products=[desk, chair, install], quantities=[5, 3, 1], title="Desks for Anna"
    )
    accept_shared(shared)
    note = note_of(shared)
    lines = {line.sku: line for line in note.lines.all()}
    return {"shared": shared, "note": note, "lines": lines, "desk": desk, "chair": chair}


def local_day(note: DeliveryNote) -> str:
    """The latest shipment's day as the company reads it (its time zone is active)."""
    assert note.last_shipped_at is not None
    return f"{note.last_shipped_at.astimezone(note.company.zone):%-d %b %Y}"


def ship_url(note: DeliveryNote) -> str:
    return reverse("quotes:delivery_note_ship", args=[note.pk])


def form(lines, **quantities: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The form's fields: ship-<line id> per SKU given (DESK, CHAIR, INSTALL)."""
    skus = {"DESK": "DESK-120", "CHAIR": "CHAIR-9", "INSTALL": "INSTALL"}
    return {f"ship-{lines[skus[key]].pk}": value for key, value in quantities.items()}


def test_the_form_offers_what_is_left_to_ship_per_line(login, rep, accepted):
    page = login(rep).get(reverse("quotes:delivery_note", args=[accepted["note"].pk]))
    html = page.content.decode()
    lines = accepted["lines"]
    assert f'name="ship-{lines["DESK-120"].pk}" id="ship-{lines["DESK-120"].pk}" value="2"' in html
    assert f'name="ship-{lines["CHAIR-9"].pk}" id="ship-{lines["CHAIR-9"].pk}" value="3"' in html
    assert f'name="ship-{lines["INSTALL"].pk}" id="ship-{lines["INSTALL"].pk}" value="1"' in html
    assert "Record shipment" in text(page)
    assert "Download PDF" in text(page)


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_an_editor_ships_part_then_the_rest(login, request, accepted, who):
    user = request.getfixturevalue(who)
    note, lines = accepted["note"], accepted["lines"]
    client = login(user)
    # when 1 chair ships
    response = client.post(
        ship_url(note), form(lines, DESK="", CHAIR="1", INSTALL="0"), follow=True
    )
    page = text(response)
    assert "Shipment recorded: delivery note" in page
    assert f"Delivery note {note.number} Partially shipped" in page
    assert "Partially shipped: 1 unit shipped, the latest shipment on" in page
    assert stock_of(accepted["chair"]) == (D(9), D(2))
    # then the form offers the rest, and shipping it leaves only the backorder
    response = client.post(
        ship_url(note), form(lines, DESK="2", CHAIR="2", INSTALL="1"), follow=True
    )
    page = text(response)
    assert "3 backordered units cannot ship from this note" in page
    assert "DESK-120 Item 1.1 5 0 3 2" in page
    assert "Record shipment" not in page
    assert stock_of(accepted["desk"]) == (D(0), D(0))
    assert stock_of(accepted["chair"]) == (D(7), D(0))
    assert DeliveryNote.objects.get(pk=note.pk).state == DeliveryNoteState.PARTIALLY_SHIPPED


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"CHAIR": "-1"}, "A shipped quantity cannot be negative."),
        ({"CHAIR": "4"}, "At most 3 can ship: that is what is left on this line."),
        ({"DESK": "3"}, "At most 2 can ship: 3 are backordered (no stock for them)."),
        ({"CHAIR": "three"}, "Enter a number, like 2 or 0.5."),
        ({"CHAIR": "1e400"}, "Enter a number, like 2 or 0.5."),
        ({"CHAIR": "0.0001"}, "Use at most 3 decimal places."),
        ({"CHAIR": "0", "DESK": "", "INSTALL": "0"}, "Enter a quantity above zero on at least"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(login, rep, accepted, typed, message):
    note, lines = accepted["note"], accepted["lines"]
    fields = form(lines, DESK="1", CHAIR="1", INSTALL="1") | form(lines, **typed)
    response = login(rep).post(ship_url(note), fields)
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was shipped." in page
    assert message in page
    # what was typed stays in its box
    for key, value in typed.items():
        assert value in response.content.decode()
        assert key
    assert stock_of(accepted["desk"]) == (D(2), D(2))
    assert stock_of(accepted["chair"]) == (D(10), D(3))
    assert not StockMovement.objects.filter(delta__lt=0).exists()
    assert DeliveryNote.objects.get(pk=note.pk).state == DeliveryNoteState.DRAFT


def test_a_shipped_note_refuses_another_shipment_with_409(login, company, rep):
    chair = ProductFactory(company=company, sku="CHAIR", stock=D(5))
    shared = share_quote(rep, products=[chair], quantities=[2])
    accept_shared(shared)
    note = note_of(shared)
    line = note.lines.get()
    client = login(rep)
    assert client.post(ship_url(note), {f"ship-{line.pk}": "2"}).status_code == 302
    response = client.post(ship_url(note), {f"ship-{line.pk}": "2"})
    assert response.status_code == 409
    assert "is shipped; nothing is left to ship. Nothing was shipped." in text(response)
    assert stock_of(chair) == (D(3), D(0))


def test_finance_sees_the_note_but_cannot_ship(login, finance, accepted):
    note, lines = accepted["note"], accepted["lines"]
    client = login(finance)
    page = text(client.get(reverse("quotes:delivery_note", args=[note.pk])))
    assert "Record shipment" not in page
    assert "Download PDF" in page
    response = client.post(ship_url(note), form(lines, CHAIR="1"))
    assert response.status_code in (403, 404)
    assert stock_of(accepted["chair"]) == (D(10), D(3))


def test_another_rep_cannot_ship_a_colleagues_note(login, company, accepted):
    colleague = member(company, Role.REP)
    response = login(colleague).post(ship_url(accepted["note"]), form(accepted["lines"], CHAIR="1"))
    assert response.status_code == 404
    assert stock_of(accepted["chair"]) == (D(10), D(3))


def test_security_23_another_companys_note_is_a_404_and_ships_nothing(
    login, other_company, accepted
):
    stranger = member(other_company, Role.ADMIN)
    response = login(stranger).post(ship_url(accepted["note"]), form(accepted["lines"], CHAIR="1"))
    assert response.status_code == 404
    assert stock_of(accepted["chair"]) == (D(10), D(3))


def test_security_22_shipping_needs_a_post(login, rep, accepted):
    response = login(rep).get(ship_url(accepted["note"]))
    assert response.status_code == 405


# -- the delivery status on the quote --------------------------------------------------------


def test_the_quote_page_and_list_show_the_delivery_status(login, rep, accepted):
    note, lines, quote = accepted["note"], accepted["lines"], accepted["shared"].quote
    client = login(rep)
    detail_url = reverse("quotes:detail", args=[quote.pk])
    assert f"Delivery notes {note.number} · Not shipped" in text(client.get(detail_url))
    assert "Not shipped" in text(client.get(reverse("quotes:list")))
    client.post(ship_url(note), form(lines, CHAIR="1"))
    note.refresh_from_db()
    day = local_day(note)
    assert f"{note.number} · Partially shipped · last {day}" in text(client.get(detail_url))
    assert f"Partially shipped · last {day}" in text(client.get(reverse("quotes:list")))


def test_a_whole_shipment_reads_shipped_with_its_date(login, company, rep):
    chair = ProductFactory(company=company, sku="CHAIR", stock=D(5))
    shared = share_quote(rep, products=[chair], quantities=[2])
    accept_shared(shared)
    note = note_of(shared)
    client = login(rep)
    client.post(ship_url(note), {f"ship-{note.lines.get().pk}": "2"})
    note.refresh_from_db()
    day = local_day(note)
    page = text(client.get(reverse("quotes:detail", args=[shared.quote.pk])))
    assert f"{note.number} · Shipped · {day}" in page
    assert f"Shipped · {day}" in text(client.get(reverse("quotes:list")))


def test_security_21_line_text_is_escaped_in_the_ship_form(login, company, rep):
    hostile = '"><script>alert("x")</script>'
    data = QuoteInput(
        client=ClientFactory(company=company),
        contact=None,
        title="Hostile",
        currency="EUR",
        issue_date=issue_today(),
        valid_until=issue_today(),
        sections=[SectionInput(title="Goods", lines=[LineInput(hostile, D(1), D(10))])],
    )
    quote = quote_create(company=company, owner=rep, data=data)
    with transaction.atomic():
        note = delivery_note_create_for_quote(quote=quote)
    html = login(rep).get(reverse("quotes:delivery_note", args=[note.pk])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
