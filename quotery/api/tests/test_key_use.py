"""The record of each use of a key, written with the key's lookup on PostgreSQL (one
statement with the rate-limit hit and a stale last use) and after the answer elsewhere:
either way one row per request, with the answer's status, and nothing for a key that is
refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quotery.accounts.models import User
from quotery.api.conventions import rate_limit
from quotery.api.keys import (
    KeyUse,
    NewKey,
    api_key_revoke,
    api_key_use_record,
    key_holder_for_token,
)
from quotery.api.models import ApiKeyUse
from quotery.api.tests.conftest import ApiClient
from quotery.portal.models import RateLimitCounter
from quotery.quotes.factories import make_quote

pytestmark = pytest.mark.django_db

START = dt.datetime(2031, 3, 4, 9, 0, tzinfo=dt.UTC)


def _uses(key: NewKey) -> list[tuple[str, str, int, dt.datetime]]:
    rows = ApiKeyUse.objects.filter(key=key.key).order_by("at", "pk")
    return [(use.method, use.route, use.status, use.at) for use in rows]


def test_security_26_each_request_writes_one_use_row_with_its_answer(
    api: ApiClient, write_key: NewKey, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.API_RATE_LIMIT = (3, 60)
    with time_machine.travel(START, tick=False):
        assert api.get("/api/v1/quotes").status_code == 200
        assert api.post("/api/v1/clients", {"name": "Acme"}).status_code == 201
        assert api.post("/api/v1/clients", {"name": ""}).status_code == 422
        assert api.get("/api/v1/quotes").status_code == 429
    assert _uses(write_key) == [
        ("GET", "/api/v1/quotes", 200, START),
        ("POST", "/api/v1/clients", 201, START),
        ("POST", "/api/v1/clients", 422, START),
        ("GET", "/api/v1/quotes", 429, START),
    ]
    write_key.key.refresh_from_db()
    assert write_key.key.last_used_at == START


def test_a_list_page_takes_one_statement_before_its_own_query_on_postgresql(
    api: ApiClient, key_admin: User
) -> None:
    make_quote(owner=key_admin)
    api.get("/api/v1/quotes?limit=50")  # warm: the first request of a process loads more
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/quotes?limit=50").status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    writing_use = [sql for sql in statements if "api_apikeyuse" in sql]
    assert len(writing_use) == 1
    if connection.vendor == "postgresql":
        # The lookup, the rate-limit hit and the use row: one statement; then the page.
        assert len(statements) == 2
        assert "portal_ratelimitcounter" in writing_use[0]
    else:
        assert len(statements) == 4


def test_security_26_a_stale_last_use_moves_with_the_lookup(
    api: ApiClient, write_key: NewKey
) -> None:
    with time_machine.travel(START, tick=False):
        api.get("/api/v1/quotes")
    later = START + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/quotes").status_code == 200
    write_key.key.refresh_from_db()
    assert write_key.key.last_used_at == later
    moves = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(moves) == (0 if connection.vendor == "postgresql" else 1)


@pytest.mark.parametrize("how", ["revoked", "wrong secret"])
def test_security_26_a_refused_key_writes_nothing(
    api: ApiClient, write_key: NewKey, key_admin: User, how: str
) -> None:
    if how == "revoked":
        api_key_revoke(key=write_key.key, user=key_admin)
    else:
        last = write_key.token[-1]
        api.token = write_key.token[:-1] + ("B" if last != "B" else "C")
    answer = api.get("/api/v1/quotes")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert _uses(write_key) == []
    assert not RateLimitCounter.objects.exists()
    write_key.key.refresh_from_db()
    assert write_key.key.last_used_at is None


def test_the_lookup_records_the_use_where_it_can_and_once(write_key: NewKey) -> None:
    use = KeyUse(method="GET", route="/api/v1/quotes")
    with time_machine.travel(START, tick=False):
        holder = key_holder_for_token(write_key.token, use=use)
    assert holder is not None
    if connection.vendor == "postgresql":
        assert holder.recorded_use is not None
        assert holder.recorded_use[1] == use
        assert _uses(write_key) == [("GET", "/api/v1/quotes", 200, START)]
    else:
        assert holder.recorded_use is None
        assert _uses(write_key) == []
    assert key_holder_for_token(write_key.token[:-1] + "!") is None
    assert len(_uses(write_key)) <= 1


def test_a_request_that_fails_on_our_side_is_recorded_as_500(
    api: ApiClient, write_key: NewKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("quotery.api.selectors.quote_summary_page", broken)
    with time_machine.travel(START, tick=False):
        answer = api.get("/api/v1/quotes")
    assert answer.status_code == 500
    assert answer["Content-Type"] == "application/problem+json"
    assert _uses(write_key) == [("GET", "/api/v1/quotes", 500, START)]


def test_security_26_a_use_recorded_after_a_counted_lookup_moves_the_last_use(
    write_key: NewKey,
) -> None:
    with time_machine.travel(START, tick=False):
        holder = key_holder_for_token(write_key.token, counted=rate_limit())
        assert holder is not None
        assert holder.recorded_use is None
        api_key_use_record(holder=holder, method="GET", route="/api/v1/quotes", status=200)
    assert _uses(write_key) == [("GET", "/api/v1/quotes", 200, START)]
    write_key.key.refresh_from_db()
    assert write_key.key.last_used_at == START
