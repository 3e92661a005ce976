"""/api/v1/webhooks: registering and managing webhook endpoints, their secrets and their
delivery logs through the API (the same services as Settings -> Webhooks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from standardwebhooks import Webhook

from quotery.api.tests.conftest import ApiClient
from quotery.api.tests.world import delivery_of
from quotery.webhooks.models import WebhookDelivery, WebhookEndpoint
from quotery.webhooks.services.endpoints import webhook_endpoint_create
from tests.webhook_receiver import WebhookReceiver, body_json

pytestmark = pytest.mark.django_db

URL = "https://crm.example.com/hooks/quotery"
EVENTS = ["quote.viewed", "quote.shared"]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    running = WebhookReceiver().start()
    yield running
    running.stop()


def _create(api: ApiClient, **fields: object) -> dict[str, Any]:
    body = {"url": URL, "event_types": EVENTS, "description": "CRM sync"} | fields
    answer = api.post("/api/v1/webhooks", body)
    assert answer.status_code == 201, answer.content
    return answer.json()  # type: ignore[no-any-return]


def test_register_list_read_edit_and_delete_an_endpoint(api: ApiClient) -> None:
    made = _create(api)
    assert str(made["secret"]).startswith("whsec_")
    assert made["url"] == URL
    assert made["event_types"] == ["quote.shared", "quote.viewed"]  # in the catalogue's order
    assert made["enabled"] is True
    assert made["disabled_reason"] is None
    assert str(made["created_at"]).endswith(("+00:00", "Z"))
    one = api.get(f"/api/v1/webhooks/{made['id']}")
    assert one.status_code == 200
    assert "secret" not in one.json()
    listed = api.get("/api/v1/webhooks").json()
    assert [e["id"] for e in listed["items"]] == [made["id"]]
    assert listed["next_cursor"] is None
    edited = api.put(
        f"/api/v1/webhooks/{made['id']}",
        {"url": "https://erp.example.com/in", "event_types": ["quote.accepted"]},
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["url"] == "https://erp.example.com/in"
    assert edited.json()["event_types"] == ["quote.accepted"]
    assert edited.json()["description"] == ""
    endpoint = WebhookEndpoint.objects.get(pk=made["id"])
    assert endpoint.secret == made["secret"]  # editing keeps the secret
    gone = api.http.delete(
        f"/api/v1/webhooks/{made['id']}", headers={"Authorization": f"Bearer {api.token}"}
    )
    assert gone.status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert api.get(f"/api/v1/webhooks/{made['id']}").status_code == 404


def test_secrets_appear_only_in_the_create_and_rotate_answers(api: ApiClient) -> None:
    made = _create(api)
    first = str(made["secret"])
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        rotated = api.post(f"/api/v1/webhooks/{made['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.content
    second = rotated.json()["secret"]
    assert second.startswith("whsec_") and second != first
    assert rotated.json()["previous_secret_valid_until"] == "2026-03-03T09:00:00Z"
    endpoint = WebhookEndpoint.objects.get(pk=made["id"])
    assert (endpoint.secret, endpoint.previous_secret) == (second, first)
    answers = [
        api.get("/api/v1/webhooks"),
        api.get(f"/api/v1/webhooks/{made['id']}"),
        api.put(f"/api/v1/webhooks/{made['id']}", {"url": URL, "event_types": EVENTS}),
        api.post(f"/api/v1/webhooks/{made['id']}/disable"),
        api.post(f"/api/v1/webhooks/{made['id']}/enable"),
        api.get(f"/api/v1/webhooks/{made['id']}/deliveries"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.content
        text = answer.content.decode()
        assert first not in text and second not in text and "whsec_" not in text


def test_disable_and_enable(api: ApiClient) -> None:
    made = _create(api)
    off = api.post(f"/api/v1/webhooks/{made['id']}/disable").json()
    assert (off["enabled"], off["disabled_reason"]) == (False, "by_user")
    assert off["disabled_at"] is not None
    on = api.post(f"/api/v1/webhooks/{made['id']}/enable").json()
    assert (on["enabled"], on["disabled_reason"], on["disabled_at"]) == (True, None, None)


def test_the_delivery_log_pages_newest_first(api: ApiClient, company) -> None:  # type: ignore[no-untyped-def]
    made = _create(api)
    endpoint = WebhookEndpoint.objects.get(pk=made["id"])
    older = delivery_of(endpoint, "quote.shared")
    newer = delivery_of(endpoint, "quote.viewed")
    page = api.get(f"/api/v1/webhooks/{made['id']}/deliveries", {"limit": 1}).json()
    assert [d["id"] for d in page["items"]] == [newer.pk]
    row = page["items"][0]
    assert row["event_type"] == "quote.viewed"
    assert row["webhook_id"] == newer.event.msg_id
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("succeeded", 1, 200)
    assert row["delivered_at"] is not None and row["next_attempt_at"] is None
    rest = api.get(
        f"/api/v1/webhooks/{made['id']}/deliveries", {"limit": 1, "cursor": page["next_cursor"]}
    ).json()
    assert [d["id"] for d in rest["items"]] == [older.pk]
    assert rest["next_cursor"] is None


def test_replay_sends_the_same_webhook_id_signed(
    api: ApiClient, receiver: WebhookReceiver, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    made = _create(api, url=receiver.url)
    receiver.secrets = [str(made["secret"])]
    sent = delivery_of(WebhookEndpoint.objects.get(pk=made["id"]), "quote.shared")
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/api/v1/webhooks/{made['id']}/deliveries/{sent.pk}/replay")
    assert answer.status_code == 201, answer.content
    replay = answer.json()
    assert replay["id"] != sent.pk
    assert replay["webhook_id"] == sent.event.msg_id
    receiver.wait_for(1)
    arrived = receiver.requests[0]
    assert arrived.verified
    assert arrived.headers["webhook-id"] == sent.event.msg_id
    assert body_json(arrived)["type"] == "quote.shared"
    Webhook(str(made["secret"])).verify(arrived.body, arrived.headers)
    assert WebhookDelivery.objects.get(pk=replay["id"]).status == "succeeded"


def test_replay_while_disabled_is_refused_and_sends_nothing(api: ApiClient) -> None:
    made = _create(api)
    sent = delivery_of(WebhookEndpoint.objects.get(pk=made["id"]), "quote.shared")
    api.post(f"/api/v1/webhooks/{made['id']}/disable")
    answer = api.post(f"/api/v1/webhooks/{made['id']}/deliveries/{sent.pk}/replay")
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert "Enable the endpoint first" in answer.json()["detail"]
    assert WebhookDelivery.objects.count() == 1


def test_a_test_event_arrives_signed_and_shows_in_the_log(
    api: ApiClient, receiver: WebhookReceiver, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    made = _create(api, url=receiver.url)
    receiver.secrets = [str(made["secret"])]
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/api/v1/webhooks/{made['id']}/test")
    assert answer.status_code == 201, answer.content
    receiver.wait_for(1)
    arrived = receiver.requests[0]
    assert arrived.verified and body_json(arrived)["type"] == "webhook.test"
    assert arrived.headers["webhook-id"] == answer.json()["webhook_id"]
    log = api.get(f"/api/v1/webhooks/{made['id']}/deliveries").json()["items"]
    assert [item["id"] for item in log] == [answer.json()["id"]]


def test_a_test_event_while_disabled_is_refused_and_sends_nothing(api: ApiClient) -> None:
    made = _create(api)
    api.post(f"/api/v1/webhooks/{made['id']}/disable")
    answer = api.post(f"/api/v1/webhooks/{made['id']}/test")
    assert answer.status_code == 422
    assert "Enable the endpoint first" in answer.json()["detail"]
    assert not WebhookDelivery.objects.exists()


def test_a_delivery_of_another_endpoint_is_404(api: ApiClient, company) -> None:  # type: ignore[no-untyped-def]
    first, second = _create(api), _create(api, url="https://erp.example.com/in")
    sent = delivery_of(WebhookEndpoint.objects.get(pk=second["id"]), "quote.shared")
    answer = api.post(f"/api/v1/webhooks/{first['id']}/deliveries/{sent.pk}/replay")
    assert answer.status_code == 404
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "pointer", "words"),
    [
        ({"url": "not a url", "event_types": EVENTS}, "#/url", "spaces"),
        ({"url": "ftp://crm.example.com/in", "event_types": EVENTS}, "#/url", "https://"),
        ({"url": URL, "event_types": ["quote.teleported"]}, "#/event_types", "Unknown event"),
        ({"url": URL, "event_types": []}, "#/event_types", "at least one"),
        ({"url": URL, "event_types": EVENTS, "description": "x" * 201}, "#/description", "200"),
        ({"event_types": EVENTS}, "#/url", "required"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_stored(
    api: ApiClient, body: dict[str, object], pointer: str, words: str
) -> None:
    answer = api.post("/api/v1/webhooks", body)
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert [e["pointer"] for e in errors] == [pointer]
    assert words.lower() in errors[0]["detail"].lower()
    assert not WebhookEndpoint.objects.exists()


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize(
    "url", ["https://127.0.0.1/in", "https://10.0.0.7/in", "https://localhost/in", "https://[::1]/"]
)
def test_private_addresses_are_refused_without_the_setting(api: ApiClient, url: str) -> None:
    answer = api.post("/api/v1/webhooks", {"url": url, "event_types": EVENTS})
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["errors"][0]["pointer"] == "#/url"
    assert not WebhookEndpoint.objects.exists()


def test_a_bad_edit_changes_nothing(api: ApiClient) -> None:
    made = _create(api)
    with override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False):
        answer = api.put(
            f"/api/v1/webhooks/{made['id']}",
            {"url": "http://crm.example.com/in", "event_types": []},
        )
    assert answer.status_code == 422
    assert {e["pointer"] for e in answer.json()["errors"]} == {"#/url", "#/event_types"}
    endpoint = WebhookEndpoint.objects.get(pk=made["id"])
    assert (endpoint.url, endpoint.event_types) == (URL, ["quote.shared", "quote.viewed"])


def test_a_read_key_lists_but_cannot_register(read_api: ApiClient, company, key_admin) -> None:  # type: ignore[no-untyped-def]
    webhook_endpoint_create(company=company, url=URL, event_types=EVENTS, user=key_admin)
    assert len(read_api.get("/api/v1/webhooks").json()["items"]) == 1
    answer = read_api.post("/api/v1/webhooks", {"url": URL, "event_types": EVENTS})
    assert answer.status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_a_repeated_create_with_the_same_idempotency_key_makes_one_endpoint(
    api: ApiClient,
) -> None:
    body = {"url": URL, "event_types": EVENTS}
    first = api.post("/api/v1/webhooks", body, **{"Idempotency-Key": "reg-1"})
    again = api.post("/api/v1/webhooks", body, **{"Idempotency-Key": "reg-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.count() == 1
