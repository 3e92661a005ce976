"""Logos and cached quote PDFs with the files in an S3 bucket (moto's server, real HTTP):
uploaded through the settings page, served by Quotery's own view, typeset into the PDF, the
quote PDF stored once and read back, every client download still recorded.

Exercises: quotery.accounts.views.company_logo, quotery.accounts.services.company_update,
quotery.documents.services.quote_pdf, quotery.documents.services.branding_for_company,
quotery.portal.views.client.pdf
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from quotery.accounts.models import Company, User
from quotery.accounts.services import company_logo_set
from quotery.accounts.tests.images import png_bytes
from quotery.documents import rendering
from quotery.documents.services import branding_for_company, quote_pdf, quote_pdf_cache_key
from quotery.engagement.models import EventKind
from quotery.portal.tests.portal_fixtures import event_kinds, share_quote
from quotery.quotes.models import QuoteRevision
from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("accounts:settings")
SETTINGS_FORM = {
    "name": "Acme Office Supply",
    "brand_colour": "#aa3300",
    "portal_text": "Thank you for considering Acme.",
    "email_sender_name": "Acme Sales",
    "time_zone": "Europe/Vienna",
    "default_currency": "CHF",
    "default_tax_rate": "7.7",
    "default_validity_days": "21",
    "plan": "starter",
    "ip_recording": "anonymised",
}


def images_on_first_page(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages[0].images)


def test_a_logo_uploaded_in_settings_is_stored_in_the_bucket_and_served_by_quotery(
    s3_storage: Any,
    login: Callable[[User], Client],
    admin_user: User,
    company: Company,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # when an admin uploads a logo on the settings page
    logo = png_bytes(colour="#0a7d5a")
    upload = SimpleUploadedFile("logo.png", logo, content_type="image/png")
    client = login(admin_user)
    response = client.post(SETTINGS_URL, {**SETTINGS_FORM, "logo": upload})

    # then it is one object under logos/ in the bucket
    assert response.status_code == 302
    company.refresh_from_db()
    assert s3_storage.keys() == [company.logo.name]
    assert str(company.logo.name).startswith(f"logos/company-{company.pk}-")

    # and Quotery's own view streams it from there, public and sandboxed as before
    served = Client().get(reverse("accounts:logo", args=[company.pk]))
    assert served.status_code == 200
    assert served.streaming
    assert served.getvalue() == logo
    assert served["Content-Type"] == "image/png"
    assert served["Cache-Control"] == "public, max-age=300"
    assert "sandbox" in served["Content-Security-Policy"]

    # and a new logo replaces the object once the change commits
    first_name = company.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            SETTINGS_URL,
            {**SETTINGS_FORM, "logo": SimpleUploadedFile("new.png", png_bytes(colour="#111111"))},
        )
    company.refresh_from_db()
    assert company.logo.name != first_name
    assert s3_storage.keys("logos/") == [company.logo.name]


def test_a_logo_whose_object_is_gone_is_404_not_an_error(
    s3_storage: Any, company: Company, client: Client
) -> None:
    company_logo_set(company=company, upload=io.BytesIO(png_bytes()))
    s3_storage.server.client().delete_object(Bucket=s3_storage.name, Key=company.logo.name)

    assert client.get(reverse("accounts:logo", args=[company.pk])).status_code == 404


def test_the_quote_pdf_carries_the_logo_from_the_bucket(
    s3_storage: Any, company: Company, rep: User
) -> None:
    # given a company whose logo is in the bucket
    revision = QuoteRevision.objects.get(quote=share_quote(rep).quote, number=1)
    without_logo = quote_pdf(revision=revision, company=company)
    logo = png_bytes(colour="#0a7d5a")
    company_logo_set(company=company, upload=io.BytesIO(logo))

    # then the branding reads it from the bucket and the PDF shows it
    assert branding_for_company(company).logo == logo
    with_logo = quote_pdf(revision=revision, company=company)
    assert images_on_first_page(without_logo) == 0
    assert images_on_first_page(with_logo) == 1


def test_the_quote_pdf_is_stored_once_in_the_bucket_and_every_download_recorded(
    s3_storage: Any, rep: User, client: Client
) -> None:
    # given a shared quote
    shared = share_quote(rep)
    revision = QuoteRevision.objects.get(quote=shared.quote, number=1)
    key = quote_pdf_cache_key(revision=revision, company=shared.quote.company)
    before = event_kinds(shared.quote.pk)
    renders = rendering.render_count()

    # when the client downloads the PDF twice
    first = client.get(shared.pdf_url)
    second = client.get(shared.pdf_url)

    # then it was typeset once, stored as one object under documents/quote-pdfs/, and
    # both downloads were served its bytes and recorded
    assert first.status_code == second.status_code == 200
    assert rendering.render_count() == renders + 1
    assert s3_storage.keys("documents/") == [key]
    assert key.startswith(f"documents/quote-pdfs/{shared.quote.company_id}/")
    stored = s3_storage.server.client().get_object(Bucket=s3_storage.name, Key=key)
    assert first.content == second.content == stored["Body"].read()
    assert event_kinds(shared.quote.pk) == [*before, *[EventKind.PDF_DOWNLOADED] * 2]


def test_concurrent_first_quote_pdf_downloads_leave_one_object(
    s3_storage: Any, company: Company, rep: User
) -> None:
    # given a revision whose PDF is not stored yet, typeset by four requests at once
    revision = QuoteRevision.objects.get(quote=share_quote(rep).quote, number=1)

    results, errors = run_at_once([lambda: quote_pdf(revision=revision, company=company)] * 4)

    # then each got the same bytes, and one copy is stored
    assert errors == []
    assert len(set(results)) == 1  # type: ignore[arg-type]
    key = quote_pdf_cache_key(revision=revision, company=company)
    assert s3_storage.keys("documents/") == [key]
    assert quote_pdf(revision=revision, company=company) == results[0]
