"""Settings and user management pages: admins only, clear errors, nothing saved on error,
and no way into another company's members (SECURITY.md 23)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Membership, Role, User
from quotery.accounts.services import company_logo_set
from quotery.accounts.tests.images import SIMPLE_SVG, png_bytes

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]

SETTINGS_URL = reverse("accounts:settings")


def settings_post(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Acme Office Supply",
        "brand_colour": "#aa3300",
        "portal_text": "Thank you for considering Acme.",
        "email_sender_name": "Acme Sales",
        "time_zone": "Europe/Vienna",
        "default_currency": "CHF",
        "default_tax_rate": "7.7",
        "default_validity_days": "21",
        "plan": "starter",
        "finance_gate": "on",
        "ip_recording": "anonymised",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def snapshot(company: Company) -> dict[str, object]:
    company.refresh_from_db()
    data = model_to_dict(company)
    data["logo"] = company.logo.name
    return data


def field_errors(response: Any, name: str) -> str:
    """The error text shown for one field (Django renders it in the field's group)."""
    form = response.context["form"]
    return " ".join(form.errors.get(name, []))


# --- who may open the pages -----------------------------------------------------------------

ADMIN_PAGES = [
    ("accounts:settings", False),
    ("accounts:members", False),
    ("accounts:member_new", False),
    ("accounts:member_detail", True),
]


@pytest.mark.parametrize("role_fixture", ["rep", "manager", "finance"])
@pytest.mark.parametrize(("url_name", "needs_pk"), ADMIN_PAGES)
def test_other_roles_get_404_on_admin_pages(
    request: pytest.FixtureRequest,
    login: Login,
    admin_user: User,
    role_fixture: str,
    url_name: str,
    needs_pk: bool,
) -> None:
    user = request.getfixturevalue(role_fixture)
    kwargs = {"pk": admin_user.membership.pk} if needs_pk else {}
    response = login(user).get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 404


@pytest.mark.parametrize("role_fixture", ["rep", "manager", "finance"])
def test_other_roles_cannot_post_changes(
    request: pytest.FixtureRequest,
    login: Login,
    company: Company,
    admin_user: User,
    role_fixture: str,
) -> None:
    user = request.getfixturevalue(role_fixture)
    client = login(user)
    before = snapshot(company)
    assert client.post(SETTINGS_URL, settings_post()).status_code == 404
    target = admin_user.membership.pk
    for name in (
        "accounts:member_deactivate",
        "accounts:member_reactivate",
        "accounts:member_detail",
    ):
        assert client.post(reverse(name, args=[target]), {"role": "rep"}).status_code == 404
    assert client.post(reverse("accounts:member_new"), {}).status_code == 404
    assert snapshot(company) == before
    assert Membership.objects.get(pk=target).role == Role.ADMIN
    assert User.objects.get(pk=admin_user.pk).is_active


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(SETTINGS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- company settings -----------------------------------------------------------------------


def test_admin_sees_the_settings_page_with_preview_and_plans(
    login: Login, admin_user: User, company: Company
) -> None:
    response = login(admin_user).get(SETTINGS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "Company name",
        "Logo",
        "Brand colour",
        "Portal text",
        "Email sender name",
        "Time zone",
        "Default currency",
        "Default tax rate (%)",
        "Default validity (days)",
        "Finance approval gate",
    ):
        assert re.search(rf"<label[^>]*>[^<]*(<input[^>]*>)?\s*{re.escape(label)}", html), label
    assert 'id="branding-preview"' in html
    assert f"--brand: {company.brand_colour}" in html
    assert "Portal engagement analytics" in html  # what Pro includes
    # the preview script is a static file: no inline script on the page
    assert "js/branding-preview.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_admin_saves_the_settings(login: Login, admin_user: User, company: Company) -> None:
    response = login(admin_user).post(SETTINGS_URL, settings_post())
    assert response.status_code == 302 and response["Location"] == SETTINGS_URL
    company.refresh_from_db()
    assert company.name == "Acme Office Supply"
    assert company.brand_colour == "#aa3300"
    assert company.default_currency == "CHF"
    assert str(company.default_tax_rate.normalize()) == "7.7"
    assert company.default_validity_days == 21
    assert company.plan == "starter" and company.finance_gate is True
    # the finance gate unticked switches it off again
    login(admin_user).post(SETTINGS_URL, settings_post(finance_gate=None, plan="pro"))
    company.refresh_from_db()
    assert company.finance_gate is False and company.plan == "pro"


@pytest.mark.parametrize(
    ("field", "typed", "words"),
    [
        ("brand_colour", "bluish", "is not a colour"),
        ("time_zone", "Europe/Atlantis", "not a time zone"),
        ("default_tax_rate", "twenty", "Enter the tax rate as a number"),
        ("default_tax_rate", "120", "between 0 % and 100 %"),
        ("default_validity_days", "400", "1 to 365"),
        ("default_validity_days", "3.5", "whole number of days"),
        ("default_currency", "DOGE", "not a currency Quotery supports"),
        ("plan", "gold", "Starter or the Pro"),
        ("name", "", "Enter the company's name"),
    ],
)
def test_bad_settings_show_a_clear_error_keep_typed_values_and_save_nothing(
    login: Login, admin_user: User, company: Company, field: str, typed: str, words: str
) -> None:
    before = snapshot(company)
    response = login(admin_user).post(
        SETTINGS_URL,
        settings_post(**{field: typed, "name": typed if field == "name" else "Typed Name"}),
    )
    assert response.status_code == 422
    assert words in field_errors(response, field)
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert 'aria-invalid="true"' in html
    if field not in {"default_currency", "plan", "name"}:
        assert f'value="{typed}"' in html  # what was typed stays in the field
    if field != "name":
        assert 'value="Typed Name"' in html
    assert snapshot(company) == before


def test_a_bad_logo_is_refused_with_nothing_saved(
    login: Login, admin_user: User, company: Company
) -> None:
    before = snapshot(company)
    fake = SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\nfake", content_type="image/png")
    response = login(admin_user).post(SETTINGS_URL, settings_post(logo=fake))
    assert response.status_code == 422
    assert "damaged or incomplete" in field_errors(response, "logo")
    assert "Choose the file again" in response.content.decode()
    assert snapshot(company) == before


def test_an_oversized_logo_is_refused(login: Login, admin_user: User, company: Company) -> None:
    big = SimpleUploadedFile("logo.png", png_bytes() + b"\0" * (1024 * 1024))
    response = login(admin_user).post(SETTINGS_URL, settings_post(logo=big))
    assert response.status_code == 422
    assert "the limit is 1 MB" in field_errors(response, "logo")
    assert not Company.objects.get(pk=company.pk).logo


def test_uploading_and_removing_a_logo(
    login: Login, admin_user: User, company: Company, client: Client
) -> None:
    svg = SIMPLE_SVG.replace(b"<rect", b'<rect onclick="steal()"')
    upload = SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml")
    response = login(admin_user).post(SETTINGS_URL, settings_post(logo=upload))
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.logo_content_type == "image/svg+xml"

    # the logo is served with its type and a sandboxing policy, without the handler
    logo = client.get(reverse("accounts:logo", args=[company.pk]))
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/svg+xml"
    assert "sandbox" in logo["Content-Security-Policy"]
    body = logo.getvalue()
    assert b"steal" not in body and b"<rect" in body

    # the settings page shows it in the form and the preview
    page = client.get(SETTINGS_URL).content.decode()
    assert reverse("accounts:logo", args=[company.pk]) in page

    response = client.post(SETTINGS_URL, settings_post(remove_logo="on"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:logo", args=[company.pk])).status_code == 404


def test_uploading_and_removing_at_once_is_refused(
    login: Login, admin_user: User, company: Company
) -> None:
    company_logo_set(company=company, upload=SimpleUploadedFile("a.png", png_bytes()))
    before = snapshot(company)
    upload = SimpleUploadedFile("b.png", png_bytes(colour="#000000"))
    response = login(admin_user).post(SETTINGS_URL, settings_post(logo=upload, remove_logo="on"))
    assert response.status_code == 422
    assert "not both" in field_errors(response, "remove_logo")
    assert snapshot(company) == before


def test_logo_of_a_company_without_one_is_404(client: Client, company: Company) -> None:
    assert client.get(reverse("accounts:logo", args=[company.pk])).status_code == 404
    assert client.get(reverse("accounts:logo", args=[987654])).status_code == 404


# --- user management --------------------------------------------------------------------------


def test_admin_sees_the_members_of_their_company(
    login: Login, admin_user: User, rep: User, finance: User
) -> None:
    rep.is_active = False
    rep.save()
    response = login(admin_user).get(reverse("accounts:members"))
    html = response.content.decode()
    assert response.status_code == 200
    for user in (admin_user, rep, finance):
        assert user.email in html
    assert "Deactivated" in html and "Sales rep" in html and "Finance" in html


def test_admin_adds_a_user_with_a_generated_password(
    login: Login, admin_user: User, company: Company, client: Client
) -> None:
    response = login(admin_user).post(
        reverse("accounts:member_new"),
        {"full_name": "Dee Diaz", "email": "dee@example.com", "role": "finance", "password": ""},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = response.context["created"].generated_password
    assert password and password in response.content.decode()
    membership = Membership.objects.get(user__email="dee@example.com")
    assert membership.company == company and membership.role == Role.FINANCE
    client.logout()
    assert client.login(request=HttpRequest(), email="dee@example.com", password=password)


def test_admin_adds_a_user_with_a_chosen_password(
    login: Login, admin_user: User, company: Company
) -> None:
    response = login(admin_user).post(
        reverse("accounts:member_new"),
        {
            "full_name": "Eli",
            "email": "eli@example.com",
            "role": "rep",
            "password": "quiet-orange-kettle-42",
        },
    )
    assert response.status_code == 200
    assert response.context["created"].generated_password is None
    assert "quiet-orange-kettle-42" not in response.content.decode()


def test_adding_a_taken_email_shows_a_clear_error_and_keeps_the_typed_values(
    login: Login, admin_user: User, other_company: Company
) -> None:
    member(other_company, email="taken@example.com")
    users = User.objects.count()
    response = login(admin_user).post(
        reverse("accounts:member_new"),
        {"full_name": "Fay Field", "email": "taken@example.com", "role": "manager"},
    )
    assert response.status_code == 422
    assert "already has a Quotery account" in field_errors(response, "email")
    html = response.content.decode()
    assert 'value="Fay Field"' in html and 'value="taken@example.com"' in html
    assert '<option value="manager" selected>' in html
    assert User.objects.count() == users


def test_adding_a_user_without_a_name_or_valid_email(login: Login, admin_user: User) -> None:
    users = User.objects.count()
    response = login(admin_user).post(
        reverse("accounts:member_new"), {"full_name": "", "email": "nope", "role": "rep"}
    )
    assert response.status_code == 422
    assert "full name" in field_errors(response, "full_name")
    assert "not an email address" in field_errors(response, "email")
    assert User.objects.count() == users


def test_admin_changes_a_role(login: Login, admin_user: User, rep: User) -> None:
    url = reverse("accounts:member_detail", args=[rep.membership.pk])
    client = login(admin_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"role": "manager"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=rep.membership.pk).role == Role.MANAGER


def test_the_last_admin_demoting_themselves_gets_a_clear_message(
    login: Login, admin_user: User
) -> None:
    url = reverse("accounts:member_detail", args=[admin_user.membership.pk])
    response = login(admin_user).post(url, {"role": "rep"})
    assert response.status_code == 422
    assert "You are the company's only active admin" in field_errors(response, "role")
    assert Membership.objects.get(pk=admin_user.membership.pk).role == Role.ADMIN


def test_admin_deactivates_and_reactivates_a_member(
    login: Login, admin_user: User, rep: User
) -> None:
    client = login(admin_user)
    pk = rep.membership.pk
    assert client.get(reverse("accounts:member_deactivate", args=[pk])).status_code == 405
    response = client.post(reverse("accounts:member_deactivate", args=[pk]), follow=True)
    assert "can no longer log in" in response.content.decode()
    assert not User.objects.get(pk=rep.pk).is_active
    response = client.post(reverse("accounts:member_reactivate", args=[pk]), follow=True)
    assert "can log in again" in response.content.decode()
    assert User.objects.get(pk=rep.pk).is_active


def test_the_last_admin_cannot_deactivate_themselves(login: Login, admin_user: User) -> None:
    url = reverse("accounts:member_deactivate", args=[admin_user.membership.pk])
    response = login(admin_user).post(url, follow=True)
    assert "You are the company's only active admin" in html.unescape(response.content.decode())
    assert User.objects.get(pk=admin_user.pk).is_active


def test_a_deactivated_member_is_logged_out(
    login: Login, admin_user: User, rep: User, client: Client
) -> None:
    from django.test import Client

    rep_client = Client()
    assert rep_client.login(
        request=HttpRequest(), email=rep.email, password="correct-horse-battery-staple"
    )
    assert rep_client.get(reverse("quotes:list")).status_code == 200
    login(admin_user).post(reverse("accounts:member_deactivate", args=[rep.membership.pk]))
    assert rep_client.get(reverse("quotes:list")).status_code == 302


# --- SECURITY.md 23: another company's members answer 404 -----------------------------------


@pytest.fixture
def foreign_member(other_company: Company) -> User:
    member(other_company, Role.ADMIN)  # so the foreign user is not their company's last admin
    return member(other_company, Role.REP, email="foreign@other.test", full_name="Foreign Person")


def test_security_23_member_list_shows_only_own_company(
    login: Login, admin_user: User, foreign_member: User
) -> None:
    html = login(admin_user).get(reverse("accounts:members")).content.decode()
    assert admin_user.email in html
    assert foreign_member.email not in html and "Foreign Person" not in html


def test_security_23_member_detail_of_another_company_is_404(
    login: Login, admin_user: User, foreign_member: User
) -> None:
    url = reverse("accounts:member_detail", args=[foreign_member.membership.pk])
    assert login(admin_user).get(url).status_code == 404


def test_security_23_role_change_of_another_company_is_404(
    login: Login, admin_user: User, foreign_member: User
) -> None:
    url = reverse("accounts:member_detail", args=[foreign_member.membership.pk])
    assert login(admin_user).post(url, {"role": "admin"}).status_code == 404
    assert Membership.objects.get(pk=foreign_member.membership.pk).role == Role.REP


def test_security_23_deactivate_of_another_company_is_404(
    login: Login, admin_user: User, foreign_member: User
) -> None:
    url = reverse("accounts:member_deactivate", args=[foreign_member.membership.pk])
    assert login(admin_user).post(url).status_code == 404
    assert User.objects.get(pk=foreign_member.pk).is_active


def test_security_23_reactivate_of_another_company_is_404(
    login: Login, admin_user: User, foreign_member: User
) -> None:
    foreign_member.is_active = False
    foreign_member.save()
    url = reverse("accounts:member_reactivate", args=[foreign_member.membership.pk])
    assert login(admin_user).post(url).status_code == 404
    assert not User.objects.get(pk=foreign_member.pk).is_active


def test_security_23_unknown_member_id_is_404(login: Login, admin_user: User) -> None:
    url = reverse("accounts:member_detail", args=[987654])
    assert login(admin_user).get(url).status_code == 404


def test_security_23_new_member_joins_only_the_admins_company(
    login: Login, admin_user: User, company: Company, other_company: Company
) -> None:
    login(admin_user).post(
        reverse("accounts:member_new"),
        {
            "full_name": "Gil",
            "email": "gil@example.com",
            "role": "rep",
            "company": other_company.pk,
        },
    )
    assert Membership.objects.get(user__email="gil@example.com").company == company


def test_security_23_settings_change_only_the_admins_company(
    login: Login, admin_user: User, company: Company, other_company: Company
) -> None:
    before = snapshot(other_company)
    response = login(admin_user).post(
        SETTINGS_URL, settings_post(company=other_company.pk, id=other_company.pk)
    )
    assert response.status_code == 302
    assert snapshot(other_company) == before
    assert Company.objects.get(pk=company.pk).name == "Acme Office Supply"


def test_every_bad_setting_is_reported_in_one_round_trip(
    login: Login, admin_user: User, company: Company
) -> None:
    before = snapshot(company)
    response = login(admin_user).post(
        SETTINGS_URL,
        settings_post(default_tax_rate="twenty", brand_colour="red", time_zone="Nowhere"),
    )
    assert response.status_code == 422
    assert "as a number" in field_errors(response, "default_tax_rate")
    assert "is not a colour" in field_errors(response, "brand_colour")
    assert "not a time zone" in field_errors(response, "time_zone")
    assert snapshot(company) == before


def test_the_last_admin_is_warned_on_their_own_page(login: Login, admin_user: User) -> None:
    url = reverse("accounts:member_detail", args=[admin_user.membership.pk])
    page = html.unescape(login(admin_user).get(url).content.decode())
    assert "You are the company's only active admin" in page


def test_the_default_tax_rate_is_shown_as_typed_by_people(
    login: Login, admin_user: User, company: Company
) -> None:
    page = login(admin_user).get(SETTINGS_URL).content.decode()
    assert 'name="default_tax_rate" value="20"' in page


def test_admin_chooses_how_client_ips_are_recorded(admin_user, company, login) -> None:  # type: ignore[no-untyped-def]
    # when the admin turns IP recording off
    response = login(admin_user).post(SETTINGS_URL, settings_post(ip_recording="off"))

    # then it is saved
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.ip_recording == "off"


def test_an_unknown_ip_recording_choice_is_refused(admin_user, company, login) -> None:  # type: ignore[no-untyped-def]
    response = login(admin_user).post(SETTINGS_URL, settings_post(ip_recording="everything"))

    assert response.status_code == 422
    assert "Choose how client IP addresses are recorded." in response.content.decode()
    company.refresh_from_db()
    assert company.ip_recording == "anonymised"
