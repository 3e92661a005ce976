"""/api/v1/delivery-notes: the delivery notes acceptances created (read only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from quotery.api import representations as shown
from quotery.api import selectors
from quotery.api.conventions import key_holder
from quotery.api.endpoints.responses import reads
from quotery.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from quotery.api.schemas import DeliveryNoteDetail, DeliveryNotePage, Id, Line
from quotery.quotes.selectors import delivery_note_page

router = Router(tags=["Delivery notes"])


class NoteFilters(Schema):
    quote: Id | None = Field(None, description="Only this quote's notes.")
    cursor: Line | None = Field(None, max_length=400)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get("", response=reads({200: DeliveryNotePage}), summary="List delivery notes")
def list_delivery_notes(request: HttpRequest, filters: Query[NoteFilters]) -> dict[str, Any]:
    rows = selectors.delivery_notes_for_api(
        membership=key_holder(request).membership, quote_id=filters.quote
    )
    page = keyset_page(
        rows, order=("-created_at", "-id"), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [shown.delivery_note(n) for n in page.items], "next_cursor": page.next_cursor}


@router.get("/{id}", response=reads({200: DeliveryNoteDetail}), summary="A delivery note")
def get_delivery_note(request: HttpRequest, id: Id) -> dict[str, Any]:
    detail = delivery_note_page(membership=key_holder(request).membership, pk=id)
    return shown.delivery_note(detail.note) | {
        "lines": [shown.delivery_line(line) for line in detail.lines]
    }
