"""/api/v1/clients: the company's clients and their contacts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from quotery.api import representations as shown
from quotery.api import selectors
from quotery.api.conventions import key_holder
from quotery.api.endpoints.responses import reads, writes
from quotery.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from quotery.api.schemas import (
    ClientDetail,
    ClientIn,
    ClientPage,
    ContactIn,
    ContactOut,
    Id,
    Line,
)
from quotery.clients.models import Client
from quotery.clients.selectors import client_contacts, client_detail, contact_detail
from quotery.clients.services import client_create, client_update, contact_create, contact_update

router = Router(tags=["Clients"])


class ClientFilters(Schema):
    search: Line = Field("", max_length=200, description="Name, VAT number, contact name or email.")
    cursor: Line | None = Field(None, max_length=400)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _client(request: HttpRequest, pk: int) -> Client:
    return client_detail(company=key_holder(request).company, pk=pk)


def _shown(client: Client) -> dict[str, Any]:
    contacts = [shown.contact(c) for c in client_contacts(client=client)]
    return shown.client(client) | {"contacts": contacts}


@router.get("", response=reads({200: ClientPage}), summary="List clients")
def list_clients(request: HttpRequest, filters: Query[ClientFilters]) -> dict[str, Any]:
    """By name; follow `next_cursor` for the next page."""
    rows = selectors.clients_for_api(company=key_holder(request).company, search=filters.search)
    page = keyset_page(rows, order=("name", "id"), cursor=filters.cursor, limit=filters.limit)
    return {"items": [shown.client(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post("", response=writes({201: ClientDetail}), summary="Create a client")
def create_client(request: HttpRequest, body: ClientIn) -> Status[dict[str, Any]]:
    client = client_create(
        company=key_holder(request).company,
        name=body.name,
        address=body.address,
        vat_number=body.vat_number,
    )
    return Status(201, _shown(client))


@router.get("/{id}", response=reads({200: ClientDetail}), summary="A client with its contacts")
def get_client(request: HttpRequest, id: Id) -> dict[str, Any]:
    return _shown(_client(request, id))


@router.put("/{id}", response=writes({200: ClientDetail}), summary="Edit a client")
def update_client(request: HttpRequest, id: Id, body: ClientIn) -> dict[str, Any]:
    client = client_update(
        client=_client(request, id),
        name=body.name,
        address=body.address,
        vat_number=body.vat_number,
    )
    return _shown(client)


@router.post("/{id}/contacts", response=writes({201: ContactOut}), summary="Add a contact")
def create_contact(request: HttpRequest, id: Id, body: ContactIn) -> Status[dict[str, Any]]:
    contact = contact_create(
        client=_client(request, id), name=body.name, email=body.email, phone=body.phone
    )
    return Status(201, shown.contact(contact))


@router.put(
    "/{id}/contacts/{contact_id}", response=writes({200: ContactOut}), summary="Edit a contact"
)
def update_contact(request: HttpRequest, id: Id, contact_id: Id, body: ContactIn) -> dict[str, Any]:
    contact = contact_detail(client=_client(request, id), pk=contact_id)
    done = contact_update(contact=contact, name=body.name, email=body.email, phone=body.phone)
    return shown.contact(done)
