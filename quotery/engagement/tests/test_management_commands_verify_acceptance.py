"""manage.py verify on accepted quotes: the signature hash, its place in the event chain, the
revision it names and the sealed PDF (SECURITY.md 14-16); and `verify --pdf` on a copy
someone holds. Every tampering is named, and the command exits non-zero."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, ManagementUtility

from quotery.core.canonical import canonical_json
from quotery.documents.acceptance import accepted_pdf, accepted_pdf_unsealed
from quotery.documents.sealing import seal_pdf
from quotery.engagement.chain import link_hash
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.tests.tampering import rechain, verify, verify_failing
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import QuoteRevision
from quotery.sharing.models import Acceptance
from quotery.sharing.signatures import signature_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage_and_seal")]


@pytest.fixture
def accepted(rep) -> Acceptance:
    """A quote shared and accepted through the portal's services, its PDF not sealed yet
    (the seal task runs after commit, which these tests' transaction never reaches)."""
    return accept_shared(share_quote(rep))


@pytest.fixture
def sealed(accepted) -> Acceptance:
    accepted_pdf(acceptance=accepted)
    return Acceptance.objects.get(pk=accepted.pk)


def broken(acceptance: Acceptance) -> str:
    quote = acceptance.quote
    return (
        f"{quote.company.slug} {quote.number} acceptance: BROKEN at acceptance #{acceptance.pk}: "
    )


def test_security_16_an_intact_acceptance_passes(accepted):
    output = verify("--quote", accepted.quote.number)

    quote = accepted.quote
    assert f"{quote.company.slug} {quote.number} events: ok" in output
    assert (
        f"{quote.company.slug} {quote.number} acceptance: ok (signature hash "
        f"{accepted.signature_hash[:12]}…, event #{accepted.event_sequence}, revision 1, "
        "PDF not sealed yet)"
    ) in output
    assert "All 1 quote(s) verified." in output


def test_security_16_an_intact_sealed_acceptance_passes(sealed):
    output = verify("--quote", sealed.quote.number)
    assert "sealed PDF intact)" in output
    assert "BROKEN" not in output


def test_a_quote_without_acceptance_prints_no_acceptance_line(rep):
    quote = share_quote(rep).quote
    output = verify("--quote", quote.number)
    assert "events: ok" in output
    assert "acceptance" not in output


def test_security_15_the_signature_hash_is_over_canonical_json(accepted):
    assert (
        accepted.signature_hash
        == hashlib.sha256(
            accepted.prev_hash.encode("ascii") + canonical_json(accepted.signed_record())
        ).hexdigest()
    )
    revision = accepted.revision
    assert canonical_json(json.loads(revision.content)) == revision.content.encode("utf-8")
    assert accepted.content_hash == hashlib.sha256(revision.content.encode()).hexdigest()


@pytest.mark.parametrize(
    "edit",
    [
        {"signer_name": "Someone Else"},
        {"signer_email": "other@client.test"},
        {"ip": "198.51.100.9"},
        {"user_agent": "curl/8"},
        {"consent_text": "I agree to nothing."},
        {"total": "1.00"},
        {"deposit_amount": "0.01"},
    ],
    ids=lambda edit: next(iter(edit)),
)
def test_security_16_an_edited_acceptance_row_is_named(accepted, edit):
    # given the acceptance row changed behind the app's back
    Acceptance.objects.filter(pk=accepted.pk).update(**edit)

    # then verify names the acceptance and what no longer holds, and fails
    output, error = verify_failing("--quote", accepted.quote.number)
    assert (
        broken(accepted)
        + (
            "its signed record was edited (signer name, email, time, IP, user agent, consent, "
            "link, revision, total or deposit): the signature hash does not match"
        )
        in output
    )
    assert "events: ok" in output  # the event chain alone would not have shown it
    assert "1 check(s) failed over 1 quote(s)" in error


def test_security_16_an_edited_acceptance_time_is_named(accepted):
    Acceptance.objects.filter(pk=accepted.pk).update(
        accepted_at=accepted.accepted_at - dt.timedelta(days=2)
    )
    output, _ = verify_failing("--quote", accepted.quote.number)
    assert broken(accepted) + "its signed record was edited" in output


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda row: {"acceptance": row.pk, "signature_hash": "0" * 64},
            " does not carry this acceptance's signature hash",
        ),
        (
            lambda row: {"acceptance": str(row.pk), "signature_hash": row.signature_hash},
            "'s data cannot be read: quote_accepted data: 'acceptance' must be int, not str",
        ),
    ],
    ids=["another signature", "an acceptance id as text"],
)
def test_security_16_an_edited_acceptance_event_is_named(accepted, edit, problem):
    # given the accepted event's payload edited behind the app's back
    sequence = accepted.event_sequence
    QuoteEvent.objects.filter(quote_id=accepted.quote_id, sequence=sequence).update(
        data=edit(accepted)
    )

    output, _ = verify_failing("--quote", accepted.quote.number)
    assert f"events: BROKEN at event #{sequence}: its fields do not match its hash" in output
    assert broken(accepted) + f"the acceptance event #{sequence}{problem}" in output


def test_security_16_a_deleted_acceptance_event_is_named(accepted):
    # given the accepted event deleted; it was the last event, so the chain itself still
    # looks whole
    sequence = accepted.event_sequence
    assert not QuoteEvent.objects.filter(quote_id=accepted.quote_id, sequence__gt=sequence)
    QuoteEvent.objects.filter(quote_id=accepted.quote_id, sequence=sequence).delete()

    output, _ = verify_failing("--quote", accepted.quote.number)
    assert "events: ok" in output
    assert broken(accepted) + f"the acceptance event #{sequence} is missing (deleted)" in output


def test_security_16_an_event_inserted_before_the_acceptance_is_named(accepted):
    # given a forged view slipped in just before the acceptance, hashed onto the event
    # before it, the acceptance event moved one place on
    sequence = accepted.event_sequence
    QuoteEvent.objects.filter(quote_id=accepted.quote_id, sequence=sequence).update(
        sequence=sequence + 1
    )
    before = QuoteEvent.objects.get(quote_id=accepted.quote_id, sequence=sequence - 1)
    forged = QuoteEvent(
        company_id=accepted.company_id,
        quote_id=accepted.quote_id,
        sequence=sequence,
        kind=EventKind.QUOTE_VIEWED,
        occurred_at=before.occurred_at,
        recipient_email="anna@client.test",
        revision_number=1,
        data={"open": 1},
        prev_hash=before.hash,
    )
    forged.hash = link_hash(before.hash, forged)
    forged.save(force_insert=True)

    output, _ = verify_failing("--quote", accepted.quote.number)
    assert f"events: BROKEN at event #{sequence + 1}" in output
    assert (
        broken(accepted) + f"event #{sequence} is “quote_viewed”, not the acceptance: an event "
        "was inserted before it or the events were renumbered"
    ) in output


def test_security_16_a_rewritten_history_before_the_acceptance_is_named(accepted):
    # given an earlier event edited and the whole chain re-hashed to hide it: the chain is
    # consistent again, but the client's signature covers the hash it followed
    QuoteEvent.objects.filter(quote_id=accepted.quote_id, sequence=1).update(
        recipient_email="someone@else.test"
    )
    rechain(accepted.quote_id)

    output, _ = verify_failing("--quote", accepted.quote.number)
    assert "events: ok" in output
    assert (
        broken(accepted) + f"its previous hash does not match event #{accepted.event_sequence - 1}"
    ) in output


def test_security_16_a_forged_acceptance_with_a_fresh_hash_is_still_caught(accepted):
    # given the signer's name changed and the signature hash recomputed to match: the chained
    # event still carries the hash the client's acceptance produced
    row = Acceptance.objects.get(pk=accepted.pk)
    row.signer_name = "Someone Else"
    Acceptance.objects.filter(pk=row.pk).update(
        signer_name=row.signer_name, signature_hash=signature_hash(row.prev_hash, row)
    )

    output, _ = verify_failing("--quote", accepted.quote.number)
    assert (
        broken(accepted) + f"the acceptance event #{accepted.event_sequence} does not carry "
        "this acceptance's signature hash"
    ) in output


def test_security_15_an_edited_accepted_revision_is_named(accepted):
    content = json.loads(accepted.revision.content)
    content["title"] = "Something cheaper"
    QuoteRevision.objects.filter(pk=accepted.revision_id).update(
        content=canonical_json(content).decode()
    )

    output, _ = verify_failing("--quote", accepted.quote.number)
    assert (
        broken(accepted)
        + "revision 1's stored content was edited: it no longer hashes to its content hash"
    ) in output


def test_security_14_a_changed_stored_pdf_is_named(sealed):
    # given the stored accepted PDF replaced by other bytes
    storage = storages["default"]
    pdf = storage.open(sealed.pdf_name, "rb").read()
    storage.delete(sealed.pdf_name)
    storage.save(sealed.pdf_name, ContentFile(pdf + b"\n% added\n"))

    output, _ = verify_failing("--quote", sealed.quote.number)
    assert (
        broken(sealed)
        + "accepted PDF changed after sealing: its SHA-256 does not match the recorded one"
    ) in output


def test_security_14_a_changed_pdf_with_a_matching_recorded_hash_fails_its_seal(sealed):
    # given one byte of the stored PDF changed and its recorded SHA-256 updated to match
    storage = storages["default"]
    pdf = bytearray(storage.open(sealed.pdf_name, "rb").read())
    position = pdf.index(b"stream\n") + 30
    pdf[position] ^= 0x01
    storage.delete(sealed.pdf_name)
    storage.save(sealed.pdf_name, ContentFile(bytes(pdf)))
    Acceptance.objects.filter(pk=sealed.pk).update(pdf_sha256=hashlib.sha256(pdf).hexdigest())

    output, _ = verify_failing("--quote", sealed.quote.number)
    assert (
        broken(sealed) + "the accepted PDF's seal does not verify: the PDF was changed after "
        "sealing: its content no longer matches the seal"
    ) in output


def test_security_14_a_missing_stored_pdf_is_named(sealed):
    storages["default"].delete(sealed.pdf_name)
    output, _ = verify_failing("--quote", sealed.quote.number)
    assert broken(sealed) + "the accepted PDF is missing from storage" in output


def test_security_16_a_broken_acceptance_exits_non_zero(accepted):
    Acceptance.objects.filter(pk=accepted.pk).update(signer_name="X")
    with pytest.raises(SystemExit) as exit_status:
        ManagementUtility(["manage.py", "verify", "--quote", accepted.quote.number]).execute()
    assert exit_status.value.code != 0


# --- verify --pdf: the copy a client holds ---------------------------------------------------


def client_copy(sealed: Acceptance, tmp_path: Path, content: bytes | None = None) -> str:
    path = tmp_path / "accepted.pdf"
    path.write_bytes(content if content is not None else accepted_pdf(acceptance=sealed))
    return str(path)


def test_security_14_the_clients_copy_verifies_and_names_its_acceptance(sealed, tmp_path):
    path = client_copy(sealed, tmp_path)

    output = verify("--pdf", path)

    quote = sealed.quote
    assert f"{path}: seal ok (sealed by Quotery document seal on " in output
    assert (
        f"{path}: the accepted PDF of {quote.company.slug} {quote.number} (revision 1, "
        f"accepted {sealed.accepted_at:%Y-%m-%d %H:%M:%S} UTC, SHA-256 {sealed.pdf_sha256})"
    ) in output
    assert f"{path}: verified." in output


def test_security_14_a_copy_with_one_byte_changed_fails(sealed, tmp_path):
    pdf = bytearray(accepted_pdf(acceptance=sealed))
    pdf[pdf.index(b"stream\n") + 30] ^= 0x01
    path = client_copy(sealed, tmp_path, bytes(pdf))

    output, error = verify_failing("--pdf", path)
    assert (
        f"{path}: seal BROKEN: the PDF was changed after sealing: its content no longer "
        "matches the seal"
    ) in output
    assert "is not an intact sealed PDF" in error


def test_security_14_a_copy_with_bytes_appended_fails(sealed, tmp_path):
    path = client_copy(sealed, tmp_path, accepted_pdf(acceptance=sealed) + b"\n% added\n")
    output, _ = verify_failing("--pdf", path)
    assert f"{path}: seal BROKEN: bytes were added after sealing" in output


def test_a_sealed_pdf_no_acceptance_recorded_fails(sealed, tmp_path):
    # a PDF with our seal, but not the one recorded (like a copy that lost the store race)
    other = seal_pdf(accepted_pdf_unsealed(acceptance=sealed), reason="x")
    path = client_copy(sealed, tmp_path, other)
    output, error = verify_failing("--pdf", path)
    assert f"{path}: no acceptance recorded these bytes" in output
    assert "not the recorded accepted PDF of any acceptance" in error


def test_security_16_the_clients_copy_of_a_tampered_acceptance_fails(sealed, tmp_path):
    path = client_copy(sealed, tmp_path)
    Acceptance.objects.filter(pk=sealed.pk).update(signer_name="Someone Else")
    output, error = verify_failing("--pdf", path)
    assert broken(sealed) + "its signed record was edited" in output
    assert "does not verify" in error


def test_a_missing_file_gets_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        verify("--pdf", str(tmp_path / "nope.pdf"))


def test_a_failing_pdf_check_exits_non_zero(sealed, tmp_path):
    path = client_copy(sealed, tmp_path, b"%PDF-1.7 nothing")
    with pytest.raises(SystemExit) as exit_status:
        ManagementUtility(["manage.py", "verify", "--pdf", path]).execute()
    assert exit_status.value.code != 0
