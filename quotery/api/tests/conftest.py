"""Keys and an HTTP client that sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.api.keys import NewKey, api_key_create


class ApiClient:
    """The Django test client with a bearer key on every request, JSON bodies."""

    def __init__(self, token: str | None) -> None:
        self.http = HttpClient()
        self.token = token

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = dict(extra)
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return headers

    def get(self, path: str, data: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.http.get(path, data, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.http.post(
            path, body or {}, content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.http.put(
            path, body or {}, content_type="application/json", headers=self._headers(headers)
        )

    def delete(self, path: str, **headers: str) -> Any:
        return self.http.delete(path, headers=self._headers(headers))


@pytest.fixture
def key_admin(company: Company) -> User:
    return member(company, Role.ADMIN)


@pytest.fixture
def make_key(key_admin: User) -> Callable[..., NewKey]:
    def make(
        scope: str = "write", company: Company | None = None, name: str = "CRM sync"
    ) -> NewKey:
        admin = key_admin if company is None else member(company, Role.ADMIN)
        return api_key_create(
            company=company or key_admin.membership.company, user=admin, name=name, scope=scope
        )

    return make


@pytest.fixture
def write_key(make_key: Callable[..., NewKey]) -> NewKey:
    return make_key("write")


@pytest.fixture
def read_key(make_key: Callable[..., NewKey]) -> NewKey:
    return make_key("read")


@pytest.fixture
def api(write_key: NewKey) -> ApiClient:
    return ApiClient(write_key.token)


@pytest.fixture
def read_api(read_key: NewKey) -> ApiClient:
    return ApiClient(read_key.token)
