"""Company settings, logo and member services: happy paths, and failures that write nothing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.test import Client

from quotery.accounts.factories import DEFAULT_PASSWORD, member
from quotery.accounts.models import Company, Membership, Role, User
from quotery.accounts.services import (
    CompanySettingsInput,
    company_logo_remove,
    company_logo_set,
    company_update,
    member_change_role,
    member_create,
    member_deactivate,
    member_reactivate,
)
from quotery.accounts.tests.images import SIMPLE_SVG, png_bytes
from quotery.core.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db


def settings_input(**changes: Any) -> CompanySettingsInput:
    base = CompanySettingsInput(
        name="Acme Office Supply",
        brand_colour="#AA3300",
        portal_text="  Thank you for considering Acme.\nQuestions? Call us.  ",
        email_sender_name="Acme Sales",
        time_zone="America/New_York",
        default_currency="USD",
        default_tax_rate=Decimal("8.875"),
        default_validity_days=45,
        plan="starter",
        finance_gate=True,
    )
    return replace(base, **changes)


def snapshot(company: Company) -> dict[str, object]:
    company.refresh_from_db()
    data = model_to_dict(company)
    data["logo"] = company.logo.name
    return data


# --- company_update -------------------------------------------------------------------------


def test_company_update_saves_every_setting(company: Company) -> None:
    company_update(company=company, data=settings_input())
    # then they are stored, tidied
    company.refresh_from_db()
    assert company.name == "Acme Office Supply"
    assert company.brand_colour == "#aa3300"
    assert company.portal_text == "Thank you for considering Acme.\nQuestions? Call us."
    assert company.email_sender_name == "Acme Sales"
    assert company.time_zone == "America/New_York"
    assert company.default_currency == "USD"
    assert company.default_tax_rate == Decimal("8.875")
    assert company.default_validity_days == 45
    assert company.plan == "starter"
    assert not company.has_engagement_analytics
    assert company.finance_gate is True


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "   "}, "name", "Enter the company's name"),
        ({"name": "x" * 121}, "name", "120 characters"),
        ({"brand_colour": "blue"}, "brand_colour", "“blue” is not a colour"),
        ({"brand_colour": "#12345"}, "brand_colour", "six hex digits"),
        ({"brand_colour": "#12345g"}, "brand_colour", "six hex digits"),
        ({"portal_text": "x" * 2001}, "portal_text", "2000 characters"),
        ({"email_sender_name": "Acme\r\nBcc: all@example.com"}, "email_sender_name", "header"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "not a time zone"),
        ({"default_currency": "XXX"}, "default_currency", "not a currency"),
        ({"default_tax_rate": Decimal("-1")}, "default_tax_rate", "between 0 % and 100 %"),
        ({"default_tax_rate": Decimal("100.5")}, "default_tax_rate", "between 0 % and 100 %"),
        ({"default_tax_rate": Decimal("7.1234")}, "default_tax_rate", "three decimal places"),
        ({"default_validity_days": 0}, "default_validity_days", "1 to 365"),
        ({"default_validity_days": 366}, "default_validity_days", "1 to 365"),
        ({"plan": "enterprise"}, "plan", "Starter or the Pro"),
    ],
)
def test_company_update_refuses_bad_input_and_saves_nothing(
    company: Company, changes: dict[str, object], field: str, words: str
) -> None:
    before = snapshot(company)
    # when one setting is wrong
    with pytest.raises(ValidationFailed) as caught:
        company_update(company=company, data=settings_input(**changes))
    # then that field says why, and nothing changed (not even the valid fields)
    assert words in caught.value.field_errors[field][0]
    assert snapshot(company) == before


def test_company_update_with_a_bad_logo_saves_nothing(company: Company) -> None:
    before = snapshot(company)
    with pytest.raises(ValidationFailed) as caught:
        company_update(
            company=company,
            data=settings_input(),
            logo=SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\nrubbish"),
        )
    assert "damaged" in caught.value.field_errors["logo"][0]
    assert snapshot(company) == before


def test_company_update_reports_logo_and_field_errors_together(company: Company) -> None:
    with pytest.raises(ValidationFailed) as caught:
        company_update(
            company=company,
            data=settings_input(brand_colour="red"),
            logo=SimpleUploadedFile("logo.txt", b"hello"),
        )
    assert set(caught.value.field_errors) == {"brand_colour", "logo"}


def test_company_update_stores_a_sanitised_svg_logo(company: Company) -> None:
    svg = SIMPLE_SVG.replace(b"<rect", b'<script>alert(1)</script><rect onload="alert(2)"')
    company_update(company=company, data=settings_input(), logo=SimpleUploadedFile("l.svg", svg))
    company.refresh_from_db()
    assert company.logo_content_type == "image/svg+xml"
    assert str(company.logo.name).endswith(".svg")
    stored = company.logo.open("rb").read()
    assert b"alert" not in stored and b"<rect" in stored


def test_company_update_can_remove_the_logo(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    company_logo_set(company=company, upload=SimpleUploadedFile("l.png", png_bytes()))
    old_name = company.logo.name
    storage = company.logo.storage
    with django_capture_on_commit_callbacks(execute=True):
        company_update(company=company, data=settings_input(), remove_logo=True)
    company.refresh_from_db()
    assert not company.logo and company.logo_content_type == ""
    assert not storage.exists(str(old_name))


# --- logo -------------------------------------------------------------------------------------


def test_company_logo_set_replaces_the_file_after_commit(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    company_logo_set(company=company, upload=SimpleUploadedFile("a.png", png_bytes()))
    first = company.logo.name
    storage = company.logo.storage
    # when a new SVG logo replaces it
    with django_capture_on_commit_callbacks(execute=True):
        company_logo_set(company=company, upload=SimpleUploadedFile("b.svg", SIMPLE_SVG))
    # then the row points to the new file and the old file is gone
    company.refresh_from_db()
    assert company.logo.name != first and company.logo_content_type == "image/svg+xml"
    assert storage.exists(str(company.logo.name))
    assert not storage.exists(str(first))


def test_company_logo_set_refuses_a_fake_and_keeps_the_old_logo(company: Company) -> None:
    company_logo_set(company=company, upload=SimpleUploadedFile("a.png", png_bytes()))
    before = snapshot(company)
    with pytest.raises(ValidationFailed):
        company_logo_set(company=company, upload=SimpleUploadedFile("b.png", b"GIF89a fake"))
    assert snapshot(company) == before
    assert company.logo.storage.exists(str(company.logo.name))


def test_company_logo_remove(company: Company, django_capture_on_commit_callbacks: Any) -> None:
    company_logo_set(company=company, upload=SimpleUploadedFile("a.png", png_bytes()))
    name = company.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        company_logo_remove(company=company)
    company.refresh_from_db()
    assert not company.logo
    assert not company.logo.storage.exists(str(name))
    # removing again is harmless
    company_logo_remove(company=company)


# --- member_create --------------------------------------------------------------------------


def test_member_create_with_a_password(company: Company, client: Client) -> None:
    created = member_create(
        company=company,
        full_name=" Ana Lopez ",
        email="Ana.Lopez@Example.com",
        role="manager",
        password="a-long-and-private-passphrase",
    )
    user = created.membership.user
    assert created.generated_password is None
    assert user.email == "ana.lopez@example.com" and user.full_name == "Ana Lopez"
    assert created.membership.company == company and created.membership.role == Role.MANAGER
    assert client.login(
        request=HttpRequest(),
        email="ana.lopez@example.com",
        password="a-long-and-private-passphrase",
    )


def test_member_create_generates_a_password_shown_once(company: Company, client: Client) -> None:
    created = member_create(company=company, full_name="Bo", email="bo@example.com", role="rep")
    assert created.generated_password and len(created.generated_password) == 16
    user = User.objects.get(email="bo@example.com")
    assert created.generated_password not in user.password  # stored hashed
    assert client.login(
        request=HttpRequest(), email="bo@example.com", password=created.generated_password
    )


def test_member_create_refuses_an_email_used_in_another_company(
    company: Company, other_company: Company
) -> None:
    member(other_company, email="taken@example.com")
    users, memberships = User.objects.count(), Membership.objects.count()
    # when an admin adds the same address (any case)
    with pytest.raises(ValidationFailed) as caught:
        member_create(company=company, full_name="T", email="TAKEN@example.com", role="rep")
    # then it is refused clearly and nothing is written
    assert "already has a Quotery account" in caught.value.field_errors["email"][0]
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"full_name": ""}, "full_name", "full name"),
        ({"email": "not-an-email"}, "email", "not an email address"),
        ({"email": ""}, "email", "Enter the person's email"),
        ({"role": "owner"}, "role", "Choose a role"),
        ({"password": "123"}, "password", "too short"),
        ({"password": "password123"}, "password", "too common"),
    ],
)
def test_member_create_refuses_bad_input_and_writes_nothing(
    company: Company, fields: dict[str, object], field: str, words: str
) -> None:
    data: dict[str, Any] = {
        "full_name": "Cy",
        "email": "cy@example.com",
        "role": "rep",
        "password": "",
    }
    data.update(fields)
    users = User.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        member_create(company=company, **data)
    assert words in " ".join(caught.value.field_errors[field])
    assert User.objects.count() == users


# --- roles and the last admin ---------------------------------------------------------------


def test_member_change_role(company: Company, rep: User, admin_user: User) -> None:
    changed = member_change_role(membership=rep.membership, role="finance", acting=admin_user)
    assert changed.role == Role.FINANCE
    assert Membership.objects.get(pk=rep.membership.pk).role == Role.FINANCE


def test_the_last_active_admin_cannot_demote_themselves(company: Company, admin_user: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        member_change_role(membership=admin_user.membership, role="rep", acting=admin_user)
    assert "You are the company's only active admin" in caught.value.field_errors["role"][0]
    assert Membership.objects.get(pk=admin_user.membership.pk).role == Role.ADMIN


def test_an_admin_can_step_down_when_another_admin_remains(
    company: Company, admin_user: User
) -> None:
    member(company, Role.ADMIN)
    member_change_role(membership=admin_user.membership, role="manager", acting=admin_user)
    assert Membership.objects.get(pk=admin_user.membership.pk).role == Role.MANAGER


def test_a_deactivated_admin_does_not_count_as_the_remaining_admin(
    company: Company, admin_user: User
) -> None:
    member(company, Role.ADMIN, is_active=False)
    # then the active one is still the last active admin
    with pytest.raises(ValidationFailed):
        member_change_role(membership=admin_user.membership, role="rep", acting=admin_user)


def test_admins_of_another_company_do_not_count(
    company: Company, other_company: Company, admin_user: User
) -> None:
    member(other_company, Role.ADMIN)
    with pytest.raises(ValidationFailed):
        member_deactivate(membership=admin_user.membership, acting=admin_user)


def test_member_change_role_refuses_an_unknown_role(rep: User) -> None:
    with pytest.raises(ValidationFailed):
        member_change_role(membership=rep.membership, role="boss")
    assert Membership.objects.get(pk=rep.membership.pk).role == Role.REP


# --- deactivate / reactivate ----------------------------------------------------------------


def test_member_deactivate_stops_login_and_reactivate_restores_it(
    rep: User, admin_user: User, client: Client
) -> None:
    member_deactivate(membership=rep.membership, acting=admin_user)
    assert not User.objects.get(pk=rep.pk).is_active
    assert not client.login(request=HttpRequest(), email=rep.email, password=DEFAULT_PASSWORD)
    # deactivating again changes nothing and raises nothing
    member_deactivate(membership=rep.membership, acting=admin_user)

    member_reactivate(membership=rep.membership)
    assert User.objects.get(pk=rep.pk).is_active
    assert client.login(request=HttpRequest(), email=rep.email, password=DEFAULT_PASSWORD)


def test_the_last_active_admin_cannot_deactivate_themselves(admin_user: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        member_deactivate(membership=admin_user.membership, acting=admin_user)
    assert "cannot deactivate yourself" in caught.value.message
    assert User.objects.get(pk=admin_user.pk).is_active


def test_an_admin_can_deactivate_another_admin_when_one_remains(
    company: Company, admin_user: User
) -> None:
    other_admin = member(company, Role.ADMIN)
    member_deactivate(membership=other_admin.membership, acting=admin_user)
    assert not User.objects.get(pk=other_admin.pk).is_active
