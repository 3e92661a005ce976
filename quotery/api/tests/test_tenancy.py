"""Tenancy and scope on every API route, generated from the URL list (SECURITY.md 23, 26).

Every route under /api/v1/ (read from Django's URL resolver, methods from the API's own
operations) is called three ways: without a key (401), with a write key of company A on
company B's ids (404, and B unchanged), and, for writes, with a read key (403). A route
added later is covered without touching this file; one whose write body is missing from
BODIES fails here until it gets one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from quotery.api.api import api
from quotery.api.keys import NewKey
from quotery.api.tests.conftest import ApiClient
from quotery.api.tests.world import World, build_world
from quotery.quotes.models import Quote

pytestmark = pytest.mark.django_db

NOT_OPERATIONS = {"openapi-json", "openapi-view", "api-root"}

# A valid body for each write, so the refusal comes from tenancy or scope, not validation.
BODIES: dict[str, dict[str, object]] = {
    "create_quote": {"client_id": 1, "title": "Chairs"},
    "update_quote": {"client_id": 1, "title": "Chairs"},
    "share_quote": {"recipient_name": "Bo", "recipient_email": "bo@client.test"},
    "resend_share": {},
    "revoke_share": {},
    "set_payment": {"status": "paid"},
    "create_client": {"name": "Acme"},
    "update_client": {"name": "Acme"},
    "create_contact": {"name": "Bo", "email": "bo@client.test"},
    "update_contact": {"name": "Bo", "email": "bo@client.test"},
    "create_webhook": {"url": "https://crm.example.com/in", "event_types": ["quote.shared"]},
    "update_webhook": {"url": "https://crm.example.com/in", "event_types": ["quote.shared"]},
    "delete_webhook": {},
    "rotate_webhook_secret": {},
    "disable_webhook": {},
    "enable_webhook": {},
    "replay_webhook_delivery": {},
    "send_webhook_test": {},
}


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    template: str  # "/api/v1/quotes/{id}/share/{share_id}/revoke"

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    def url(self, ids: dict[str, int]) -> str:
        resource = self.template.split("/")[3]

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return str(ids[resource] if name == "id" else ids[name])

        return re.sub(r"\{(\w+)\}", fill, self.template)


def _api_patterns() -> list[URLPattern]:
    found: list[URLPattern] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif (
                route.startswith("api/v1/") and pattern.name and pattern.name not in NOT_OPERATIONS
            ):
                found.append(pattern)

    walk(get_resolver().url_patterns, "")
    return found


def api_routes() -> list[Route]:
    operations = {
        op["operationId"]: (method.upper(), path)
        for path, item in api.get_openapi_schema()["paths"].items()
        for method, op in item.items()
    }
    routes = []
    for pattern in _api_patterns():
        assert pattern.name is not None
        matches = [key for key in operations if key.endswith("_" + pattern.name)]
        assert len(matches) == 1, f"no single operation for URL {pattern.name}: {matches}"
        method, path = operations[matches[0]]
        routes.append(Route(name=pattern.name, method=method, template=path))
    return routes


ROUTES = api_routes()
WRITES = [route for route in ROUTES if route.is_write]


def test_the_url_list_holds_every_resource() -> None:
    templates = {route.template for route in ROUTES}
    assert {
        "/api/v1/quotes",
        "/api/v1/quotes/{id}",
        "/api/v1/quotes/{id}/events",
        "/api/v1/quotes/{id}/acceptance",
        "/api/v1/quotes/{id}/acceptance/pdf",
        "/api/v1/quotes/{id}/payment",
        "/api/v1/quotes/{id}/share",
        "/api/v1/clients/{id}",
        "/api/v1/products/{id}",
        "/api/v1/delivery-notes/{id}",
        "/api/v1/webhooks/{id}",
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay",
    } <= templates
    assert len(ROUTES) >= 23


@pytest.fixture
def worlds(company, other_company) -> tuple[World, World]:  # type: ignore[no-untyped-def]
    return build_world(company, sku="A-1"), build_world(other_company, sku="B-1")


def _call(client: ApiClient, route: Route, url: str):  # type: ignore[no-untyped-def]
    body = BODIES.get(route.name, {})
    if route.method == "GET":
        return client.get(url)
    if route.method == "PUT":
        return client.put(url, body)
    if route.method == "DELETE":
        return client.delete(url)
    return client.post(url, body)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_security_26_no_key_is_401(route: Route, worlds: tuple[World, World]) -> None:
    own, _ = worlds
    answer = _call(ApiClient(None), route, route.url(own.ids()))
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("route", [r for r in ROUTES if "{" in r.template], ids=str)
def test_security_23_another_companys_id_is_404(
    route: Route, worlds: tuple[World, World], make_key
) -> None:  # type: ignore[no-untyped-def]
    own, foreign = worlds
    key: NewKey = make_key("write", company=own.company)
    before = Quote.objects.values("state", "updated_at", "chain_length").get(pk=foreign.quote.pk)
    answer = _call(ApiClient(key.token), route, route.url(foreign.ids()))
    assert answer.status_code == 404, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert foreign.quote.number not in answer.content.decode()
    assert (
        Quote.objects.values("state", "updated_at", "chain_length").get(pk=foreign.quote.pk)
        == before
    )


@pytest.mark.parametrize("route", WRITES, ids=str)
def test_security_26_read_key_on_a_write_is_403(
    route: Route, worlds: tuple[World, World], make_key
) -> None:  # type: ignore[no-untyped-def]
    own, _ = worlds
    assert route.name in BODIES, f"give {route} a body in BODIES"
    key: NewKey = make_key("read", company=own.company)
    quotes_before = Quote.objects.count()
    answer = _call(ApiClient(key.token), route, route.url(own.ids()))
    assert answer.status_code == 403
    assert answer.json()["code"] == "read_only_key"
    assert Quote.objects.count() == quotes_before
