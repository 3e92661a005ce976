"""The acceptance record sealed into the accepted PDF (SECURITY.md 14, 15, 28): what it
holds, that the seal covers it, and reading it and the certificate page back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from quotery.documents.acceptance import accepted_pdf
from quotery.documents.acceptance_record import (
    RECORD_NAME,
    acceptance_fields,
    certificate_page_text,
    certificate_page_values,
    certificate_texts,
    embedded_record,
    page_shows,
)
from quotery.documents.sealing import verify_pdf_seal
from quotery.documents.tests.samples import BRANDING, quote_content
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.sharing.models import Acceptance


@pytest.fixture(autouse=True)
def own_seal(settings, tmp_path: Path) -> None:
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")


@pytest.fixture
def accepted(rep) -> Acceptance:
    return accept_shared(share_quote(rep), name="Anna Client", email="anna@client.test")


@pytest.mark.django_db
def test_security_28_the_embedded_record_equals_the_database_record(accepted):
    # when the accepted PDF is sealed
    pdf = accepted_pdf(acceptance=accepted)

    # then it carries one embedded file, the record, and the seal covers it
    assert list(PdfReader(io.BytesIO(pdf)).attachments) == [RECORD_NAME]
    assert verify_pdf_seal(pdf).ok
    # and the record is the acceptance as the database holds it, every value a string
    row = Acceptance.objects.select_related("quote").get(pk=accepted.pk)
    assert embedded_record(pdf) == {
        "quote": str(row.quote_id),
        "share": str(row.share_id),
        "link_key": row.link_key,
        "revision_number": "1",
        "content_hash": row.content_hash,
        "signer_name": "Anna Client",
        "signer_email": "anna@client.test",
        "consent_text": row.consent_text,
        "consent_version": "2026-12-1",
        "accepted_at": row.accepted_at.isoformat(timespec="microseconds"),
        "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (iPhone) Safari/605.1",
        "total": row.total,
        "currency": "EUR",
        "deposit_percent": "0",
        "deposit_amount": "0.00",
        "language": "en",
        "quote_number": row.quote.number,
        "event_sequence": "3",
        "prev_hash": row.prev_hash,
        "signature_hash": row.signature_hash,
    }


@pytest.mark.django_db
def test_security_15_the_embedded_record_is_canonical_json(accepted):
    raw = PdfReader(io.BytesIO(accepted_pdf(acceptance=accepted))).attachments[RECORD_NAME][0]
    document = json.loads(raw)
    assert raw == json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert sorted(document) == [
        "event_sequence",
        "format",
        "prev_hash",
        "quote_number",
        "signature_hash",
        "signed_record",
    ]
    assert document["format"] == "quotery-acceptance-record/1"


@pytest.mark.django_db
def test_the_certificate_page_reads_back_field_by_field(accepted):
    pdf = accepted_pdf(acceptance=accepted)
    values = certificate_page_values(certificate_page_text(pdf))
    number = accepted.quote.number
    assert {key: values[key] for key in ("signer_name", "signer_email", "ip", "user_agent")} == {
        "signer_name": "Anna Client",
        "signer_email": "anna@client.test",
        "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (iPhone) Safari/605.1",
    }
    assert values["quote_number"] == values["revision_number"] == f"{number}, revision 1"
    assert values["consent_version"] == "2026-12-1"
    assert values["link_key"] == accepted.link_key
    assert page_shows(accepted.signature_hash, values["signature_hash"])
    assert page_shows(accepted.consent_text, values["consent_text"])


def test_a_page_that_is_no_certificate_reads_as_nothing():
    from quotery.documents.rendering import render_quote_pdf

    plain = render_quote_pdf(quote_content(sections=1, lines_per_section=2), BRANDING)
    assert embedded_record(plain) is None
    assert certificate_page_values(certificate_page_text(plain)) == {}


@pytest.mark.parametrize(
    ("expected", "read", "shows"),
    [
        ("Anna Client", "Anna Client", True),
        ("Anna Client", "Anna \nClient", True),  # wrapped where the page ran out
        ("ab" * 32, "ab" * 12 + "\u200b" + "ab" * 20, True),  # a break opportunity
        ("山田 太郎", "\x00\x00 \x00\x00", True),  # glyphs the fonts lack
        ("محمد علي", "علي محمد", True),  # right-to-left words in page order
        ("Anna", "Anna Client", False),
        ("Mallory", "Anna Client", False),
        ("山田 太郎", "\x00\x00 \x00", False),
        ("Anna Client", "Anna Clients", False),
    ],
)
def test_page_text_is_matched_the_way_pdfs_give_it_back(expected, read, shows):
    assert page_shows(expected, read) is shows


def earlier_certificate(fields: dict[str, str]) -> dict[str, object]:
    """The certificate page as it was printed before it read for a person first."""
    texts = certificate_texts(fields)
    rows = [
        ("Signed by", texts["signer_name"]),
        ("Signer's email", texts["signer_email"]),
        ("Accepted (UTC)", texts["accepted_at"]),
        ("Accepted (Europe/Berlin)", "2026-11-02 10:00:00 CET"),
        ("IP address", texts["ip"]),
        ("Browser (user agent)", texts["user_agent"]),
        ("Quote", texts["quote_number"]),
        ("Accepted total", texts["total"]),
        ("Document hash (SHA-256)", texts["content_hash"]),
        ("Signature hash (SHA-256)", texts["signature_hash"]),
        ("Previous record hash", texts["prev_hash"]),
        ("Link used", f"The portal link sent to anna@client.test (link key {texts['link_key']})"),
        (f"Consent (version {texts['consent_version']})", texts["consent_text"]),
    ]
    return {
        "title": "Acceptance certificate",
        "intro": "Anna Client accepted quote Q-2026-0001 electronically.",
        "rows": [{"label": label, "value": value} for label, value in rows],
    }


@pytest.mark.django_db
def test_a_certificate_page_printed_before_it_read_for_a_person_still_reads_back(accepted):
    from quotery.documents.rendering import render_quote_pdf

    fields = acceptance_fields(accepted)
    pdf = render_quote_pdf(
        quote_content(sections=1, lines_per_section=1),
        BRANDING,
        certificate=earlier_certificate(fields),
    )
    values = certificate_page_values(certificate_page_text(pdf))
    texts = certificate_texts(fields)
    assert values["signer_name"] == "Anna Client"
    assert values["user_agent"] == "Mozilla/5.0 (iPhone) Safari/605.1"
    assert values["link_key"] == accepted.link_key
    assert values["consent_version"] == texts["consent_version"]
    for key in ("accepted_at", "content_hash", "signature_hash", "prev_hash", "consent_text"):
        assert page_shows(texts[key], values[key]), key


@pytest.mark.django_db
def test_the_longest_values_keep_the_certificate_on_one_page_and_read_back(rep):
    # given an acceptance with every free-text field as long as it may be
    from quotery.core.request_meta import USER_AGENT_MAX, RequestMeta

    name = " ".join(["Maximiliane-Alexandra"] * 9)[:200]
    email = ("a" * 60 + ".") * 3 + "b@client.test"
    agent = ("Mozilla/5.0 " + "(KHTML, like Gecko; hostile/1.0) " * 14)[:USER_AGENT_MAX]
    acceptance = accept_shared(
        share_quote(rep),
        name=name,
        email=email,
        meta=RequestMeta(ip="203.0.113.7", user_agent=agent),
    )
    pdf = accepted_pdf(acceptance=acceptance)

    # then the certificate is one page (verify reads the last page) and reads back whole
    reader = PdfReader(io.BytesIO(pdf))
    assert "Acceptance certificate" in reader.pages[-1].extract_text()
    assert "Acceptance certificate" not in reader.pages[-2].extract_text()
    values = certificate_page_values(certificate_page_text(pdf))
    texts = certificate_texts(acceptance_fields(acceptance))
    for key in ("signer_name", "signer_email", "user_agent", "signature_hash", "consent_text"):
        assert page_shows(texts[key], values[key]), key
