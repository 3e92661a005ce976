from __future__ import annotations

import pytest

from quotery.api.tests.conftest import ApiClient
from quotery.quotes.factories import make_quote

pytestmark = pytest.mark.django_db


def test_list_and_detail(api: ApiClient, key_admin) -> None:  # type: ignore[no-untyped-def]
    quote = make_quote(owner=key_admin)
    listed = api.get("/api/v1/quotes")
    assert listed.status_code == 200, listed.content
    assert listed.json()["items"][0]["id"] == quote.pk
    detail = api.get(f"/api/v1/quotes/{quote.pk}")
    assert detail.status_code == 200, detail.content
    print(detail.json())
