"""Ten identical POSTs with one Idempotency-Key at the same instant, over real HTTP to a
live server in real threads: one quote is created, and all ten get its answer.

On PostgreSQL the twins' inserts of the key wait on the unique index until the first
transaction commits, then replay its answer; on SQLite one writer at a time does the same.
"""

from __future__ import annotations

import json
import urllib.request
from typing import cast

import pytest

from quotery.accounts.models import User
from quotery.api.keys import NewKey
from quotery.api.models import IdempotentRequest
from quotery.clients.factories import ClientFactory
from quotery.quotes.models import Quote
from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 10


def _post(
    url: str, token: str, body: dict[str, object], key: str
) -> tuple[int, dict[str, object], str]:
    request = urllib.request.Request(  # noqa: S310 (the live server)
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (the live server)
        return (
            answer.status,
            json.loads(answer.read()),
            answer.headers.get("Idempotent-Replayed", ""),
        )


def test_ten_concurrent_identical_posts_create_one_quote(
    live_server, write_key: NewKey, key_admin: User
) -> None:  # type: ignore[no-untyped-def]
    client = ClientFactory(company=key_admin.membership.company)
    body = {
        "client_id": client.pk,
        "title": "Chairs",
        "sections": [
            {
                "title": "S",
                "lines": [{"description": "Chair", "quantity": "4", "unit_price": "120"}],
            }
        ],
    }
    url = f"{live_server.url}/api/v1/quotes"
    results, errors = run_at_once(
        [lambda: _post(url, write_key.token, body, "order-4711") for _ in range(PARALLEL)]
    )
    assert errors == []
    assert Quote.objects.count() == 1
    quote = Quote.objects.get()
    answers = cast(list[tuple[int, dict[str, object], str]], results)
    assert sorted(status for status, _, _ in answers) == [201] * PARALLEL
    assert {answer["id"] for _, answer, _ in answers} == {quote.pk}
    assert sorted(replayed for _, _, replayed in answers) == [""] + ["true"] * (PARALLEL - 1)
    assert IdempotentRequest.objects.get().status == 201
