"""The link's current choices on a quote with options follow the client off the page: into
the PDF they download before accepting, and onto the Request changes and Decline pages.
The rep's own documents keep the defaults."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.documents.services import quote_pdf
from quotery.portal.tests.portal_fixtures import Shared, share_options_quote
from quotery.quotes.models import QuoteRevision

pytestmark = pytest.mark.django_db

# The warranty added, oak chosen over walnut, 8 hours of installation: €2,939.96.
WARRANTY_OAK_8H = {"include": "0.1", "choose.1": "1.0", "quantity.0.2": "8"}


def choose(client, shared: Shared) -> None:
    response = client.post(reverse("portal:choices", args=[shared.token]), WARRANTY_OAK_8H)
    assert response.status_code == 303


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_client_s_pdf_shows_the_link_s_current_choices(client, rep):
    # given a client who added the warranty, chose oak and raised the hours to 8
    shared = share_options_quote(rep)
    choose(client, shared)

    # when they download the PDF before accepting
    response = client.get(shared.pdf_url)

    # then it shows the chosen lines, their total, and lists the options not taken
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Extended warranty" in text and "Oak" in text
    assert "2,939.96" in text and "2,775.76" not in text
    assert "Options not taken" in text and "Walnut (Finish)" in text


def test_the_client_s_pdf_shows_the_defaults_until_they_choose(client, rep):
    shared = share_options_quote(rep)

    text = pdf_text(client.get(shared.pdf_url).content)

    assert "2,775.76" in text
    assert "Extended warranty (Furniture)" in text and "Oak (Finish)" in text


def test_another_recipient_s_choices_stay_out_of_this_link_s_pdf(client, rep):
    shared = share_options_quote(rep)
    choose(client, shared)
    other = share_options_quote(rep, email="ben@client.test")

    text = pdf_text(client.get(other.pdf_url).content)

    assert "2,775.76" in text and "2,939.96" not in text


def test_the_rep_s_pdf_of_the_revision_keeps_the_defaults_whatever_the_client_chose(client, rep):
    shared = share_options_quote(rep)
    choose(client, shared)
    client.get(shared.pdf_url)  # the client's PDF is stored apart
    revision = QuoteRevision.objects.get(
        quote_id=shared.quote.pk, number=shared.quote.revision_number
    )

    text = pdf_text(quote_pdf(revision=revision, company=shared.quote.company))

    assert "2,775.76" in text and "2,939.96" not in text


@pytest.mark.parametrize("name", ["changes", "decline"])
def test_the_answer_pages_show_the_total_of_the_current_choices(client, rep, name):
    # given a client who changed their choices
    shared = share_options_quote(rep)
    choose(client, shared)

    # when they open Request changes or Decline
    html = client.get(reverse(f"portal:{name}", args=[shared.token])).content.decode()

    # then the page sums up the quote as they configured it, with its total
    assert "€2,939.96" in html and "€2,775.76" not in html
    assert "Your choices: Extended warranty, Installation × 8, Oak (Finish)." in html


@pytest.mark.parametrize("name", ["changes", "decline"])
def test_the_answer_pages_show_the_defaults_before_any_choice(client, rep, name):
    shared = share_options_quote(rep)

    html = client.get(reverse(f"portal:{name}", args=[shared.token])).content.decode()

    assert "€2,775.76" in html
    assert "Your choices: Installation × 6.5, Walnut (Finish)." in html


def test_a_refused_answer_re_renders_with_the_chosen_total(client, rep):
    shared = share_options_quote(rep)
    choose(client, shared)

    response = client.post(reverse("portal:changes", args=[shared.token]), {"message": "x" * 5000})

    assert response.status_code == 422
    assert "€2,939.96" in response.content.decode()


def test_staff_opening_the_link_s_answer_page_see_the_link_s_choices(client, rep, company):
    shared = share_options_quote(rep)
    choose(client, shared)
    client.force_login(member(company, Role.MANAGER))

    html = client.get(reverse("portal:decline", args=[shared.token])).content.decode()

    assert "€2,939.96" in html
