"""The acceptance pages under /p/<token>/ (quotery.portal.views.acceptance): the form, the
POST, the accepted page and the accepted PDF (SECURITY.md 9, 11, 13, 14, 18, 22, 23). The
staff download of the accepted PDF is the documents app's
(quotery/documents/tests/test_views.py)."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape

from quotery.catalog.factories import ProductFactory
from quotery.core.evidence_text import short_reference
from quotery.engagement.models import EventKind
from quotery.portal.services.acceptance import REVIEW_AGAIN
from quotery.portal.tests.portal_fixtures import (
    Shared,
    edit_and_share_again,
    footprint,
    latest_revision_hash,
    share_quote,
)
from quotery.quotes.models import QuoteState
from quotery.sharing.models import Acceptance

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605.1"


@pytest.fixture
def shared(rep, company) -> Shared:  # type: ignore[no-untyped-def]
    desk = ProductFactory(company=company, sku="DESK-1", stock=Decimal(4))
    return share_quote(rep, products=[desk, None], quantities=[Decimal(2), Decimal(1)])


def accept_url(shared: Shared, revision_hash: str | None = None) -> str:
    url = reverse("portal:accept", args=[shared.token])
    return f"{url}?r={revision_hash}" if revision_hash else url


def pdf_url(shared: Shared) -> str:
    return reverse("portal:accepted_pdf", args=[shared.token])


def form_data(shared: Shared, **changes: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
        "signer_name": "Anna Client",
        "signer_email": "anna@client.test",
        "consent": "on",
        "revision_hash": latest_revision_hash(shared.quote),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post_accept(client: HttpClient, shared: Shared, **changes: str | None):  # type: ignore[no-untyped-def]
    return client.post(
        accept_url(shared),
        form_data(shared, **changes),
        HTTP_USER_AGENT=UA,
        REMOTE_ADDR="198.51.100.4",
    )


def hidden_hash(html: str) -> str:
    match = re.search(r'name="revision_hash" value="([0-9a-f]{64})"', html)
    assert match, "the form carries the revision's content hash"
    return match.group(1)


# -- the form ------------------------------------------------------------------------------------


def test_security_11_the_form_asks_for_a_deliberate_act(client: HttpClient, shared: Shared) -> None:
    # when the client opens Accept from the page (which links with the revision's hash)
    response = client.get(accept_url(shared, latest_revision_hash(shared.quote)))

    # then a form with a typed name, the email, an unticked consent box and a CSRF token
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input type="text" name="signer_name"[^>]*id="id_signer_name"', html)
    assert '<label for="id_signer_name"' in html
    assert re.search(r'<input type="email" name="signer_email" value="anna@client.test"', html)
    checkbox = re.search(r'<input type="checkbox" name="consent"[^>]*>', html)
    assert checkbox and "checked" not in checkbox.group(0)
    assert 'name="csrfmiddlewaretoken"' in html
    assert hidden_hash(html) == latest_revision_hash(shared.quote)
    assert "electronically" in html and shared.quote.number in html
    assert ">Accept</button>" in html


def test_the_page_links_to_the_form_with_the_revision_it_shows(
    client: HttpClient, shared: Shared
) -> None:
    html = client.get(shared.url).content.decode()
    assert f'href="{accept_url(shared, latest_revision_hash(shared.quote))}"' in html


@pytest.mark.parametrize("method", ["get", "head"])
def test_security_9_opening_the_form_changes_nothing(
    client: HttpClient, shared: Shared, method: str
) -> None:
    before = footprint(shared.quote)
    for _ in range(3):
        response = getattr(client, method)(accept_url(shared, latest_revision_hash(shared.quote)))
        assert response.status_code == 200
    assert footprint(shared.quote) == before


def test_security_13_a_form_opened_from_an_older_page_asks_for_a_review(
    client: HttpClient, shared: Shared
) -> None:
    seen = latest_revision_hash(shared.quote)
    edit_and_share_again(shared)
    response = client.get(accept_url(shared, seen))
    html = response.content.decode()
    assert response.status_code == 200
    assert escape(REVIEW_AGAIN) in html
    assert 'name="signer_name"' not in html


# -- the POST ------------------------------------------------------------------------------------


def test_accepting_records_and_shows_the_accepted_page(client: HttpClient, shared: Shared) -> None:
    # when the client fills in the form and accepts
    response = post_accept(client, shared)

    # then they land on the quote page, which says so and shows the evidence
    assert response.status_code == 302
    assert response["Location"] == f"{shared.url}?done=accepted"
    acceptance = Acceptance.objects.get()
    assert acceptance.user_agent == UA and acceptance.ip == "198.51.100.4"
    page = client.get(response["Location"]).content.decode()
    assert "your acceptance is recorded" in page
    assert "Accepted by <strong>Anna Client</strong> (anna@client.test)" in page
    assert f'href="{pdf_url(shared)}"' in page and "Download accepted PDF" in page
    # a short reference to read, the full signature hash one click away
    reference = short_reference(acceptance.signature_hash)
    assert f'<code class="reference">{reference}</code>' in page
    assert re.search(
        rf"<details[^>]*><summary>Full signature hash</summary><p><code class=\"hash\">"
        rf"{acceptance.signature_hash}</code>",
        page,
    )
    assert "signature code" not in page.lower()
    # and the quote no longer reads as an open offer: the date it was accepted, not its validity
    assert "<dt>Accepted</dt>" in page and "Valid until" not in page

    # and the accept address now shows the accepted summary with the PDF link
    summary = client.get(accept_url(shared)).content.decode()
    assert "Quote accepted" in summary and shared.quote.number in summary
    assert "<strong>Anna Client</strong>" in summary
    assert f'href="{pdf_url(shared)}"' in summary
    assert 'name="signer_name"' not in summary


ERRORS = {
    "no name": ({"signer_name": ""}, "Type your full name"),
    "bad email": ({"signer_email": "anna-at-client"}, "Enter your email address, like"),
    "no consent": ({"consent": None}, "Tick the box"),
}


@pytest.mark.parametrize("case", ERRORS.values(), ids=ERRORS.keys())
def test_a_form_with_errors_answers_422_keeps_the_input_and_records_nothing(
    client: HttpClient, shared: Shared, case
) -> None:  # type: ignore[no-untyped-def]
    changes, message = case
    before = footprint(shared.quote)

    response = post_accept(client, shared, **changes)

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "Nothing was recorded yet" in html
    kept = form_data(shared, **changes)
    if kept.get("signer_name"):
        assert f'value="{kept["signer_name"]}"' in html
    if kept.get("signer_email"):
        assert f'value="{kept["signer_email"]}"' in html
    checkbox = re.search(r'<input type="checkbox" name="consent"[^>]*>', html)
    assert checkbox and (("checked" in checkbox.group(0)) == ("consent" in kept))
    assert hidden_hash(html) == latest_revision_hash(shared.quote)
    assert footprint(shared.quote) == before


def test_hostile_input_comes_back_escaped(client: HttpClient, shared: Shared) -> None:
    response = post_accept(client, shared, signer_name="<script>alert(1)</script>", consent=None)
    html = response.content.decode()
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_security_13_a_page_loaded_before_the_edit_gets_409_and_nothing_recorded(
    client: HttpClient, shared: Shared
) -> None:
    # given the client loaded the form, then the rep edited and shared the quote again
    form = client.get(accept_url(shared, latest_revision_hash(shared.quote))).content.decode()
    seen = hidden_hash(form)
    edit_and_share_again(shared)
    before = footprint(shared.quote)

    # when the client submits the form they had
    response = post_accept(client, shared, revision_hash=seen)

    # then they are asked to review the new version; nothing is recorded
    assert response.status_code == 409
    html = response.content.decode()
    assert escape(REVIEW_AGAIN) in html and "Review the quote" in html
    assert footprint(shared.quote) == before


def test_security_18_a_repeat_post_gets_the_friendly_already_accepted_page(
    client: HttpClient, shared: Shared
) -> None:
    assert post_accept(client, shared).status_code == 302
    before = footprint(shared.quote)

    # a double click, a refresh or a second tab
    repeat = post_accept(client, shared)

    assert repeat.status_code == 200
    html = repeat.content.decode()
    assert "This quote has already been accepted." in html
    assert f'href="{pdf_url(shared)}"' in html
    assert footprint(shared.quote) == before


@pytest.mark.parametrize("state", [QuoteState.CANCELLED, "expired"])
def test_a_quote_that_is_no_longer_open_is_refused_with_a_reason(
    client: HttpClient, shared: Shared, rep, state: str
) -> None:  # type: ignore[no-untyped-def]
    from quotery.portal.tests.portal_fixtures import expire
    from quotery.quotes.services.quotes import quote_cancel

    if state == "expired":
        expire(shared.quote)
    else:
        quote_cancel(quote=shared.quote, user=rep)
    before = footprint(shared.quote)

    form = client.get(accept_url(shared)).content.decode()
    response = post_accept(client, shared)

    assert 'name="signer_name"' not in form
    assert response.status_code == 409
    reason = "expired" if state == "expired" else "withdrawn"
    assert reason in form and reason in response.content.decode()
    assert footprint(shared.quote) == before


def test_security_4_a_revoked_link_gets_the_one_404(
    client: HttpClient, shared: Shared, rep
) -> None:  # type: ignore[no-untyped-def]
    from quotery.portal.services.sharing import share_revoke

    share_revoke(share=shared.share, user=rep)
    before = footprint(shared.quote)
    assert client.get(accept_url(shared)).status_code == 404
    assert post_accept(client, shared).status_code == 404
    assert footprint(shared.quote) == before


# -- CSRF and Origin -------------------------------------------------------------------------------


def test_security_22_a_post_without_the_csrf_token_is_refused(shared: Shared) -> None:
    browser = HttpClient(enforce_csrf_checks=True)
    browser.get(accept_url(shared, latest_revision_hash(shared.quote)))  # sets the CSRF cookie
    before = footprint(shared.quote)

    response = browser.post(accept_url(shared), form_data(shared))

    assert response.status_code == 403
    assert footprint(shared.quote) == before


def test_security_22_a_cross_site_origin_is_refused(shared: Shared) -> None:
    browser = HttpClient(enforce_csrf_checks=True)
    html = browser.get(accept_url(shared, latest_revision_hash(shared.quote))).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match
    token = match.group(1)
    before = footprint(shared.quote)

    refused = browser.post(
        accept_url(shared),
        {**form_data(shared), "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://evil.example",
    )
    assert refused.status_code == 403
    assert footprint(shared.quote) == before

    # the same form from the site's own origin goes through
    accepted = browser.post(
        accept_url(shared),
        {**form_data(shared), "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://testserver",
    )
    assert accepted.status_code == 302
    assert Acceptance.objects.count() == 1


# -- the accepted PDF ------------------------------------------------------------------------------


def test_security_14_the_accepted_pdf_downloads_byte_identical(
    client: HttpClient, shared: Shared
) -> None:
    post_accept(client, shared)

    first = client.get(pdf_url(shared))
    second = client.get(pdf_url(shared))

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"].endswith('-accepted.pdf"')
    assert first["Cache-Control"] == "no-store"
    assert first.content.startswith(b"%PDF")
    assert first.content == second.content
    acceptance = Acceptance.objects.get()
    assert acceptance.pdf_sha256 == hashlib.sha256(first.content).hexdigest()


def test_the_accepted_pdf_before_an_acceptance_goes_back_to_the_page(
    client: HttpClient, shared: Shared
) -> None:
    before = footprint(shared.quote)
    response = client.get(pdf_url(shared))
    assert response.status_code == 302 and response["Location"] == shared.url
    assert footprint(shared.quote) == before


def test_security_9_downloading_the_accepted_pdf_changes_no_business_state(
    client: HttpClient, shared: Shared
) -> None:
    post_accept(client, shared)
    client.get(pdf_url(shared))  # the first download stores the sealed PDF
    before = footprint(shared.quote)

    # HEAD records nothing at all
    assert client.head(pdf_url(shared)).status_code == 200
    assert footprint(shared.quote) == before

    # a client's GET records only that the accepted copy was downloaded
    assert client.get(pdf_url(shared)).status_code == 200
    after = footprint(shared.quote)
    new_events = list(after.pop("events"))  # type: ignore[call-overload]
    old_events = list(before.pop("events"))  # type: ignore[call-overload]
    assert after == before
    assert new_events[: len(old_events)] == old_events
    assert [kind for _quote, kind in new_events[len(old_events) :]] == [EventKind.PDF_DOWNLOADED]


# -- staff ---------------------------------------------------------------------------------------


def test_staff_visits_record_nothing(login, shared: Shared, rep) -> None:  # type: ignore[no-untyped-def]
    staff = login(rep)
    before = footprint(shared.quote)
    assert staff.get(accept_url(shared, latest_revision_hash(shared.quote))).status_code == 200
    assert staff.get(pdf_url(shared)).status_code == 302  # not accepted yet
    assert footprint(shared.quote) == before

    HttpClient().post(accept_url(shared), form_data(shared))  # the client accepts
    HttpClient().get(pdf_url(shared))  # and downloads once: the sealed PDF is stored
    before = footprint(shared.quote)

    for url in (accept_url(shared), pdf_url(shared)):
        assert staff.get(url).status_code == 200
        assert staff.head(url).status_code == 200
    assert footprint(shared.quote) == before


# -- the POST that loses a race --------------------------------------------------------------------


def test_security_18_a_post_that_lost_the_race_gets_the_accepted_summary(
    client: HttpClient, shared: Shared, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Another tab's acceptance commits after this POST read the link and before it takes
    the quote's lock (what 20 parallel requests do on PostgreSQL), reproduced in order."""
    from quotery.portal.tests.portal_fixtures import accept_shared
    from quotery.portal.views import acceptance as views
    from quotery.sharing.models import PortalShare

    real_accept = views.quote_accept

    def other_tab_first(**kwargs):  # type: ignore[no-untyped-def]
        fresh = PortalShare.objects.get(pk=shared.share.pk)
        accept_shared(Shared(quote=shared.quote, share=fresh, token=shared.token))
        return real_accept(**kwargs)

    monkeypatch.setattr(views, "quote_accept", other_tab_first)

    response = post_accept(client, shared)

    assert response.status_code == 200
    html = response.content.decode()
    assert "This quote has already been accepted." in html
    assert "Quote accepted" in html and "<strong>Anna Client</strong>" in html
    assert f'href="{pdf_url(shared)}"' in html
    assert "Review the quote" not in html


def test_security_13_a_post_that_crossed_an_edit_shows_the_new_version(
    client: HttpClient, shared: Shared, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The rep's edit commits after this POST read the link and before it takes the lock."""
    from quotery.portal.views import acceptance as views

    real_accept = views.quote_accept

    def edit_first(**kwargs):  # type: ignore[no-untyped-def]
        edit_and_share_again(shared)
        return real_accept(**kwargs)

    monkeypatch.setattr(views, "quote_accept", edit_first)
    response = post_accept(client, shared)

    assert response.status_code == 409
    html = response.content.decode()
    assert escape(REVIEW_AGAIN) in html
    assert "<div><dt>Version</dt><dd>2</dd></div>" in html
