"""/api/v1/webhooks: the company's webhook endpoints (Standard Webhooks 1.0), their signing
secrets (shown once, when made), and each endpoint's delivery log with replay. The same
services as Settings -> Webhooks, so the SSRF guard and every check apply alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from quotery.api import representations as shown
from quotery.api.conventions import key_holder
from quotery.api.endpoints.responses import reads, writes
from quotery.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from quotery.api.schemas import (
    Id,
    Line,
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPage,
    WebhookEndpointWithSecret,
)
from quotery.webhooks.models import WebhookEndpoint
from quotery.webhooks.selectors import (
    webhook_delivery_get,
    webhook_delivery_log,
    webhook_endpoint_get,
    webhook_endpoints_for_company,
)
from quotery.webhooks.services.endpoints import (
    EndpointWithSecret,
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_send_test,
    webhook_endpoint_update,
)

router = Router(tags=["Webhooks"])


class PageQuery(Schema):
    cursor: Line | None = Field(None, max_length=200)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    return webhook_endpoint_get(company=key_holder(request).company, pk=pk)


def _page[M: Model](
    rows: QuerySet[M], order: tuple[str, ...], page: PageQuery, show: Callable[[M], Any]
) -> dict[str, Any]:
    found = keyset_page(rows, order=order, cursor=page.cursor, limit=page.limit)
    return {"items": [show(row) for row in found.items], "next_cursor": found.next_cursor}


def _with_secret(made: EndpointWithSecret) -> dict[str, Any]:
    return shown.webhook_endpoint(made.endpoint) | {"secret": made.secret}


@router.get("", response=reads({200: WebhookEndpointPage}), summary="List webhook endpoints")
def list_webhooks(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Oldest first; follow `next_cursor` for the next page. Secrets are never listed."""
    rows = webhook_endpoints_for_company(company=key_holder(request).company)
    return _page(rows, ("created_at", "id"), page, shown.webhook_endpoint)


@router.post(
    "", response=writes({201: WebhookEndpointWithSecret}), summary="Register a webhook endpoint"
)
def create_webhook(request: HttpRequest, body: WebhookEndpointIn) -> Status[dict[str, Any]]:
    """Answers the endpoint with its signing secret (`whsec_...`), this once: verify each
    delivery's `webhook-signature` with it. The URL must be https:// on a public address."""
    holder = key_holder(request)
    made = webhook_endpoint_create(
        company=holder.company,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        user=holder.user,
    )
    return Status(201, _with_secret(made))


@router.get("/{id}", response=reads({200: WebhookEndpointOut}), summary="A webhook endpoint")
def get_webhook(request: HttpRequest, id: Id) -> dict[str, Any]:
    return shown.webhook_endpoint(_endpoint(request, id))


@router.put("/{id}", response=writes({200: WebhookEndpointOut}), summary="Edit a webhook endpoint")
def update_webhook(request: HttpRequest, id: Id, body: WebhookEndpointIn) -> dict[str, Any]:
    """Changes the URL, the events and the description; the secret stays."""
    endpoint = webhook_endpoint_update(
        endpoint=_endpoint(request, id),
        url=body.url,
        event_types=body.event_types,
        description=body.description,
    )
    return shown.webhook_endpoint(endpoint)


@router.delete("/{id}", response=writes({204: None}), summary="Delete a webhook endpoint")
def delete_webhook(request: HttpRequest, id: Id) -> HttpResponse:
    """The endpoint and its delivery log; nothing more is sent to it."""
    webhook_endpoint_delete(endpoint=_endpoint(request, id))
    return HttpResponse(status=204)


@router.post(
    "/{id}/rotate-secret",
    response=writes({200: WebhookEndpointWithSecret}),
    summary="Rotate the signing secret",
)
def rotate_webhook_secret(request: HttpRequest, id: Id) -> dict[str, Any]:
    """Answers the new secret, this once. The old one keeps signing too for 24 hours
    (each delivery carries both signatures), so the receiver can switch without a gap."""
    return _with_secret(webhook_endpoint_rotate_secret(endpoint=_endpoint(request, id)))


@router.post(
    "/{id}/disable", response=writes({200: WebhookEndpointOut}), summary="Stop sending events"
)
def disable_webhook(request: HttpRequest, id: Id) -> dict[str, Any]:
    """Nothing is sent until it is enabled again; waiting deliveries are given up."""
    return shown.webhook_endpoint(webhook_endpoint_disable(endpoint=_endpoint(request, id)))


@router.post(
    "/{id}/enable", response=writes({200: WebhookEndpointOut}), summary="Send events again"
)
def enable_webhook(request: HttpRequest, id: Id) -> dict[str, Any]:
    """From the next event on (also after a 410 Gone disabled it)."""
    return shown.webhook_endpoint(webhook_endpoint_enable(endpoint=_endpoint(request, id)))


@router.get(
    "/{id}/deliveries",
    response=reads({200: WebhookDeliveryPage}),
    summary="The endpoint's delivery log",
)
def list_webhook_deliveries(request: HttpRequest, id: Id, page: Query[PageQuery]) -> dict[str, Any]:
    """Newest first: each event sent (or being sent), its attempts and the last answer."""
    rows = webhook_delivery_log(endpoint=_endpoint(request, id))
    return _page(rows, ("-created_at", "-id"), page, shown.webhook_delivery)


@router.post(
    "/{id}/deliveries/{delivery_id}/replay",
    response=writes({201: WebhookDeliveryOut}),
    summary="Send a delivery again",
)
def replay_webhook_delivery(
    request: HttpRequest, id: Id, delivery_id: Id
) -> Status[dict[str, Any]]:
    """A new delivery of the same event, now, with the same `webhook-id` and body (a
    receiver that already processed it dedupes it). Refused (422) while disabled."""
    delivery = webhook_delivery_get(
        company=key_holder(request).company, endpoint_pk=id, pk=delivery_id
    )
    replay = webhook_delivery_replay(delivery=delivery)
    return Status(201, shown.webhook_delivery(replay))


@router.post(
    "/{id}/test",
    response=writes({201: WebhookDeliveryOut}),
    summary="Send a test event",
)
def send_webhook_test(request: HttpRequest, id: Id) -> Status[dict[str, Any]]:
    """Sends a `webhook.test` event to this endpoint alone, now, signed like any other;
    follow it in the delivery log. Refused (422) while disabled."""
    delivery = webhook_endpoint_send_test(endpoint=_endpoint(request, id))
    return Status(201, shown.webhook_delivery(delivery))
