"""Reading a company's webhook endpoints and their delivery logs. Every read is scoped to the
company; another company's id is NotFound (a 404), as SECURITY.md 23 asks."""

from __future__ import annotations

from django.db.models import QuerySet

from quotery.accounts.models import Company
from quotery.core.exceptions import NotFound
from quotery.webhooks.models import WebhookDelivery, WebhookEndpoint

DELIVERY_LOG_LENGTH = 50


def webhook_endpoints_for_company(*, company: Company) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(company=company).order_by("created_at", "pk")


def webhook_endpoint_get(*, company: Company, pk: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(company=company, pk=pk).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def webhook_delivery_log(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """Every delivery of the endpoint with its event, for paging (newest first by
    `-created_at`, `-id`)."""
    return WebhookDelivery.objects.filter(
        company_id=endpoint.company_id, endpoint=endpoint
    ).select_related("event")


def webhook_deliveries_for_endpoint(
    *, endpoint: WebhookEndpoint, limit: int = DELIVERY_LOG_LENGTH
) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, with their events."""
    return list(
        WebhookDelivery.objects.filter(company_id=endpoint.company_id, endpoint=endpoint)
        .select_related("event")
        .order_by("-created_at", "-pk")[:limit]
    )


def webhook_delivery_get(*, company: Company, endpoint_pk: int, pk: int) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.filter(company=company, endpoint_id=endpoint_pk, pk=pk)
        .select_related("endpoint", "event")
        .first()
    )
    if delivery is None:
        raise NotFound("No such delivery.")
    return delivery
