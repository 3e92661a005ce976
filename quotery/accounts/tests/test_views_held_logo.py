"""The settings page keeps a chosen logo when something else on the page is wrong: shown in
the preview, saved with the next successful save, and never another company's."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quotery.accounts.branding import CleanLogo
from quotery.accounts.factories import CompanyFactory
from quotery.accounts.held_logo import logo_hold
from quotery.accounts.models import Company, User
from quotery.accounts.services import company_logo_set
from quotery.accounts.tests.images import png_bytes
from quotery.accounts.tests.test_views import SETTINGS_URL, Login, settings_post, snapshot

pytestmark = pytest.mark.django_db


def held_value(html: str) -> str:
    match = re.search(r'name="held_logo" value="([^"]+)"', html)
    assert match, "no logo is held"
    return match.group(1)


def test_a_settings_error_keeps_the_chosen_logo_until_the_save(
    login: Login, admin_user: User, company: Company
) -> None:
    # given an admin who chooses a logo and mistypes the brand colour
    before = snapshot(company)
    http = login(admin_user)
    upload = SimpleUploadedFile("logo.png", png_bytes(colour="#0b7a3e"), content_type="image/png")
    response = http.post(SETTINGS_URL, settings_post(logo=upload, brand_colour="green"))

    # then nothing is saved, but the logo is kept: said so, shown, carried by the page
    assert response.status_code == 422
    page = response.content.decode()
    assert snapshot(company) == before
    assert "The logo you chose is kept" in page
    assert "Choose the file again" not in page
    # beside the field, and in the preview (also what it falls back to)
    assert page.count('src="data:image/png;base64,') == 3
    value = held_value(page)

    # when the colour is corrected and the form sent again without choosing the file
    response = http.post(SETTINGS_URL, settings_post(brand_colour="#0b7a3e", held_logo=value))

    # then the settings and the kept logo are saved together
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.brand_colour == "#0b7a3e"
    assert company.logo_content_type == "image/png"
    assert company.logo.read() == png_bytes(colour="#0b7a3e")


def test_a_kept_logo_survives_a_second_error_and_a_new_file_replaces_it(
    login: Login, admin_user: User, company: Company
) -> None:
    http = login(admin_user)
    first = SimpleUploadedFile("a.png", png_bytes(colour="#0b7a3e"))
    value = held_value(http.post(SETTINGS_URL, settings_post(logo=first, name="")).content.decode())

    # a second error without a new file still keeps it
    again = http.post(SETTINGS_URL, settings_post(name="", held_logo=value)).content.decode()
    assert "The logo you chose is kept" in again

    # a new, good file replaces it; a refused file drops it
    second = SimpleUploadedFile("b.png", png_bytes(colour="#000000"))
    replaced = http.post(SETTINGS_URL, settings_post(logo=second, name="", held_logo=value))
    assert held_value(replaced.content.decode()) != value
    bad = SimpleUploadedFile("c.png", b"\x89PNG\r\n\x1a\nfake")
    refused = http.post(SETTINGS_URL, settings_post(logo=bad, held_logo=value)).content.decode()
    assert 'name="held_logo"' not in refused
    assert "Choose the file again" in refused
    assert not Company.objects.get(pk=company.pk).logo


def test_removing_the_logo_wins_over_a_kept_one(
    login: Login, admin_user: User, company: Company
) -> None:
    company_logo_set(company=company, upload=SimpleUploadedFile("a.png", png_bytes()))
    value = logo_hold(
        company_id=company.pk,
        logo=CleanLogo(
            content=png_bytes(colour="#000000"), content_type="image/png", extension="png"
        ),
    )
    response = login(admin_user).post(
        SETTINGS_URL, settings_post(remove_logo="on", held_logo=value)
    )
    assert response.status_code == 302
    assert not Company.objects.get(pk=company.pk).logo


def test_another_companys_or_a_forged_logo_is_ignored(
    login: Login, admin_user: User, company: Company
) -> None:
    other = CompanyFactory()
    foreign = logo_hold(
        company_id=other.pk,
        logo=CleanLogo(content=png_bytes(), content_type="image/png", extension="png"),
    )
    http = login(admin_user)
    for value in (foreign, "forged", foreign[:-3] + "abc"):
        response = http.post(SETTINGS_URL, settings_post(held_logo=value))
        assert response.status_code == 302
        assert not Company.objects.get(pk=company.pk).logo


def test_the_preview_shows_the_client_page_header(
    login: Login, admin_user: User, company: Company
) -> None:
    company.brand_colour = "#ffd400"  # a pale yellow: dark text on it, darker links
    company.save()
    page = login(admin_user).get(SETTINGS_URL).content.decode()
    assert '<header class="portal-header">' in page
    assert f'<span class="portal-company" data-preview="name" >{company.name}</span>' in page
    assert (
        '<span class="portal-header__label">Quote '
        '<span class="portal-header__number">Q-2026-0001</span></span>'
    ) in page
    assert "--on-brand: #000000;" in page
    assert "--brand-ink: #816b00;" in page
    assert reverse("accounts:logo", args=[company.pk]) not in page
