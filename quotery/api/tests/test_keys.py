"""API keys: shown once, stored hashed, scoped, revocable (SECURITY.md 26); and the
Settings → API keys pages (admins only)."""

from __future__ import annotations

import hashlib

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.api.keys import api_key_create, api_key_revoke, key_holder_for_token
from quotery.api.models import ApiKey
from quotery.core.exceptions import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_security_26_a_key_is_stored_only_as_its_hash(company: Company, admin_user: User) -> None:
    made = api_key_create(company=company, user=admin_user, name="CRM", scope="read")
    row = ApiKey.objects.get(pk=made.key.pk)
    assert made.token.startswith(row.prefix + "_")
    assert row.secret_hash == hashlib.sha256(made.token.encode()).hexdigest()
    assert made.token not in str(list(ApiKey.objects.values()))
    assert len(made.token) - len(row.prefix) - 1 == 43  # 32 random bytes in base64url
    holder = key_holder_for_token(made.token)
    assert holder is not None
    assert holder.company == company


def test_security_26_only_admins_make_keys_and_bad_input_writes_nothing(
    company: Company, rep: User, admin_user: User
) -> None:
    with pytest.raises(PermissionDenied):
        api_key_create(company=company, user=rep, name="CRM", scope="write")
    with pytest.raises(ValidationFailed) as refused:
        api_key_create(company=company, user=admin_user, name=" ", scope="admin")
    assert set(refused.value.field_errors) == {"name", "scope"}
    assert not ApiKey.objects.exists()


def test_security_26_an_admin_of_another_company_cannot_make_or_revoke(
    company: Company, admin_user: User, other_company: Company
) -> None:
    stranger = member(other_company, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        api_key_create(company=company, user=stranger, name="CRM", scope="read")
    made = api_key_create(company=company, user=admin_user, name="CRM", scope="read")
    with pytest.raises(PermissionDenied):
        api_key_revoke(key=made.key, user=stranger)
    assert key_holder_for_token(made.token) is not None


def test_security_26_settings_page_creates_shows_once_lists_and_revokes(
    login, admin_user: User
) -> None:  # type: ignore[no-untyped-def]
    browser = login(admin_user)
    page = browser.get("/accounts/api-keys/")
    assert page.status_code == 200
    assert b"Create a key" in page.content
    created = browser.post("/accounts/api-keys/new/", {"name": "ERP export", "scope": "write"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    key = ApiKey.objects.get()
    token = created.content.decode().split('id="api-key"')[1].split(">")[1].split("<")[0]
    assert key_holder_for_token(token) is not None
    listing = browser.get("/accounts/api-keys/").content.decode()
    assert "ERP export" in listing and key.prefix in listing and token not in listing
    assert "Never" in listing
    revoked = browser.post(f"/accounts/api-keys/{key.pk}/revoke/", follow=True)
    assert "no longer works" in revoked.content.decode()
    assert key_holder_for_token(token) is None


def test_security_26_settings_page_refuses_a_blank_name(login, admin_user: User) -> None:  # type: ignore[no-untyped-def]
    answer = login(admin_user).post("/accounts/api-keys/new/", {"name": "", "scope": "read"})
    assert answer.status_code == 422
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER, Role.FINANCE])
def test_security_23_only_admins_open_the_api_keys_pages(
    login, company: Company, role: Role
) -> None:  # type: ignore[no-untyped-def]
    browser = login(member(company, role))
    assert browser.get("/accounts/api-keys/").status_code == 404
    assert (
        browser.post("/accounts/api-keys/new/", {"name": "x", "scope": "write"}).status_code == 404
    )
    assert not ApiKey.objects.exists()


def test_security_23_another_companys_key_cannot_be_revoked(
    login, admin_user: User, other_company: Company
) -> None:  # type: ignore[no-untyped-def]
    theirs = api_key_create(
        company=other_company, user=member(other_company, Role.ADMIN), name="X", scope="read"
    )
    answer = login(admin_user).post(f"/accounts/api-keys/{theirs.key.pk}/revoke/")
    assert answer.status_code == 404
    assert key_holder_for_token(theirs.token) is not None
