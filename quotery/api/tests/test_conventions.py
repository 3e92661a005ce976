"""What every request goes through: the key, its scope, the rate limit, problem+json,
CSRF and sessions, Idempotency-Key, the record of each use."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient

from quotery.accounts.models import User
from quotery.api.keys import NewKey, api_key_revoke
from quotery.api.models import ApiKeyUse, IdempotentRequest
from quotery.api.tasks import prune_api_records
from quotery.api.tests.conftest import ApiClient
from quotery.clients.models import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer qk_00000000_" + "A" * 43,
        "Bearer not-a-key",
    ],
)
def test_security_26_missing_or_unknown_key_is_401_problem(header: str) -> None:
    client = HttpClient()
    answer = client.get("/api/v1/quotes", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer["WWW-Authenticate"].startswith("Bearer")
    problem = answer.json()
    assert problem["status"] == 401
    assert problem["type"] == "urn:quotery:problem:not_authenticated"
    assert "Authorization" in problem["detail"] or "unknown" in problem["detail"]


def test_security_26_a_revoked_key_stops_at_once(
    api: ApiClient, write_key: NewKey, key_admin: User
) -> None:
    assert api.get("/api/v1/quotes").status_code == 200
    api_key_revoke(key=write_key.key, user=key_admin)
    answer = api.get("/api/v1/quotes")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "This API key is unknown or was revoked."


def test_security_26_a_key_whose_maker_left_stops(api: ApiClient, key_admin: User) -> None:
    key_admin.is_active = False
    key_admin.save(update_fields=["is_active"])
    assert api.get("/api/v1/quotes").status_code == 401


def test_security_26_a_key_with_one_wrong_character_is_refused(write_key: NewKey) -> None:
    last = write_key.token[-1]
    forged = write_key.token[:-1] + ("B" if last != "B" else "C")
    assert ApiClient(forged).get("/api/v1/quotes").status_code == 401


def test_security_26_each_use_is_recorded_without_body(api: ApiClient, write_key: NewKey) -> None:
    api.get("/api/v1/quotes")
    api.post("/api/v1/clients", {"name": "Secret Client Name GmbH"})
    uses = list(ApiKeyUse.objects.filter(key=write_key.key).order_by("at", "pk"))
    assert [(u.method, u.route, u.status) for u in uses] == [
        ("GET", "/api/v1/quotes", 200),
        ("POST", "/api/v1/clients", 201),
    ]
    write_key.key.refresh_from_db()
    assert write_key.key.last_used_at is not None
    assert not any("Secret" in str(value) for use in uses for value in vars(use).values())


def test_security_26_last_use_moves_at_most_once_a_minute(
    api: ApiClient, write_key: NewKey
) -> None:
    start = dt.datetime(2031, 3, 4, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        api.get("/api/v1/quotes")
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        api.get("/api/v1/quotes")
    write_key.key.refresh_from_db()
    assert write_key.key.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        api.get("/api/v1/quotes")
    write_key.key.refresh_from_db()
    assert write_key.key.last_used_at == start + dt.timedelta(seconds=61)
    assert ApiKeyUse.objects.filter(key=write_key.key).count() == 3


def test_a_method_a_route_does_not_answer_is_a_405_problem(api: ApiClient) -> None:
    answer = api.delete("/api/v1/quotes")
    assert answer.status_code == 405
    assert answer["Content-Type"] == "application/problem+json"
    assert answer["Allow"] == "GET, POST"
    problem = answer.json()
    assert problem["code"] == "method_not_allowed"
    assert problem["detail"] == "This route does not answer DELETE; it answers GET, POST."


def test_security_22_session_cookies_do_not_authenticate_the_api(login, key_admin: User) -> None:  # type: ignore[no-untyped-def]
    browser = login(key_admin)
    answer = browser.get("/api/v1/quotes")
    assert answer.status_code == 401


def test_security_22_csrf_does_not_apply_to_bearer_requests(write_key: NewKey) -> None:
    strict = HttpClient(enforce_csrf_checks=True)
    answer = strict.post(
        "/api/v1/clients",
        {"name": "Acme"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {write_key.token}", "Origin": "https://evil.test"},
    )
    assert answer.status_code == 201


def test_rate_limit_headers_and_429_with_retry_after(api: ApiClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_RATE_LIMIT = (3, 60)
    first = api.get("/api/v1/quotes")
    assert first["RateLimit-Policy"] == '"per-key";q=3;w=60'
    assert first["RateLimit"].startswith('"per-key";r=2;t=')
    api.get("/api/v1/quotes")
    api.get("/api/v1/quotes")
    refused = api.get("/api/v1/quotes")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["RateLimit"].startswith('"per-key";r=0;')


def test_another_keys_budget_is_its_own(api: ApiClient, make_key, settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_RATE_LIMIT = (1, 60)
    api.get("/api/v1/quotes")
    assert api.get("/api/v1/quotes").status_code == 429
    other = ApiClient(make_key("read").token)
    assert other.get("/api/v1/quotes").status_code == 200


def test_a_forged_key_spends_nothing_of_the_real_keys_budget(  # type: ignore[no-untyped-def]
    api: ApiClient, write_key: NewKey, settings
) -> None:
    settings.API_RATE_LIMIT = (2, 60)
    last = write_key.token[-1]
    forged = ApiClient(write_key.token[:-1] + ("B" if last != "B" else "C"))
    for _ in range(5):
        assert forged.get("/api/v1/quotes").status_code == 401
    assert api.get("/api/v1/quotes")["RateLimit"].startswith('"per-key";r=1;')
    assert api.get("/api/v1/quotes").status_code == 200
    assert api.get("/api/v1/quotes").status_code == 429


def test_an_unknown_route_is_a_problem(api: ApiClient) -> None:
    answer = api.get("/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"


def test_malformed_json_is_a_400_problem_and_writes_nothing(api: ApiClient) -> None:
    answer = api.http.post(
        "/api/v1/clients",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert not Client.objects.exists()


# Idempotency-Key ---------------------------------------------------------------------------


def test_a_repeat_returns_the_first_answer_and_creates_nothing(api: ApiClient) -> None:
    first = api.post("/api/v1/clients", {"name": "Acme"}, **{"Idempotency-Key": "k-1"})
    again = api.post("/api/v1/clients", {"name": "Acme"}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Client.objects.filter(name="Acme").count() == 1


def test_the_same_body_in_another_order_is_the_same_request(api: ApiClient) -> None:
    api.post("/api/v1/clients", {"name": "Acme", "vat_number": "DE1"}, **{"Idempotency-Key": "k"})
    again = api.post(
        "/api/v1/clients", {"vat_number": "DE1", "name": "Acme"}, **{"Idempotency-Key": "k"}
    )
    assert again.status_code == 201
    assert Client.objects.count() == 1


def test_a_different_body_with_the_same_key_is_409(api: ApiClient) -> None:
    api.post("/api/v1/clients", {"name": "Acme"}, **{"Idempotency-Key": "k-2"})
    clash = api.post("/api/v1/clients", {"name": "Other"}, **{"Idempotency-Key": "k-2"})
    assert clash.status_code == 409
    assert clash.json()["code"] == "idempotency_key_reused"
    assert not Client.objects.filter(name="Other").exists()


def test_keys_are_per_company(api: ApiClient, make_key, other_company) -> None:  # type: ignore[no-untyped-def]
    other = ApiClient(make_key("write", company=other_company).token)
    api.post("/api/v1/clients", {"name": "Acme"}, **{"Idempotency-Key": "shared"})
    theirs = other.post("/api/v1/clients", {"name": "Beta"}, **{"Idempotency-Key": "shared"})
    assert theirs.status_code == 201
    assert Client.objects.filter(company=other_company, name="Beta").exists()


def test_a_refusal_is_replayed_too(api: ApiClient) -> None:
    first = api.post("/api/v1/clients", {"name": " "}, **{"Idempotency-Key": "bad"})
    again = api.post("/api/v1/clients", {"name": " "}, **{"Idempotency-Key": "bad"})
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()


def test_after_24_hours_the_key_is_new_again(api: ApiClient, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    api.post("/api/v1/clients", {"name": "Acme"}, **{"Idempotency-Key": "day"})
    time_machine.move_to("2026-03-03 09:00:01+00:00", tick=False)
    again = api.post("/api/v1/clients", {"name": "Acme"}, **{"Idempotency-Key": "day"})
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Client.objects.filter(name="Acme").count() == 2
    assert IdempotentRequest.objects.count() == 1


def test_a_malformed_idempotency_key_is_400(api: ApiClient) -> None:
    answer = api.post("/api/v1/clients", {"name": "Acme"}, **{"Idempotency-Key": "x" * 256})
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"header": "Idempotency-Key", "detail": "Use 1 to 255 visible ASCII characters."}
    ]
    assert not Client.objects.exists()


def test_old_answers_and_uses_are_pruned(api: ApiClient, write_key: NewKey, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to("2026-01-05 09:00:00+00:00", tick=False)
    api.post("/api/v1/clients", {"name": "Old"}, **{"Idempotency-Key": "old"})
    time_machine.move_to("2026-04-06 09:00:00+00:00", tick=False)
    api.post("/api/v1/clients", {"name": "New"}, **{"Idempotency-Key": "new"})
    assert prune_api_records.call() == 2  # the old POST's kept answer and its use record
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    assert ApiKeyUse.objects.filter(key=write_key.key).count() == 1


def test_the_api_root_leads_to_its_docs_which_need_no_key() -> None:
    client = HttpClient()
    root = client.get("/api/v1/")
    assert (root.status_code, root["Location"]) == (302, "/api/v1/docs/")
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content
