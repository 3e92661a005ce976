"""The delivery note PDF (quotery.documents.delivery_notes) and its staff download: the
note's number, quote, client, address and quantities, no prices, a receipt block; hostile
text printed literally (SECURITY.md 21); another company's note is a 404 (SECURITY.md 23)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.catalog.factories import ProductFactory
from quotery.clients.factories import ClientFactory
from quotery.documents.delivery_notes import delivery_note_pdf, delivery_note_pdf_filename
from quotery.documents.tests.test_services import HOSTILE
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import DeliveryNote
from quotery.quotes.services.delivery_notes import delivery_note_create_for_quote
from quotery.quotes.services.quotes import quote_create
from quotery.quotes.services.shipping import delivery_note_ship
from quotery.quotes.tests.conftest import issue_today
from quotery.quotes.tests.delivery_fixtures import note_of

pytestmark = pytest.mark.django_db

D = Decimal


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def note(company: Company, rep: User) -> DeliveryNote:
    """5 desks wanted with 2 on hand, 1 chair of 4, one shipped; a service line."""
    desk = ProductFactory(company=company, sku="DESK-120", stock=D(2), unit_price=D("777.77"))
    chair = ProductFactory(company=company, sku="CHAIR-9", stock=D(4))
    install = ProductFactory(company=company, sku="INSTALL", tracks_stock=False)
    shared = share_quote(
        rep, products=[desk, chair, install], quantities=[5, 1, 1], title="Desks for Anna"
    )
    accept_shared(shared)
    note = note_of(shared)
    chair_line = note.lines.get(sku="CHAIR-9")
    delivery_note_ship(note=note, quantities={chair_line.pk: D(1)}, user=rep)
    return note


def pdf_of(note: DeliveryNote) -> bytes:
    note = DeliveryNote.objects.select_related("company", "quote__client").get(pk=note.pk)
    return delivery_note_pdf(note=note, lines=list(note.lines.order_by("position")))


def test_the_pdf_has_the_number_quote_client_and_each_lines_quantities(note: DeliveryNote):
    text = flat(pdf_text(pdf_of(note)))
    quote = note.quote
    assert "DELIVERY NOTE" in text
    assert note.number in text
    assert f"{quote.number} · Desks for Anna" in text
    assert quote.client.name in text
    assert "Ordered Shipped Backordered To ship" in text
    # ordered, shipped, backordered, still to ship
    assert "DESK-120 5 0 3 2" in text
    assert "CHAIR-9 1 1 0 0" in text
    assert "INSTALL 1 0 0 1" in text
    assert "Partially shipped" in text
    assert "Received in good order by" in text
    assert "Name Signature Date" in text
    # no prices on a delivery note
    assert "777" not in text
    assert "€" not in text


def test_the_pdf_prints_the_clients_address(company: Company, rep: User):
    client = ClientFactory(company=company, name="Globex", address="Hauptstr. 1\n10115 Berlin")
    note = hostile_note(company, rep, client=client, descriptions=["Desk"])
    text = pdf_text(pdf_of(note))
    assert "Hauptstr. 1\n10115 Berlin" in text


def hostile_note(  # type: ignore[no-untyped-def]
    company: Company, rep: User, *, client, descriptions: list[str]
) -> DeliveryNote:
    data = QuoteInput(
        client=client,
        contact=None,
        title='Offer #panic("title")',
        currency="EUR",
        issue_date=issue_today(),
        valid_until=issue_today(),
        sections=[
            SectionInput(
                title="Goods",
                lines=[LineInput(text, D(1), D(10)) for text in descriptions],
            )
        ],
    )
    quote = quote_create(company=company, owner=rep, data=data)
    with transaction.atomic():
        return delivery_note_create_for_quote(quote=quote)


def test_security_21_hostile_text_is_printed_literally_in_the_delivery_note_pdf(
    company: Company, rep: User
):
    # given a note whose client, address, title and lines hold Typst markup, code and HTML
    client = ClientFactory(
        company=company, name='ACME #panic("client") *Ltd*', address='$x$ #panic("addr")'
    )
    note = hostile_note(company, rep, client=client, descriptions=HOSTILE)
    # when its PDF is made, it renders and every piece of text appears exactly as typed
    text = pdf_text(pdf_of(note))
    for hostile in HOSTILE:
        assert text.count(hostile) == 1
    assert 'ACME #panic("client") *Ltd*' in text
    assert '$x$ #panic("addr")' in text
    assert 'Offer #panic("title")' in text


def test_the_download_name_is_the_number():
    assert delivery_note_pdf_filename(DeliveryNote(number="DN-2026-0007")) == "DN-2026-0007.pdf"
    assert delivery_note_pdf_filename(DeliveryNote(number='"; x')) == "x.pdf"


# -- the download ------------------------------------------------------------------------------


def pdf_url(note: DeliveryNote) -> str:
    return reverse("documents:delivery_note_pdf", args=[note.pk])


@pytest.mark.parametrize("who", ["rep", "manager", "admin_user", "finance"])
def test_staff_who_see_the_note_download_its_pdf(login, request, note: DeliveryNote, who: str):
    response = login(request.getfixturevalue(who)).get(pdf_url(note))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{note.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    assert note.number in pdf_text(response.content)


def test_security_23_another_companys_note_pdf_is_a_404(login, other_company, note):
    outsider = member(other_company, Role.ADMIN)
    response = login(outsider).get(pdf_url(note))
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    missing = login(outsider).get(reverse("documents:delivery_note_pdf", args=[999999]))
    assert missing.status_code == 404


def test_another_rep_gets_a_404_and_a_visitor_is_sent_to_log_in(login, company, note):
    assert login(member(company, Role.REP)).get(pdf_url(note)).status_code == 404
    response = HttpClient().get(pdf_url(note))
    assert response.status_code == 302
    assert "login" in response["Location"]
