"""The document seal: made once per installation (safely, even when workers start together),
valid on a sealed PDF, broken by one changed byte or by bytes appended after sealing."""

from __future__ import annotations

import asyncio
import io
import stat
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from quotery.documents import sealing
from quotery.documents.rendering import render_quote_pdf
from quotery.documents.sealing import seal_identity, seal_pdf, verify_pdf_seal
from quotery.documents.tests.samples import BRANDING, quote_content


@pytest.fixture
def seal_dir(settings, tmp_path: Path) -> Path:
    """A fresh seal key and certificate location for the test (nothing there yet)."""
    settings.SEAL_KEY_PATH = str(tmp_path / "seal" / "seal-key.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "seal" / "seal-cert.pem")
    return tmp_path / "seal"


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return render_quote_pdf(quote_content(sections=1, lines_per_section=2), BRANDING)


def changed_byte_inside_signed_range(pdf: bytes) -> bytes:
    """The sealed PDF with one byte of the first page's content stream changed: a byte the
    signature covers, in a place where the file still parses as a PDF."""
    position = pdf.index(b"stream\n") + len(b"stream\n") + 20
    assert position < len(pdf) // 2  # well inside the first signed range, before the seal
    tampered = bytearray(pdf)
    tampered[position] ^= 0x01
    return bytes(tampered)


def test_the_seal_key_and_certificate_are_made_on_first_use(seal_dir):
    # given no seal files yet
    assert not seal_dir.exists()

    # when the seal is first needed
    identity = seal_identity()

    # then an EC P-256 key (private to its owner) and a matching self-signed certificate exist
    key_file, cert_file = seal_dir / "seal-key.pem", seal_dir / "seal-cert.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(seal_dir.stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in key_file.read_bytes()
    assert identity.certificate.subject.native["common_name"] == "Quotery document seal"
    assert identity.certificate.public_key.curve[1] == "secp256r1"
    assert cert_file.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert set(seal_dir.iterdir()) == {key_file, cert_file}  # no temporary files left behind


def test_a_second_process_reads_the_same_seal(seal_dir):
    first = seal_identity()
    sealing._identities.clear()  # as a fresh process would start
    assert seal_identity().fingerprint == first.fingerprint


def test_workers_starting_together_end_up_with_one_key(seal_dir):
    # given eight workers that all find no seal and create one at the same moment
    key_path = seal_dir / "seal-key.pem"
    cert_path = seal_dir / "seal-cert.pem"
    start = threading.Barrier(8)
    fingerprints: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            fingerprints.append(
                sealing._load_identity(key_path, cert_path, create=True).fingerprint
            )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then all of them use the one key and certificate that won, and no temporary is left
    assert errors == []
    assert len(set(fingerprints)) == 1
    assert {path.name for path in seal_dir.iterdir()} == {"seal-key.pem", "seal-cert.pem"}


def test_a_worker_that_found_no_key_uses_the_pair_another_made_meanwhile(seal_dir):
    # given a worker that looks for the key just before another worker makes the whole pair
    key_path = seal_dir / "seal-key.pem"
    cert_path = seal_dir / "seal-cert.pem"
    other: list[str] = []

    class LookedForTooEarly(type(key_path)):  # type: ignore[misc]
        def exists(self, *, follow_symlinks: bool = True) -> bool:
            if not other:  # the first look: missing, then the other worker finishes
                other.append(sealing._load_identity(key_path, cert_path, create=True).fingerprint)
                return False
            return super().exists(follow_symlinks=follow_symlinks)

    # when it goes on to make its own
    ours = sealing._load_identity(LookedForTooEarly(key_path), cert_path, create=True)

    # then it finds the certificate with its key and uses that pair, refusing nothing
    assert ours.fingerprint == other[0]
    assert {path.name for path in seal_dir.iterdir()} == {"seal-key.pem", "seal-cert.pem"}


def test_a_configured_key_and_certificate_are_used(settings, tmp_path, plain_pdf):
    # given a key and certificate made elsewhere, named by SEAL_KEY_PATH and SEAL_CERT_PATH
    made_elsewhere = sealing._load_identity(
        tmp_path / "elsewhere" / "k.pem", tmp_path / "elsewhere" / "c.pem", create=True
    )
    settings.SEAL_KEY_PATH = str(tmp_path / "elsewhere" / "k.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "elsewhere" / "c.pem")

    # then the seal uses them and creates nothing under var/
    assert seal_identity().fingerprint == made_elsewhere.fingerprint
    assert verify_pdf_seal(seal_pdf(plain_pdf, reason="test")).ok


def test_a_certificate_of_another_key_is_refused(settings, tmp_path):
    sealing._load_identity(tmp_path / "a" / "k.pem", tmp_path / "a" / "c.pem", create=True)
    sealing._load_identity(tmp_path / "b" / "k.pem", tmp_path / "b" / "c.pem", create=True)
    settings.SEAL_KEY_PATH = str(tmp_path / "a" / "k.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "b" / "c.pem")
    with pytest.raises(ImproperlyConfigured, match="does not belong to the key"):
        seal_identity()


def test_a_certificate_without_its_key_is_not_replaced(seal_dir, settings, tmp_path):
    sealing._load_identity(tmp_path / "a" / "k.pem", tmp_path / "a" / "c.pem", create=True)
    settings.SEAL_CERT_PATH = str(tmp_path / "a" / "c.pem")
    with pytest.raises(ImproperlyConfigured, match="exists but its key"):
        seal_identity()
    assert not (seal_dir / "seal-key.pem").exists()


def test_a_sealed_pdf_verifies_and_keeps_its_pages(seal_dir, plain_pdf):
    sealed = seal_pdf(plain_pdf, reason="Acceptance of quote Q-1")

    report = verify_pdf_seal(sealed)

    assert report.ok, report.detail
    assert "intact, covering the whole file" in report.detail
    assert sealed.startswith(plain_pdf)  # an incremental update: the original bytes stay
    assert len(PdfReader(io.BytesIO(sealed)).pages) == len(PdfReader(io.BytesIO(plain_pdf)).pages)


def test_security_14_one_changed_byte_breaks_the_seal(seal_dir, plain_pdf):
    sealed = seal_pdf(plain_pdf, reason="test")

    report = verify_pdf_seal(changed_byte_inside_signed_range(sealed))

    assert not report.ok
    assert report.detail == (
        "the PDF was changed after sealing: its content no longer matches the seal"
    )


def test_security_14_bytes_appended_after_sealing_break_the_seal(seal_dir, plain_pdf):
    sealed = seal_pdf(plain_pdf, reason="test")

    report = verify_pdf_seal(sealed + b"\n% a note added later\n")

    assert not report.ok
    assert "bytes were added after sealing" in report.detail


def test_security_14_an_incremental_update_after_sealing_breaks_the_seal(seal_dir, plain_pdf):
    # given a proper PDF update appended after sealing (here: a new document title), the
    # way a PDF editor saves changes
    writer = IncrementalPdfFileWriter(io.BytesIO(seal_pdf(plain_pdf, reason="test")))
    writer.set_info(
        generic.DictionaryObject(
            {generic.NameObject("/Title"): generic.TextStringObject("Changed later")}
        )
    )
    updated = io.BytesIO()
    writer.write(updated)

    report = verify_pdf_seal(updated.getvalue())

    assert not report.ok
    assert "bytes were added after sealing" in report.detail


def test_a_pdf_sealed_with_another_key_does_not_verify(settings, tmp_path, plain_pdf):
    settings.SEAL_KEY_PATH = str(tmp_path / "theirs" / "k.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "theirs" / "c.pem")
    theirs = seal_pdf(plain_pdf, reason="forged")
    settings.SEAL_KEY_PATH = str(tmp_path / "ours" / "k.pem")
    settings.SEAL_CERT_PATH = str(tmp_path / "ours" / "c.pem")
    seal_identity()

    report = verify_pdf_seal(theirs)

    assert not report.ok
    assert report.detail == "the seal was not made with this installation's seal key"


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        (None, "the PDF carries no seal (it has no signature)"),
        (b"not a pdf at all", "the file is not a readable PDF"),
    ],
)
def test_an_unsealed_or_unreadable_file_is_reported_not_raised(
    seal_dir, plain_pdf, document, detail
):
    seal_identity()
    report = verify_pdf_seal(plain_pdf if document is None else document)
    assert (report.ok, report.detail) == (False, detail)


def test_sealing_twice_gives_different_bytes_which_is_why_the_pdf_is_stored(seal_dir, plain_pdf):
    # the signature records when it was made (and ECDSA signatures are randomised)
    assert seal_pdf(plain_pdf, reason="x") != seal_pdf(plain_pdf, reason="x")


def test_verifying_without_any_seal_configured_creates_nothing(seal_dir, plain_pdf):
    report = verify_pdf_seal(plain_pdf)
    assert not report.ok
    assert "no seal certificate to check against" in report.detail
    assert not seal_dir.exists()


def test_sealing_and_checking_work_inside_a_running_event_loop(seal_dir, plain_pdf):
    # a browser test (Playwright's sync API) or an async caller runs an event loop
    async def inside_a_loop() -> bool:
        return verify_pdf_seal(seal_pdf(plain_pdf, reason="x")).ok

    # In a thread of its own: the browser tests' Playwright may already run a loop in this
    # one, and asyncio.run refuses to start a second.
    results: list[bool] = []
    worker = threading.Thread(target=lambda: results.append(asyncio.run(inside_a_loop())))
    worker.start()
    worker.join(timeout=60)
    assert results == [True]
