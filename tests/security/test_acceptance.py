"""SECURITY.md 9, 11-15, 17, 18, 21-23 as they apply to the client's acceptance.

The acceptance service, view, email and reliability tests check the same lines from their
side (quotery/portal/tests/test_*_acceptance.py, tests/reliability/); this file holds the
checks that look at acceptance the way an attacker, a link scanner or an auditor would.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.acceptance.quote_accept, quotery.documents.acceptance.accepted_pdf,
quotery.sharing.signatures.signature_hash, quotery.documents.views.accepted_quote_pdf,
quotery.portal.views.acceptance.accept, quotery.portal.views.acceptance.accepted_pdf_download,
quotery.portal.views.client.page, quotery.portal.views.client.pdf,
quotery.quotes.views.quote_detail, quotery.quotes.views.quote_edit
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.core.canonical import canonical_json
from quotery.documents.acceptance import accepted_pdf
from quotery.portal.tests.portal_fixtures import (
    Shared,
    accept_shared,
    footprint,
    latest_revision_hash,
    share_quote,
)
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.models import Acceptance
from quotery.sharing.signatures import signature_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(rep, company) -> Shared:  # type: ignore[no-untyped-def]
    desk = ProductFactory(company=company, sku="DESK-1", stock=Decimal(3))
    return share_quote(rep, products=[desk, None], quantities=[Decimal(2), Decimal(1)])


def urls(shared: Shared) -> list[str]:
    token = shared.token
    return [
        reverse("portal:page", args=[token]),
        reverse("portal:accept", args=[token]),
        f"{reverse('portal:accept', args=[token])}?r={latest_revision_hash(shared.quote)}",
        reverse("portal:accepted_pdf", args=[token]),
        reverse("portal:pdf", args=[token]),
    ]


def business(quote: Quote) -> dict[str, object]:
    """The footprint without the event log, which records opens and downloads by design."""
    state = footprint(quote)
    state.pop("events")
    return state


def form_data(shared: Shared, **changes: str) -> dict[str, str]:
    return {
        "signer_name": "Anna Client",
        "signer_email": "anna@client.test",
        "consent": "on",
        "revision_hash": latest_revision_hash(shared.quote),
        **changes,
    }


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# -- 9: link scanners and previews ----------------------------------------------------------------


def test_security_9_get_and_head_of_every_acceptance_url_accept_nothing(shared: Shared) -> None:
    scanner = HttpClient()
    before = business(shared.quote)
    for url in urls(shared):
        for _ in range(2):
            assert scanner.get(url).status_code in (200, 302)
    assert business(shared.quote) == before
    assert not Acceptance.objects.exists()

    # HEAD records nothing at all, not even an open
    events = footprint(shared.quote)
    for url in urls(shared):
        assert scanner.head(url).status_code in (200, 302)
    assert footprint(shared.quote) == events


def test_security_9_get_and_head_after_an_acceptance_change_nothing(shared: Shared) -> None:
    accept_shared(shared)
    HttpClient().get(reverse("portal:accepted_pdf", args=[shared.token]))  # stored once
    before = business(shared.quote)
    events = footprint(shared.quote)

    for url in urls(shared):
        assert HttpClient().head(url).status_code in (200, 302)
    assert footprint(shared.quote) == events
    for url in urls(shared):
        assert HttpClient().get(url).status_code in (200, 302)
    assert business(shared.quote) == before


# -- 11: a deliberate act ------------------------------------------------------------------------


def test_security_11_the_consent_box_cannot_be_ticked_by_the_link(
    client: HttpClient, shared: Shared
) -> None:
    # a crafted link that asks for the box ticked and the fields filled still shows it empty
    url = reverse("portal:accept", args=[shared.token])
    crafted = f"{url}?r={latest_revision_hash(shared.quote)}&consent=on&signer_name=Anna"
    html = client.get(crafted).content.decode()
    checkbox = re.search(r'<input type="checkbox" name="consent"[^>]*>', html)
    assert checkbox and "checked" not in checkbox.group(0)
    assert not re.search(r'name="signer_name" value="Anna"', html)


@pytest.mark.parametrize(
    "missing", ["signer_name", "signer_email", "consent", "revision_hash", "csrf"]
)
def test_security_11_a_post_missing_any_part_of_the_act_accepts_nothing(
    shared: Shared, missing: str
) -> None:
    browser = HttpClient(enforce_csrf_checks=True)
    html = browser.get(reverse("portal:accept", args=[shared.token])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    data = {**form_data(shared), "csrfmiddlewaretoken": token.group(1)}
    data.pop("csrfmiddlewaretoken" if missing == "csrf" else missing)
    before = footprint(shared.quote)

    response = browser.post(reverse("portal:accept", args=[shared.token]), data)

    assert response.status_code in (403, 409, 422)
    assert footprint(shared.quote) == before


# -- 12 and 14: the accepted PDF carries the evidence, once -------------------------------------


def test_security_12_the_certificate_page_states_every_recorded_fact(shared: Shared) -> None:
    acceptance = accept_shared(shared)
    text = re.sub(r"\s+", " ", pdf_text(accepted_pdf(acceptance=acceptance)))
    # Long hashes and keys wrap where the page runs out: compare them unbroken.
    unbroken = re.sub(r"[\s\u200b]+", "", text)
    for digest in (acceptance.content_hash, acceptance.signature_hash, acceptance.link_key):
        assert digest in unbroken, digest
    for fact in (
        "Acceptance certificate",
        "Anna Client",
        "anna@client.test",
        acceptance.ip or "",
        "UTC",
        f"version {acceptance.consent_version}",
        acceptance.user_agent,
        f"{shared.quote.number}, revision 1",
        acceptance.consent_text[:60],
    ):
        assert fact in text, fact
    # the link itself, a capability, is never printed
    assert shared.token not in text


def test_security_14_the_accepted_pdf_never_changes_after_the_company_does(
    shared: Shared, company
) -> None:  # type: ignore[no-untyped-def]
    acceptance = accept_shared(shared)
    client = HttpClient()
    url = reverse("portal:accepted_pdf", args=[shared.token])
    first = client.get(url).content

    # the company renames itself and changes its colour afterwards
    company.name = "Renamed Ltd"
    company.brand_colour = "#aa0000"
    company.save()
    later = client.get(url).content

    assert later == first
    acceptance.refresh_from_db()
    assert acceptance.pdf_sha256 == hashlib.sha256(first).hexdigest()
    assert "Renamed Ltd" not in pdf_text(later)


def test_security_14_an_accepted_quote_cannot_be_edited_by_staff(
    login, shared: Shared, rep
) -> None:  # type: ignore[no-untyped-def]
    accept_shared(shared)
    before = footprint(shared.quote)
    staff = login(rep)

    page = staff.get(reverse("quotes:edit", args=[shared.quote.pk]))
    response = staff.post(
        reverse("quotes:edit", args=[shared.quote.pk]), {"title": "Changed after signing"}
    )

    detail = reverse("quotes:detail", args=[shared.quote.pk])
    assert page.status_code == response.status_code == 302
    assert page["Location"] == response["Location"] == detail
    assert footprint(shared.quote) == before
    assert Quote.objects.get(pk=shared.quote.pk).title != "Changed after signing"


# -- 13: bound to the revision seen ----------------------------------------------------------------


def test_security_13_a_forged_revision_hash_records_nothing(
    client: HttpClient, shared: Shared
) -> None:
    before = footprint(shared.quote)
    forged = hashlib.sha256(b"what the client never saw").hexdigest()
    response = client.post(
        reverse("portal:accept", args=[shared.token]), form_data(shared, revision_hash=forged)
    )
    assert response.status_code == 409
    assert footprint(shared.quote) == before


# -- 15: canonical JSON ---------------------------------------------------------------------------


SIGNED_FIELDS = {
    "signer_name": "Anna Klient",
    "signer_email": "other@client.test",
    "consent_text": "I agree to nothing.",
    "consent_version": "0",
    "ip": "192.0.2.1",
    "user_agent": "curl/8",
    "total": "0.01",
    "currency": "USD",
    "content_hash": "0" * 64,
    "link_key": "x" * 22,
    "revision_number": 9,
}


@pytest.mark.parametrize("field", SIGNED_FIELDS)
def test_security_15_every_signed_fact_changes_the_signature_hash(
    shared: Shared, field: str
) -> None:
    acceptance = accept_shared(shared)
    stored = acceptance.signature_hash
    setattr(acceptance, field, SIGNED_FIELDS[field])
    assert signature_hash(acceptance.prev_hash, acceptance) != stored


def test_security_15_the_time_and_the_previous_hash_are_signed_too(shared: Shared) -> None:
    acceptance = accept_shared(shared)
    stored = acceptance.signature_hash
    assert signature_hash("f" * 64, acceptance) != stored
    acceptance.accepted_at = acceptance.accepted_at + dt.timedelta(microseconds=1)
    assert signature_hash(acceptance.prev_hash, acceptance) != stored


def test_security_15_the_signed_record_is_canonical_json_of_strings(shared: Shared) -> None:
    acceptance = accept_shared(shared, name="Zoë Ångström")
    record = acceptance.signed_record()
    assert all(isinstance(value, str) for value in record.values())
    raw = canonical_json(record)
    # sorted keys, no whitespace between tokens, UTF-8 as is (not \\u escapes)
    keys = re.findall(rb'"([a-z_]+)":', raw)
    assert keys == sorted(keys) and len(keys) == len(record)
    assert b'", "' not in raw and b'": "' not in raw
    assert "Zoë Ångström".encode() in raw
    assert str(record["accepted_at"]).endswith("+00:00")


# -- 17: both parties hold the signature hash ----------------------------------------------------


def test_security_17_the_rep_and_the_client_pages_show_the_signature_hash(
    login, shared: Shared, rep
) -> None:  # type: ignore[no-untyped-def]
    acceptance = accept_shared(shared, name="<b>Anna</b> & Co")
    client_page = HttpClient().get(reverse("portal:page", args=[shared.token])).content.decode()
    rep_page = login(rep).get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()
    for html in (client_page, rep_page):
        assert acceptance.signature_hash in html
        assert "<b>Anna</b>" not in html  # SECURITY.md 21
        assert "&lt;b&gt;Anna&lt;/b&gt; &amp; Co" in html


# -- 18: repeats -----------------------------------------------------------------------------------


def test_security_18_double_click_refresh_and_a_second_tab_accept_once(shared: Shared) -> None:
    url = reverse("portal:accept", args=[shared.token])
    tab = HttpClient()
    answers = [tab.post(url, form_data(shared)) for _ in range(3)]  # a click, a double, a refresh
    answers.append(HttpClient().post(url, form_data(shared, signer_name="Bob")))  # another tab
    assert [a.status_code for a in answers] == [302, 200, 200, 200]
    for answer in answers[1:]:
        assert "already been accepted" in answer.content.decode()
    assert Acceptance.objects.count() == 1
    state = footprint(shared.quote)
    assert state["delivery_notes"] == 1 and state["notifications"] == 1
    assert [kind for kind, _key, _status in state["outbox"]].count("acceptance_rep") == 1  # type: ignore[attr-defined]
    assert [kind for kind, _key, _status in state["outbox"]].count("acceptance_client") == 1  # type: ignore[attr-defined]
    assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.CLOSED


# -- 22: CSRF and Origin ---------------------------------------------------------------------------


def test_security_22_a_token_from_another_session_is_refused(shared: Shared) -> None:
    attacker = HttpClient(enforce_csrf_checks=True)
    html = attacker.get(reverse("portal:accept", args=[shared.token])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    victim = HttpClient(enforce_csrf_checks=True)
    victim.get(reverse("portal:accept", args=[shared.token]))  # the victim's own cookie
    before = footprint(shared.quote)

    response = victim.post(
        reverse("portal:accept", args=[shared.token]),
        {**form_data(shared), "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 403
    assert footprint(shared.quote) == before


# "null" is what a browser sends from the portal's own no-referrer page; it defers to the
# token (tests/security/test_portal_client.py), so only real foreign origins are listed here.
@pytest.mark.parametrize("origin", ["https://evil.example", "http://testserver.evil"])
def test_security_22_a_cross_site_origin_cannot_accept(shared: Shared, origin: str) -> None:
    browser = HttpClient(enforce_csrf_checks=True)
    html = browser.get(reverse("portal:accept", args=[shared.token])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    before = footprint(shared.quote)
    response = browser.post(
        reverse("portal:accept", args=[shared.token]),
        {**form_data(shared), "csrfmiddlewaretoken": token.group(1)},
        HTTP_ORIGIN=origin,
    )
    assert response.status_code == 403
    assert footprint(shared.quote) == before


# -- 23: tenancy -----------------------------------------------------------------------------------


def test_security_23_another_company_cannot_see_the_acceptance_or_its_pdf(
    login, shared: Shared, other_company
) -> None:  # type: ignore[no-untyped-def]
    acceptance = accept_shared(shared)
    outsider = login(member(other_company, Role.ADMIN))
    for url in (
        reverse("documents:accepted_quote_pdf", args=[shared.quote.pk]),
        reverse("quotes:detail", args=[shared.quote.pk]),
    ):
        response = outsider.get(url)
        assert response.status_code == 404, url
        assert acceptance.signature_hash.encode() not in response.content
        assert b"%PDF" not in response.content


def test_security_23_each_role_of_the_company_gets_the_same_accepted_pdf(
    login, shared: Shared, company
) -> None:  # type: ignore[no-untyped-def]
    accept_shared(shared)
    client_copy = HttpClient().get(reverse("portal:accepted_pdf", args=[shared.token])).content
    url = reverse("documents:accepted_quote_pdf", args=[shared.quote.pk])
    for role in (Role.ADMIN, Role.MANAGER, Role.FINANCE):
        staff = login(member(company, role))
        response = staff.get(url)
        assert response.status_code == 200, role
        assert response.content == client_copy
        staff.logout()


def test_security_4_a_link_revoked_and_issued_again_while_open_accepts_nothing(
    shared: Shared, rep
) -> None:
    # given the client's page loaded (its share read with the link's key), then the rep
    # revokes the link and shares the quote with the same email again: a new link
    from quotery.core.exceptions import NotFound
    from quotery.core.request_meta import RequestMeta
    from quotery.portal.services.acceptance import quote_accept
    from quotery.portal.services.sharing import share_revoke, share_send

    opened = shared.share
    share_revoke(share=opened, user=rep)
    share_send(
        quote=shared.quote,
        user=rep,
        recipient_name="Anna Client",
        recipient_email=opened.recipient_email,
    )
    before = business(shared.quote)

    # when the page opened through the old link posts its acceptance
    with pytest.raises(NotFound, match="This link no longer works"):
        quote_accept(
            share=opened,
            signer_name="Anna Client",
            signer_email="anna@client.test",
            consent=True,
            revision_hash=latest_revision_hash(shared.quote),
            request_meta=RequestMeta(ip="203.0.113.9", user_agent="test"),
        )

    # then nothing was recorded: the old link is dead although the share lives on
    assert business(shared.quote) == before
    assert not Acceptance.objects.filter(quote=shared.quote).exists()
