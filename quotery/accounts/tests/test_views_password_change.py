"""A member changes their own password."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from quotery.accounts.factories import DEFAULT_PASSWORD
from quotery.accounts.models import User

pytestmark = pytest.mark.django_db


def test_member_changes_their_password_and_stays_logged_in(rep: User, login) -> None:  # type: ignore[no-untyped-def]
    client: HttpClient = login(rep)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a-much-longer-passphrase-2026",
            "new_password2": "a-much-longer-passphrase-2026",
        },
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("a-much-longer-passphrase-2026")
    assert client.get("/quotes/").status_code == 200


def test_wrong_old_password_is_explained_and_changes_nothing(rep: User, login) -> None:  # type: ignore[no-untyped-def]
    client: HttpClient = login(rep)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "not-my-password",
            "new_password1": "a-much-longer-passphrase-2026",
            "new_password2": "a-much-longer-passphrase-2026",
        },
    )
    assert response.status_code == 422
    assert "Your old password was entered incorrectly" in response.content.decode()
    rep.refresh_from_db()
    assert rep.check_password(DEFAULT_PASSWORD)


def test_anonymous_visitor_is_sent_to_log_in(client: HttpClient) -> None:
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
