"""/api/v1/quotes: list, read, create and edit quotes; share, re-share and revoke links;
the engagement timeline, the acceptance with its sealed PDF, and the payment status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from quotery.api import representations as shown
from quotery.api import selectors
from quotery.api.conventions import key_holder
from quotery.api.endpoints.responses import json_answer, reads, writes
from quotery.api.inputs import quote_input, quote_owner
from quotery.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from quotery.api.schemas import (
    AcceptanceOut,
    EventPage,
    Id,
    Line,
    PaymentIn,
    PaymentOut,
    QuoteCreate,
    QuoteDetail,
    QuoteIn,
    QuotePage,
    QuoteStatus,
    ShareIn,
    ShareOut,
)
from quotery.billing.services import payment_status_set
from quotery.documents.acceptance import accepted_pdf
from quotery.portal.services.sharing import share_revoke, share_send
from quotery.quotes.models import Quote
from quotery.quotes.selectors import quote_detail
from quotery.quotes.services.quotes import quote_create, quote_update

router = Router(tags=["Quotes"])


class QuoteFilters(Schema):
    status: QuoteStatus | None = None
    client: Id | None = Field(None, description="Only this client's quotes.")
    owner: Id | None = Field(None, description="Only quotes this user owns.")
    updated_since: dt.datetime | None = Field(
        None, description="Only quotes changed at or after this time (ISO 8601 with offset)."
    )
    cursor: Line | None = Field(None, max_length=200)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PageQuery(Schema):
    cursor: Line | None = Field(None, max_length=200)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _detail(request: HttpRequest, pk: int, *, for_edit: bool = False) -> Quote:
    return quote_detail(membership=key_holder(request).membership, pk=pk, for_edit=for_edit)


def _shown_detail(quote: Quote) -> dict[str, Any]:
    return shown.quote_detail(
        quote,
        payment_status=selectors.quote_payment_status(quote),
        accepted=selectors.quote_is_accepted(quote),
    )


@router.get("", response=reads({200: QuotePage}), summary="List quotes")
def list_quotes(request: HttpRequest, filters: Query[QuoteFilters]) -> HttpResponse:
    """Newest first, 50 a page (`limit` up to 200); follow `next_cursor` for the next page."""
    if filters.updated_since is not None and filters.updated_since.tzinfo is None:
        filters.updated_since = filters.updated_since.replace(tzinfo=dt.UTC)
    page = selectors.quote_summary_page(
        company_id=key_holder(request).key.company_id,
        status=filters.status,
        client_id=filters.client,
        owner_id=filters.owner,
        updated_since=filters.updated_since,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    items = [shown.quote_summary(q) for q in page.items]
    return json_answer({"items": items, "next_cursor": page.next_cursor})


@router.post("", response=writes({201: QuoteDetail}), summary="Create a draft quote")
def create_quote(request: HttpRequest, body: QuoteCreate) -> Status[dict[str, Any]]:
    holder = key_holder(request)
    owner = quote_owner(company=holder.company, body=body, default=holder.user)
    quote = quote_create(
        company=holder.company, owner=owner, data=quote_input(company=holder.company, body=body)
    )
    return Status(201, _shown_detail(_detail(request, quote.pk)))


@router.get(
    "/{id}", response=reads({200: QuoteDetail}), summary="A quote with its sections and lines"
)
def get_quote(request: HttpRequest, id: Id) -> dict[str, Any]:
    return _shown_detail(_detail(request, id))


@router.put(
    "/{id}",
    response=writes({200: QuoteDetail}),
    summary="Replace a quote's content while it is editable",
)
def update_quote(request: HttpRequest, id: Id, body: QuoteIn) -> dict[str, Any]:
    """Refused (409) once accepted, closed, declined or cancelled. A quote already shared
    gets a new revision, which its links show from then on."""
    holder = key_holder(request)
    quote = _detail(request, id, for_edit=True)
    quote_update(quote=quote, data=quote_input(company=holder.company, body=body), user=holder.user)
    return _shown_detail(_detail(request, id))


@router.get("/{id}/events", response=reads({200: EventPage}), summary="The engagement timeline")
def list_events(request: HttpRequest, id: Id, page: Query[PageQuery]) -> dict[str, Any]:
    """Every event of the quote's tamper-evident log, oldest first: shares, opens, counted
    views, downloads, messages, answers, payment changes."""
    quote = _detail(request, id)
    rows = keyset_page(
        selectors.events_for_quote(quote), order=("sequence",), cursor=page.cursor, limit=page.limit
    )
    return {"items": [shown.event(e) for e in rows.items], "next_cursor": rows.next_cursor}


@router.get("/{id}/share", response=reads({200: list[ShareOut]}), summary="The quote's links")
def list_shares(request: HttpRequest, id: Id) -> list[dict[str, Any]]:
    quote = _detail(request, id)
    return [shown.share(share) for share in selectors.shares_of_quote(quote)]


@router.post("/{id}/share", response=writes({200: ShareOut}), summary="Share (or share again)")
def share_quote(request: HttpRequest, id: Id, body: ShareIn) -> dict[str, Any]:
    """Emails the recipient the quote's link: one link per (quote, email), the same on every
    later share; a revoked recipient gets a new one. The quote becomes sent."""
    holder = key_holder(request)
    quote = _detail(request, id, for_edit=True)
    share = share_send(
        quote=quote,
        user=holder.user,
        recipient_name=body.recipient_name,
        recipient_email=body.recipient_email,
        message=body.message,
    )
    return shown.share(share)


@router.post(
    "/{id}/share/{share_id}/resend",
    response=writes({200: ShareOut}),
    summary="Send a link again",
)
def resend_share(request: HttpRequest, id: Id, share_id: Id) -> dict[str, Any]:
    holder = key_holder(request)
    quote = _detail(request, id, for_edit=True)
    previous = selectors.share_of_quote(quote, share_id)
    share = share_send(
        quote=quote,
        user=holder.user,
        recipient_name=previous.recipient_name,
        recipient_email=previous.recipient_email,
    )
    return shown.share(share)


@router.post(
    "/{id}/share/{share_id}/revoke", response=writes({200: ShareOut}), summary="Revoke a link"
)
def revoke_share(request: HttpRequest, id: Id, share_id: Id) -> dict[str, Any]:
    """The link stops opening the quote at once; revoking twice changes nothing."""
    holder = key_holder(request)
    quote = _detail(request, id, for_edit=True)
    share = share_revoke(share=selectors.share_of_quote(quote, share_id), user=holder.user)
    return shown.share(share)


@router.get(
    "/{id}/acceptance",
    response=reads({200: AcceptanceOut}),
    summary="The client's acceptance and its evidence",
)
def get_acceptance(request: HttpRequest, id: Id) -> dict[str, Any]:
    return shown.acceptance(selectors.acceptance_of_quote(_detail(request, id)))


@router.get(
    "/{id}/acceptance/pdf",
    response=reads({200: None}),
    summary="The sealed accepted PDF",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The PDF the client received, byte for byte.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_acceptance_pdf(request: HttpRequest, id: Id) -> HttpResponse:
    quote = _detail(request, id)
    pdf = accepted_pdf(acceptance=selectors.acceptance_of_quote(quote))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.number}-accepted.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/{id}/payment", response=reads({200: PaymentOut}), summary="The payment status")
def get_payment(request: HttpRequest, id: Id) -> dict[str, Any]:
    return shown.payment(selectors.payment_of_quote(_detail(request, id)))


@router.put("/{id}/payment", response=writes({200: PaymentOut}), summary="Set the payment status")
def set_payment(request: HttpRequest, id: Id, body: PaymentIn) -> dict[str, Any]:
    """Finance rules: the key's creator must be finance or an admin; paid is final and
    closes the quote."""
    payment = selectors.payment_of_quote(_detail(request, id))
    done = payment_status_set(payment=payment, status=body.status, user=key_holder(request).user)
    return shown.payment(done)
