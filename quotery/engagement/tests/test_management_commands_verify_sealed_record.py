"""The sealed accepted PDF as the anchor outside the database (SECURITY.md 14, 16, 28).

Someone who can write the database, and even holds the server's SECRET_KEY, rewrites who
signed: the acceptance row, its signature hash (recomputed with the app's own function),
the accepted event, every later hash, the signed chain head and the hashes recorded with
the emails. Everything in the database agrees again; the record sealed into the accepted
PDF (whose key is not in the database) and its certificate page do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import storages

from quotery.documents import acceptance as accepted_module
from quotery.documents.acceptance import accepted_pdf
from quotery.engagement.tests.tampering import rewrite_signer, verify, verify_failing
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.sharing.models import Acceptance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage_and_seal")]


@pytest.fixture
def sealed(rep) -> Acceptance:
    """Anna Client's acceptance, its PDF sealed and stored as the seal task leaves it."""
    acceptance = accept_shared(share_quote(rep), name="Anna Client", email="anna@client.test")
    accepted_pdf(acceptance=acceptance)
    return Acceptance.objects.select_related("quote__company").get(pk=acceptance.pk)


@pytest.fixture
def sealed_before_records(rep, monkeypatch) -> Acceptance:
    """An acceptance sealed the way PDFs were sealed before the record was embedded."""
    monkeypatch.setattr(accepted_module, "pdf_with_record", lambda pdf, acceptance: pdf)
    acceptance = accept_shared(share_quote(rep), name="Anna Client", email="anna@client.test")
    accepted_pdf(acceptance=acceptance)
    monkeypatch.undo()
    return Acceptance.objects.select_related("quote__company").get(pk=acceptance.pk)


def clients_copy(acceptance: Acceptance, tmp_path: Path) -> str:
    """The PDF the client was emailed, saved where they keep it."""
    path = tmp_path / "accepted-copy.pdf"
    path.write_bytes(storages["default"].open(acceptance.pdf_name, "rb").read())
    return str(path)


def test_security_28_an_honest_sealed_acceptance_agrees_with_its_record(sealed):
    output = verify("--quote", sealed.quote.number)
    assert (
        f"{sealed.quote.number} sealed PDF: ok (its embedded record agrees with the database "
        "(21 fields) and with its certificate page)"
    ) in output
    assert "BROKEN" not in output


def test_security_28_a_rewritten_acceptance_is_caught_by_the_sealed_record(sealed):
    # when the signer is rewritten everywhere in the database, with the server's own key
    old_hash = sealed.signature_hash
    new_hash = rewrite_signer(
        sealed, name="Mallory", email="mallory@evil.test", secret=django_settings.SECRET_KEY
    )

    output, error = verify_failing("--quote", sealed.quote.number)

    # then the database agrees with itself...
    number = sealed.quote.number
    for line in ("events: ok", "head: ok", "acceptance: ok", "emails: ok"):
        assert f"{number} {line}" in output
    # ...and the sealed record and the certificate page name every field that differs
    assert (
        f"{number} sealed PDF: BROKEN: "
        "signer name: the database says 'Mallory', the sealed PDF's record and certificate "
        "page say 'Anna Client'; "
        "signer email: the database says 'mallory@evil.test', the sealed PDF's record and "
        "certificate page say 'anna@client.test'; "
        f"signature hash: the database says '{new_hash}', the sealed PDF's record and "
        f"certificate page say '{old_hash}'"
    ) in output
    assert "1 check(s) failed over 1 quote(s)" in error


def test_security_28_the_clients_copy_catches_a_rewritten_acceptance(sealed, tmp_path):
    path = clients_copy(sealed, tmp_path)
    rewrite_signer(
        sealed, name="Mallory", email="mallory@evil.test", secret=django_settings.SECRET_KEY
    )

    output, error = verify_failing("--pdf", path)

    number = sealed.quote.number
    assert f"{path}: seal ok" in output
    assert f"{path}: the accepted PDF of {sealed.quote.company.slug} {number}" in output
    assert (
        f"{number} sealed PDF: BROKEN: signer name: the database says 'Mallory', the sealed "
        "PDF's record and certificate page say 'Anna Client'; signer email: the database "
        "says 'mallory@evil.test', the sealed PDF's record and certificate page say "
        "'anna@client.test'"
    ) in output
    assert error == f"The acceptance of {sealed.quote.company.slug} {number} does not verify."


def test_security_28_a_forgery_the_app_was_made_to_seal_again_shows_in_the_clients_copy(
    sealed, tmp_path
):
    # given the client's copy, then the signer rewritten, the stored PDF dropped and the app
    # left to seal a new one on the next download, with its own key
    path = clients_copy(sealed, tmp_path)
    rewrite_signer(
        sealed, name="Mallory", email="mallory@evil.test", secret=django_settings.SECRET_KEY
    )
    Acceptance.objects.filter(pk=sealed.pk).update(pdf_name="", pdf_sha256="")
    accepted_pdf(acceptance=Acceptance.objects.get(pk=sealed.pk))

    # then the server's own records all agree (this is what only a copy kept elsewhere
    # reveals)...
    assert "BROKEN" not in verify("--quote", sealed.quote.number)

    # ...but the client's copy names the acceptance it records and what differs
    output, error = verify_failing("--pdf", path)
    where = f"{sealed.quote.company.slug} {sealed.quote.number}"
    assert f"{path}: no acceptance recorded these bytes" in output
    assert f"{path}: its embedded record is the acceptance of {where}, whose recorded PDF" in (
        output
    )
    assert (
        f"{where} sealed PDF: BROKEN: signer name: the database says 'Mallory', the sealed "
        "PDF's record and certificate page say 'Anna Client'"
    ) in output
    assert "is not the recorded accepted PDF of any acceptance" in error


def test_security_28_the_clients_copy_names_a_deleted_acceptance(sealed, tmp_path):
    path = clients_copy(sealed, tmp_path)
    Acceptance.objects.filter(pk=sealed.pk).delete()

    output, _ = verify_failing("--pdf", path)

    assert (
        f"{path}: its embedded record is the acceptance of quote {sealed.quote.number} by "
        "Anna Client, which the database no longer has: the acceptance was deleted"
    ) in output


def test_a_pdf_sealed_before_records_were_embedded_still_verifies(sealed_before_records):
    output = verify("--quote", sealed_before_records.quote.number)
    assert (
        f"{sealed_before_records.quote.number} sealed PDF: ok (it carries no embedded record "
        "(sealed before records were embedded); its certificate page agrees with the database)"
    ) in output
    assert "BROKEN" not in output


def test_security_28_the_certificate_page_of_an_older_pdf_still_catches_a_rewrite(
    sealed_before_records,
):
    rewrite_signer(
        sealed_before_records,
        name="Mallory",
        email="mallory@evil.test",
        secret=django_settings.SECRET_KEY,
    )

    output, _ = verify_failing("--quote", sealed_before_records.quote.number)

    assert (
        f"{sealed_before_records.quote.number} sealed PDF: BROKEN: signer name: the database "
        "says 'Mallory', the sealed PDF's certificate page says 'Anna Client'; signer email: "
        "the database says 'mallory@evil.test', the sealed PDF's certificate page says "
        "'anna@client.test'"
    ) in output


@pytest.mark.parametrize(
    "name",
    ["山田 太郎", "محمد علي", "Zoë O'Brien-Łukasiewicz", "Hubert Blaine Wolfeschlegelsteinhausen"],
)
def test_names_a_pdf_reads_back_differently_still_verify(rep, name):
    # a script the PDF's fonts lack reads back as U+0000, right-to-left words come back in
    # page order: said where it matters, never a failure of an honest acceptance
    acceptance = accept_shared(share_quote(rep), name=name, email="anna@client.test")
    accepted_pdf(acceptance=acceptance)
    output = verify("--quote", acceptance.quote.number)
    assert "BROKEN" not in output
    assert "sealed PDF: ok (its embedded record agrees with the database (21 fields) and " in (
        output
    )
