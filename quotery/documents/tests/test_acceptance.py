"""The accepted PDF (SECURITY.md 14): the accepted revision plus a certificate page, sealed,
stored once, byte-identical on every download, never re-made."""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from pypdf import PdfReader

from quotery.core.canonical import canonical_json
from quotery.core.evidence_text import short_reference
from quotery.documents import acceptance as accepted_module
from quotery.documents import rendering
from quotery.documents.acceptance import AcceptedPdfUnavailable, accepted_pdf
from quotery.documents.sealing import verify_pdf_seal
from quotery.documents.services import quote_pdf
from quotery.documents.tasks import seal_accepted_pdf
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import QuoteRevision
from quotery.sharing.models import Acceptance


@pytest.fixture(autouse=True)
def own_seal(settings, tmp_path: Path) -> None:
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "cert.pem")


@pytest.fixture
def seal_calls(monkeypatch) -> list[str]:
    """Counts sealings (patched where accepted_pdf looks the function up)."""
    calls: list[str] = []
    real = accepted_module.seal_pdf

    def counting(pdf: bytes, *, reason: str) -> bytes:
        calls.append(reason)
        return real(pdf, reason=reason)

    monkeypatch.setattr(accepted_module, "seal_pdf", counting)
    return calls


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def without_page_count(text: str) -> str:
    return re.sub(r"Page \d+ of \d+", "Page", text)


def stored_accepted_files(company_id: int) -> list[str]:
    _, files = storages["default"].listdir(f"documents/accepted/{company_id}")
    return files


def local_moment(acceptance: Acceptance) -> str:
    """'7 December 2026 at 14:05 CET', as the stamp and the certificate word it."""
    local = acceptance.accepted_at.astimezone(acceptance.company.zone)
    return f"{local.day} {local:%B %Y} at {local:%H:%M} {local.tzname()}"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.django_db
def test_security_14_the_accepted_pdf_is_the_quote_plus_a_certificate_page(rep):
    # given a quote the client accepted through the portal
    shared = share_quote(rep)
    acceptance = accept_shared(shared)

    # when the accepted PDF is made
    pdf = accepted_pdf(acceptance=acceptance)

    # then its first pages are the quote's pages and the last page is the certificate
    revision = QuoteRevision.objects.get(pk=acceptance.revision_id)
    quote_pages = text_of(quote_pdf(revision=revision, company=acceptance.company))
    pages = text_of(pdf)
    assert len(pages) == len(quote_pages) + 1

    # (the same lines and totals: page 1 is stamped, and its closing sentence says who
    # accepted instead of how long the quote is valid)
    def body(page: str) -> str:
        start, end = page.index("Section 1"), page.index("\nTotal ")
        return page[start : page.index("\n", end + 1)]

    assert [body(page) for page in pages[: len(quote_pages)]] == [
        body(page) for page in quote_pages
    ]
    certificate = pages[-1]
    # Long hashes wrap where the page runs out (a line break or a zero-width space in the
    # extracted text, depending on the company name's length): compare them unbroken.
    unbroken = re.sub(r"[\s\u200b]+", "", certificate)
    for digest in (acceptance.content_hash, acceptance.signature_hash, acceptance.link_key):
        assert digest in unbroken, digest
    certificate = flat(certificate)
    for fact in (
        "Acceptance certificate",
        "Signed by Anna Client",
        "anna@client.test",
        f"Accepted on {local_moment(acceptance)} ({acceptance.company.time_zone})",
        f"{acceptance.accepted_at:%Y-%m-%d %H:%M:%S}.{acceptance.accepted_at:%f} UTC",
        "IP address 203.0.113.7",
        "User agent Mozilla/5.0 (iPhone) Safari/605.1",
        "Browser Safari on iPhone, from IP address 203.0.113.7",
        f"{shared.quote.number}, revision 1",
        "The portal link sent to anna@client.test (link key",
        f"Agreed to (consent version {acceptance.consent_version})",
    ):
        assert fact in certificate, fact
    assert "I agree to do business electronically" in certificate


@pytest.mark.django_db
def test_page_one_is_stamped_accepted_and_no_longer_reads_as_an_open_quote(rep):
    acceptance = accept_shared(share_quote(rep), name="Anna Client")
    first = text_of(accepted_pdf(acceptance=acceptance))[0]

    reference = short_reference(acceptance.signature_hash)
    words = flat(first)
    assert words.startswith(f"{acceptance.company.name} ACCEPTED QUOTE ")
    assert f"Accepted by Anna Client on {local_moment(acceptance)}" in words
    assert f"REFERENCE {reference}" in words
    assert f"ACCEPTED {local_moment(acceptance)}" in words  # where "valid until" stood
    assert "valid until" not in words.lower()
    assert "\nQUOTE\n" not in first and not re.search(r"(?<!ACCEPTED )QUOTE", first)
    assert f"Accepted electronically by Anna Client ({acceptance.signer_email})" in words


@pytest.mark.django_db
def test_the_typed_name_is_drawn_in_the_bundled_signature_font(rep):
    acceptance = accept_shared(share_quote(rep), name="Anna Client")
    reader = PdfReader(io.BytesIO(accepted_pdf(acceptance=acceptance)))

    def fonts(page: Any) -> dict[str, Any]:
        resources = page["/Resources"]["/Font"]
        return {
            str(font.get_object()["/BaseFont"]): font.get_object() for font in resources.values()
        }

    # the stamp on page 1 and the certificate both draw the signature in Great Vibes,
    # embedded (a subset) so every reader shows the same script
    for page in (reader.pages[0], reader.pages[-1]):
        script = [font for name, font in fonts(page).items() if "GreatVibes" in name]
        assert script, list(fonts(page))
        font = script[0]
        if "/DescendantFonts" in font:
            font = font["/DescendantFonts"][0].get_object()
        descendant = font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile2", "/FontFile3", "/FontFile"))
    # and the font's licence travels with it in the repository
    font_dir = Path(rendering.FONT_DIR)
    assert (font_dir / "GreatVibes-Regular.ttf").is_file()
    assert "SIL Open Font License" in (font_dir / "OFL.txt").read_text()


@pytest.mark.django_db
def test_the_certificate_reads_for_a_person_first_then_the_technical_evidence(rep):
    acceptance = accept_shared(share_quote(rep), name="Anna Client", email="anna@client.test")
    page = flat(text_of(accepted_pdf(acceptance=acceptance))[-1])

    reference = short_reference(acceptance.signature_hash)
    order = [
        f"Reference {reference}",  # the short reference on top
        "Anna Client accepted quote",
        "Who, when and what",
        "Signed by Anna Client",
        "Signer's email anna@client.test",
        "How the email was confirmed They opened this quote through the personal link "
        "emailed to anna@client.test and typed the same address when accepting.",
        f"Accepted on {local_moment(acceptance)}",
        "Browser Safari on iPhone",
        "Accepted total",
        "Agreed to (consent version",
        "Technical evidence",
        "Accepted (UTC)",
        "User agent Mozilla/5.0 (iPhone) Safari/605.1",
        "Document hash (SHA-256)",
        "Signature hash (SHA-256)",
        "Previous record hash",
        "Link used",
    ]
    positions = [page.find(words) for words in order]
    assert -1 not in positions, [w for w, at in zip(order, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    # the full hashes and the raw user agent only below "Technical evidence"
    technical = positions[order.index("Technical evidence")]
    unbroken = re.sub(r"[\s\u200b]+", "", page[:technical])
    assert acceptance.signature_hash not in unbroken
    assert acceptance.content_hash not in unbroken
    assert "Mozilla" not in page[:technical]


@pytest.mark.django_db
def test_the_certificate_says_which_address_the_signer_typed_when_it_differs(rep):
    shared = share_quote(rep)
    acceptance = accept_shared(shared, email="buyer@client.test")
    page = flat(text_of(accepted_pdf(acceptance=acceptance))[-1])
    assert (
        f"emailed to {shared.share.recipient_email} and typed buyer@client.test when "
        "accepting. The confirmation, with this PDF, is emailed to buyer@client.test."
    ) in page


@pytest.mark.django_db
def test_the_certificate_never_carries_the_link_itself(rep):
    # the link is a capability: whoever holds the PDF must not be able to act on the quote
    shared = share_quote(rep)
    pdf = accepted_pdf(acceptance=accept_shared(shared))
    assert shared.token not in "".join(text_of(pdf))
    assert shared.token.encode() not in pdf
    assert b"/p/" not in pdf


@pytest.mark.django_db
def test_an_unrecorded_ip_or_browser_says_so(rep):
    from quotery.core.request_meta import RequestMeta

    acceptance = accept_shared(share_quote(rep), meta=RequestMeta(ip=None, user_agent=""))
    certificate = text_of(accepted_pdf(acceptance=acceptance))[-1]
    assert "IP address not recorded" in certificate
    assert "User agent not recorded" in certificate
    assert "Browser not recorded" in certificate


@pytest.mark.django_db
def test_security_14_downloads_are_byte_identical_and_sealing_runs_once(rep, seal_calls):
    acceptance = accept_shared(share_quote(rep))

    first = accepted_pdf(acceptance=acceptance)
    again = accepted_pdf(acceptance=Acceptance.objects.get(pk=acceptance.pk))
    stale_row = acceptance  # a row loaded before the PDF was recorded
    stale_row.pdf_name = stale_row.pdf_sha256 = ""
    third = accepted_pdf(acceptance=stale_row)

    assert first == again == third
    assert len(seal_calls) == 1
    assert verify_pdf_seal(first).ok


@pytest.mark.django_db
def test_security_14_the_pdf_is_stored_once_with_its_sha256(rep):
    acceptance = accept_shared(share_quote(rep))

    pdf = accepted_pdf(acceptance=acceptance)

    row = Acceptance.objects.get(pk=acceptance.pk)
    assert row.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    # (the key of this attempt's copy: its SHA-256 and a random part of its own)
    assert re.fullmatch(
        rf"documents/accepted/{acceptance.company_id}/{acceptance.pk}-{row.pdf_sha256[:16]}"
        r"-[0-9a-f]{8}\.pdf",
        row.pdf_name,
    )
    with storages["default"].open(row.pdf_name, "rb") as handle:
        assert handle.read() == pdf
    assert stored_accepted_files(acceptance.company_id) == [row.pdf_name.rsplit("/", 1)[1]]


@pytest.mark.django_db
def test_the_seal_task_is_safe_to_run_twice(rep, seal_calls):
    acceptance = accept_shared(share_quote(rep))

    first = seal_accepted_pdf.call(acceptance_id=acceptance.pk)
    second = seal_accepted_pdf.call(acceptance_id=acceptance.pk)

    assert first == second == Acceptance.objects.get(pk=acceptance.pk).pdf_sha256
    assert len(seal_calls) == 1
    assert len(stored_accepted_files(acceptance.company_id)) == 1


@pytest.mark.django_db(transaction=True)
def test_accepting_seals_the_pdf_once_the_acceptance_commits(rep):
    # given the immediate task backend of the tests: the task runs right after the commit
    acceptance = accept_shared(share_quote(rep))

    row = Acceptance.objects.get(pk=acceptance.pk)
    assert row.pdf_sha256
    assert accepted_pdf(acceptance=row) == storages["default"].open(row.pdf_name, "rb").read()


@pytest.mark.django_db
def test_a_changed_stored_pdf_is_never_served_nor_re_made(rep, seal_calls):
    # given a sealed PDF whose stored file was replaced behind the app's back
    acceptance = accept_shared(share_quote(rep))
    accepted_pdf(acceptance=acceptance)
    storage = storages["default"]
    storage.delete(acceptance.pdf_name)
    storage.save(acceptance.pdf_name, ContentFile(b"%PDF-1.7 forged"))

    # then the download refuses, and nothing is sealed again
    with pytest.raises(AcceptedPdfUnavailable, match="no longer matches"):
        accepted_pdf(acceptance=acceptance)
    storage.delete(acceptance.pdf_name)
    with pytest.raises(AcceptedPdfUnavailable, match="missing"):
        accepted_pdf(acceptance=acceptance)
    assert len(seal_calls) == 1


@pytest.mark.django_db
def test_security_15_a_revision_edited_after_acceptance_is_not_sealed(rep, seal_calls):
    # given the accepted revision's stored content changed after the client signed it
    acceptance = accept_shared(share_quote(rep))
    content = json.loads(acceptance.revision.content)
    content["title"] = "Something else"
    QuoteRevision.objects.filter(pk=acceptance.revision_id).update(
        content=canonical_json(content).decode()
    )

    # then no sealed PDF is made of content the client did not accept
    with pytest.raises(AcceptedPdfUnavailable, match="no longer matches the hash"):
        accepted_pdf(acceptance=Acceptance.objects.get(pk=acceptance.pk))
    assert seal_calls == []
    assert Acceptance.objects.get(pk=acceptance.pk).pdf_sha256 == ""


@pytest.mark.django_db(transaction=True)
def test_security_14_concurrent_first_downloads_store_one_pdf(rep, settings, monkeypatch):
    # given an acceptance not sealed yet (no task runs) and four downloads at once, each
    # sealing its own copy before any of them records one
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    acceptance = accept_shared(share_quote(rep))
    assert Acceptance.objects.get(pk=acceptance.pk).pdf_sha256 == ""
    callers = 4
    all_sealed = threading.Barrier(callers, timeout=120)  # sealing is slow on a busy machine
    real = accepted_module.seal_pdf

    def seal_then_wait(pdf: bytes, *, reason: str) -> bytes:
        sealed = real(pdf, reason=reason)
        all_sealed.wait()
        return sealed

    monkeypatch.setattr(accepted_module, "seal_pdf", seal_then_wait)
    # The tests' in-memory storage keeps its files in the instance: made here, once, so that
    # the threads share it as machines share one filesystem or bucket (threads racing for the
    # first `storages["default"]` would each make their own, each with its own files).
    storages["default"]
    results: list[bytes] = []
    errors: list[BaseException] = []

    def download() -> None:
        try:
            row = Acceptance.objects.select_related("company", "quote", "share", "revision").get(
                pk=acceptance.pk
            )
            results.append(accepted_pdf(acceptance=row))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every caller got the same bytes: the one recorded copy, stored once
    assert errors == []
    row = Acceptance.objects.get(pk=acceptance.pk)
    assert len(results) == callers
    assert {hashlib.sha256(pdf).hexdigest() for pdf in results} == {row.pdf_sha256}
    assert stored_accepted_files(acceptance.company_id) == [row.pdf_name.rsplit("/", 1)[1]]
