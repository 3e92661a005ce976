from __future__ import annotations

from collections.abc import Iterator

import pytest

from quotery.accounts.models import Company, User
from quotery.webhooks.event_types import ALL_EVENT_TYPES
from quotery.webhooks.models import WebhookEndpoint
from quotery.webhooks.services.endpoints import webhook_endpoint_create
from tests.webhook_receiver import WebhookReceiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A receiver on 127.0.0.1, listening."""
    running = WebhookReceiver().start()
    yield running
    running.stop()


@pytest.fixture
def endpoint(company: Company, admin_user: User, receiver: WebhookReceiver) -> WebhookEndpoint:
    """The company's endpoint for every event type, at `receiver`, which holds its secret."""
    created = webhook_endpoint_create(
        company=company,
        url=receiver.url,
        event_types=ALL_EVENT_TYPES,
        description="CRM",
        user=admin_user,
    )
    receiver.secrets = [created.secret]
    return created.endpoint
