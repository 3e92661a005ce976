"""/api/v1/clients, /products and /delivery-notes."""

from __future__ import annotations

import pytest

from quotery.api.tests.conftest import ApiClient
from quotery.api.tests.world import build_world
from quotery.clients.models import Client, Contact

pytestmark = pytest.mark.django_db


def test_clients_and_contacts(api: ApiClient) -> None:
    made = api.post("/api/v1/clients", {"name": "Acme GmbH", "vat_number": "DE123"})
    assert made.status_code == 201, made.content
    client_id = made.json()["id"]
    contact = api.post(
        f"/api/v1/clients/{client_id}/contacts", {"name": "Bo", "email": "BO@acme.test"}
    )
    assert contact.status_code == 201
    assert contact.json()["email"] == "bo@acme.test"
    edited = api.put(
        f"/api/v1/clients/{client_id}/contacts/{contact.json()['id']}",
        {"name": "Bo B", "email": "bo@acme.test", "phone": "+49 30 1234"},
    )
    assert edited.json()["phone"] == "+49 30 1234"
    renamed = api.put(f"/api/v1/clients/{client_id}", {"name": "Acme AG"})
    assert renamed.json()["name"] == "Acme AG"
    assert renamed.json()["contacts"][0]["name"] == "Bo B"
    listed = api.get("/api/v1/clients", {"search": "acme"}).json()["items"]
    assert [c["id"] for c in listed] == [client_id]


def test_a_bad_contact_is_refused_and_not_written(api: ApiClient) -> None:
    client_id = api.post("/api/v1/clients", {"name": "Acme"}).json()["id"]
    answer = api.post(f"/api/v1/clients/{client_id}/contacts", {"name": "Bo", "email": "nope"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "#/email"
    assert not Contact.objects.exists()


def test_control_characters_are_refused_before_the_database(api: ApiClient) -> None:
    answer = api.post("/api/v1/clients", {"name": "Acme\u0000"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "#/name"
    assert not Client.objects.exists()


def test_products_with_stock_and_delivery_notes(api: ApiClient, company) -> None:  # type: ignore[no-untyped-def]
    world = build_world(company)
    products = api.get("/api/v1/products").json()["items"]
    assert [p["sku"] for p in products] == ["DESK-1"]
    # 5 on hand, 2 reserved by the accepted quote's delivery note.
    assert products[0]["stock"] == {"on_hand": "5", "reserved": "2", "available": "3"}
    assert products[0]["unit_price"] == {"amount": "450", "currency": "EUR"}
    one = api.get(f"/api/v1/products/{world.product.pk}").json()
    assert one["stock"]["available"] == "3"
    notes = api.get("/api/v1/delivery-notes").json()["items"]
    assert [n["id"] for n in notes] == [world.note.pk]
    note = api.get(f"/api/v1/delivery-notes/{world.note.pk}").json()
    assert note["quote_id"] == world.quote.pk
    assert [(line["quantity"], line["reserved_quantity"]) for line in note["lines"]] == [
        ("2", "2"),
        ("1", "0"),
    ]
    by_quote = api.get("/api/v1/delivery-notes", {"quote": world.quote.pk}).json()["items"]
    assert len(by_quote) == 1
