"""Managing a company's webhook endpoints and replaying deliveries. Every function takes the
objects a selector found for the acting company (`quotery.webhooks.selectors`), checks its
input before writing, and raises ValidationFailed with a sentence per field, writing
nothing, for bad input: the settings pages and the API call the same functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from quotery.accounts.models import Company, User
from quotery.core.exceptions import ValidationFailed
from quotery.core.text import has_control_characters
from quotery.webhooks.event_types import ALL_EVENT_TYPES, TEST_EVENT_TYPE
from quotery.webhooks.models import (
    DESCRIPTION_MAX_LENGTH,
    DeliveryStatus,
    DisabledReason,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from quotery.webhooks.payloads import api_url, body_for
from quotery.webhooks.signing import message_id_new, secret_new
from quotery.webhooks.targets import url_problem
from quotery.webhooks.tasks import deliver_webhook

# After a rotation the old secret signs too, for this long (receivers switch meanwhile).
ROTATION_OVERLAP = dt.timedelta(hours=24)
# A company's endpoints: enough for every system of a sales stack, few enough to send to.
ENDPOINTS_MAX = 20


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its new secret, which is shown this once and never again."""

    endpoint: WebhookEndpoint
    secret: str


def _checked(
    *, url: str, event_types: Iterable[str], description: str
) -> tuple[str, list[str], str]:
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    problem = url_problem(url)
    if problem:
        errors["url"] = [problem]
    wanted = list(dict.fromkeys(event_types))
    unknown = [name for name in wanted if name not in ALL_EVENT_TYPES]
    if unknown:
        errors["event_types"] = [f"Unknown event type: {', '.join(sorted(unknown))[:200]}."]
    elif not wanted:
        errors["event_types"] = ["Choose at least one event to send."]
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [
            f"Keep the description to {DESCRIPTION_MAX_LENGTH} characters "
            f"(it has {len(description)})."
        ]
    elif has_control_characters(description):
        errors["description"] = [
            "The description must be one line, without invisible control characters."
        ]
    if errors:
        raise ValidationFailed(
            "The endpoint was not saved: some fields need a look.", field_errors=errors
        )
    ordered = [name for name in ALL_EVENT_TYPES if name in wanted]
    return url, ordered, description


def webhook_endpoint_create(
    *,
    company: Company,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    user: User | None = None,
) -> EndpointWithSecret:
    """A new, enabled endpoint with a fresh `whsec_` secret (returned once: show it and
    forget it)."""
    url, wanted, description = _checked(url=url, event_types=event_types, description=description)
    if WebhookEndpoint.objects.filter(company=company).count() >= ENDPOINTS_MAX:
        raise ValidationFailed(
            f"A company can have at most {ENDPOINTS_MAX} webhook endpoints; delete one first."
        )
    secret = secret_new()
    endpoint = WebhookEndpoint.objects.create(
        company=company,
        url=url,
        event_types=wanted,
        description=description,
        secret=secret,
        created_by=user,
    )
    return EndpointWithSecret(endpoint, secret)


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, event_types: Iterable[str], description: str
) -> WebhookEndpoint:
    """Changes where an endpoint's events go and which it wants; its secret stays. Events
    already written keep the deliveries they have."""
    url, wanted, description = _checked(url=url, event_types=event_types, description=description)
    endpoint.url, endpoint.event_types, endpoint.description = url, wanted, description
    endpoint.updated_at = timezone.now()
    endpoint.save(update_fields=["url", "event_types", "description", "updated_at"])
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> EndpointWithSecret:
    """A new secret signs from now on; the one it replaces signs too for 24 hours, so a
    receiver can switch without missing a delivery. Rotating again within those 24 hours
    drops the oldest secret. Holds the endpoint's row lock."""
    now = timezone.now()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        secret = secret_new()
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = now + ROTATION_OVERLAP
        locked.secret = secret
        locked.updated_at = now
        locked.save(
            update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
        )
    return EndpointWithSecret(locked, secret)


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """No new deliveries are written for a disabled endpoint and waiting ones are not sent
    (each is marked given up when its turn comes; Replay sends it again later)."""
    return _set_disabled(endpoint, DisabledReason.BY_USER)


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Sends events again, from the next one on (also after a 410 Gone disabled it)."""
    problem = url_problem(endpoint.url)
    if problem:
        raise ValidationFailed(f"The endpoint cannot be enabled: {problem}")
    return _set_disabled(endpoint, DisabledReason.NONE)


def _set_disabled(endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        disabled_reason=reason,
        disabled_at=None if reason == DisabledReason.NONE else now,
        updated_at=now,
    )
    endpoint.refresh_from_db()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Deletes the endpoint and its delivery log; events nobody else receives stay until
    cleaned up with their company."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


def _refuse_disabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise ValidationFailed("Enable the endpoint first: a disabled endpoint is sent nothing.")


def _deliver_now(*, event_id: int, endpoint: WebhookEndpoint, now: dt.datetime) -> WebhookDelivery:
    """A new pending delivery of the event to the endpoint, handed to the worker once the
    caller's transaction commits."""
    delivery = WebhookDelivery.objects.create(
        company_id=endpoint.company_id,
        event_id=event_id,
        endpoint=endpoint,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: deliver_webhook.enqueue(delivery_id=delivery.pk))
    return delivery


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Sends the delivery's event to its endpoint again, now: a new delivery with the same
    `webhook-id` and body (receivers that already processed it dedupe it), its own
    attempts and schedule. Refused while the endpoint is disabled."""
    _refuse_disabled(delivery.endpoint)
    with transaction.atomic():
        return _deliver_now(
            event_id=delivery.event_id, endpoint=delivery.endpoint, now=timezone.now()
        )


def webhook_endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Sends a `webhook.test` event to this endpoint alone, now, signed and retried like any
    other (it shows in the delivery log with its answer). Its data names the endpoint and
    nothing else. Refused while the endpoint is disabled."""
    _refuse_disabled(endpoint)
    now = timezone.now()
    data = {
        "endpoint_id": endpoint.pk,
        "endpoint_url": api_url(f"/webhooks/{endpoint.pk}"),
        "message": "A test event sent from Quotery. Nothing happened to any quote.",
    }
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            company_id=endpoint.company_id,
            msg_id=message_id_new(now),
            type=TEST_EVENT_TYPE,
            occurred_at=now,
            body=body_for(webhook_type=TEST_EVENT_TYPE, occurred_at=now, data=data),
        )
        return _deliver_now(event_id=event.pk, endpoint=endpoint, now=now)
