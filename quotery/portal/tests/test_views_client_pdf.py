"""The client's PDF download behind a portal link."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.portal.services.sharing import share_revoke
from quotery.portal.tests.portal_fixtures import event_kinds, share_quote

pytestmark = pytest.mark.django_db


def test_client_pdf_downloads_the_shared_revision_and_records_the_download(client, rep):
    # given a shared quote
    shared = share_quote(rep)
    before = event_kinds(shared.quote.pk)

    # when the client downloads the PDF
    response = client.get(shared.pdf_url)

    # then it is an attachment named after the quote, showing its lines and total
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{shared.quote.number}.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Item 1.1" in text and "Item 2.3" in text
    assert f"{shared.quote.total:,.2f}" in text
    # and the download is in the engagement log, with the recipient
    assert event_kinds(shared.quote.pk) == [*before, EventKind.PDF_DOWNLOADED]
    event = QuoteEvent.objects.filter(quote=shared.quote).order_by("-sequence").first()
    assert event is not None and event.recipient_email == "anna@client.test"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_client_pdf_head_and_staff_downloads_record_nothing(client, login, rep):
    shared = share_quote(rep)
    before = event_kinds(shared.quote.pk)

    head = client.head(shared.pdf_url)
    staff = login(member(rep.membership.company, Role.MANAGER)).get(shared.pdf_url)

    assert head.status_code == 200 and staff.status_code == 200
    assert staff.content.startswith(b"%PDF")
    assert event_kinds(shared.quote.pk) == before


def test_client_pdf_of_a_revoked_link_is_the_same_404(client, rep):
    shared = share_quote(rep)
    share_revoke(share=shared.share, user=rep)
    before = event_kinds(shared.quote.pk)

    response = client.get(shared.pdf_url)

    assert response.status_code == 404
    assert response.content == client.get("/p/" + "Z" * 44 + "/").content
    assert event_kinds(shared.quote.pk) == before
