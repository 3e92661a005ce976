"""SECURITY.md 14 with the files in an S3 bucket (moto's server, real HTTP): the sealed
accepted PDF is stored once, never overwritten, byte-identical on every download, and a
missing or changed object is refused, never re-made; concurrent first downloads on several
threads, and on several processes standing in for machines, leave one recorded object.

Exercises: quotery.documents.acceptance.accepted_pdf, quotery.core.storage,
quotery.portal.views.acceptance.accepted_pdf_download, quotery.engagement.verification
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from config.env import BASE_DIR
from quotery.documents import acceptance as accepted_module
from quotery.documents.acceptance import AcceptedPdfUnavailable, accepted_pdf
from quotery.engagement.models import EventKind
from quotery.engagement.tests.tampering import verify, verify_failing
from quotery.portal.tests.portal_fixtures import accept_shared, event_kinds, share_quote
from quotery.sharing.models import Acceptance
from tests import s3
from tests.concurrency import run_at_once

NO_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def seal_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts sealings (patched where accepted_pdf looks the function up)."""
    calls: list[str] = []
    real = accepted_module.seal_pdf

    def counting(pdf: bytes, *, reason: str) -> bytes:
        calls.append(reason)
        return real(pdf, reason=reason)

    monkeypatch.setattr(accepted_module, "seal_pdf", counting)
    return calls


def accepted_keys(bucket: Any, acceptance: Acceptance) -> list[str]:
    return bucket.keys(f"documents/accepted/{acceptance.company_id}/")


@pytest.mark.django_db
def test_security_14_on_s3_the_pdf_is_stored_once_and_downloads_are_byte_identical(
    s3_storage: Any, rep: Any, seal_calls: list[str]
) -> None:
    # given an accepted quote whose sealed PDF is not made yet
    acceptance = accept_shared(share_quote(rep))

    # when it is downloaded three times (the third with a row loaded before the first)
    first = accepted_pdf(acceptance=Acceptance.objects.get(pk=acceptance.pk))
    second = accepted_pdf(acceptance=Acceptance.objects.get(pk=acceptance.pk))
    third = accepted_pdf(acceptance=acceptance)

    # then one seal, one object in the bucket, holding exactly the recorded bytes
    row = Acceptance.objects.get(pk=acceptance.pk)
    assert first == second == third
    assert len(seal_calls) == 1
    assert row.pdf_sha256 == hashlib.sha256(first).hexdigest()
    assert accepted_keys(s3_storage, acceptance) == [row.pdf_name]
    stored = s3_storage.server.client().get_object(Bucket=s3_storage.name, Key=row.pdf_name)
    assert stored["Body"].read() == first
    assert stored["ContentType"] == "application/pdf"


@pytest.mark.django_db
def test_security_14_on_s3_a_changed_object_is_refused_and_never_re_made(
    s3_storage: Any, rep: Any, seal_calls: list[str]
) -> None:
    # given a sealed PDF whose object was replaced in the bucket behind the app's back
    acceptance = accept_shared(share_quote(rep))
    accepted_pdf(acceptance=acceptance)
    client = s3_storage.server.client()
    client.put_object(Bucket=s3_storage.name, Key=acceptance.pdf_name, Body=b"%PDF-1.7 forged")

    # then the download refuses with the clear message, and nothing is sealed or stored again
    with pytest.raises(AcceptedPdfUnavailable, match="no longer matches its recorded"):
        accepted_pdf(acceptance=Acceptance.objects.get(pk=acceptance.pk))
    assert len(seal_calls) == 1
    assert accepted_keys(s3_storage, acceptance) == [acceptance.pdf_name]
    forged = client.get_object(Bucket=s3_storage.name, Key=acceptance.pdf_name)
    assert forged["Body"].read() == b"%PDF-1.7 forged"


@pytest.mark.django_db
def test_security_14_on_s3_a_missing_object_is_refused_and_never_re_made(
    s3_storage: Any, rep: Any, seal_calls: list[str]
) -> None:
    # given a sealed PDF whose object was deleted from the bucket
    acceptance = accept_shared(share_quote(rep))
    accepted_pdf(acceptance=acceptance)
    recorded = Acceptance.objects.values_list("pdf_name", "pdf_sha256").get(pk=acceptance.pk)
    storages["default"].delete(acceptance.pdf_name)

    # then the download refuses with the clear message, and nothing is sealed or stored again
    with pytest.raises(AcceptedPdfUnavailable, match="missing from storage"):
        accepted_pdf(acceptance=Acceptance.objects.get(pk=acceptance.pk))
    assert len(seal_calls) == 1
    assert accepted_keys(s3_storage, acceptance) == []
    assert Acceptance.objects.values_list("pdf_name", "pdf_sha256").get(pk=acceptance.pk) == (
        recorded
    )


@pytest.mark.django_db
def test_security_28_verify_reads_the_sealed_pdf_from_the_bucket(s3_storage: Any, rep: Any) -> None:
    # given a sealed accepted PDF in the bucket
    acceptance = accept_shared(share_quote(rep))
    accepted_pdf(acceptance=acceptance)
    number = acceptance.quote.number
    prefix = f"{acceptance.quote.company.slug} {number} acceptance: BROKEN at acceptance "

    # then verify finds it intact, then names a changed object, then a missing one
    assert "sealed PDF intact)" in verify("--quote", number)
    client = s3_storage.server.client()
    client.put_object(Bucket=s3_storage.name, Key=acceptance.pdf_name, Body=b"%PDF-1.7 other")
    output, _ = verify_failing("--quote", number)
    assert f"{prefix}#{acceptance.pk}: accepted PDF changed after sealing" in output
    client.delete_object(Bucket=s3_storage.name, Key=acceptance.pdf_name)
    output, _ = verify_failing("--quote", number)
    assert f"{prefix}#{acceptance.pk}: the accepted PDF is missing from storage" in output


@pytest.mark.django_db
def test_security_14_on_s3_the_portal_download_records_it_and_a_refusal_records_nothing(
    s3_storage: Any, rep: Any, client: HttpClient
) -> None:
    # given an accepted quote
    shared = share_quote(rep)
    acceptance = accept_shared(shared)
    url = reverse("portal:accepted_pdf", args=[shared.token])
    before = event_kinds(shared.quote.pk)

    # when the client downloads the accepted PDF twice
    first = client.get(url)
    second = client.get(url)

    # then the same bytes from the bucket, each download recorded
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == accepted_pdf(acceptance=acceptance)
    assert event_kinds(shared.quote.pk) == [*before, *[EventKind.PDF_DOWNLOADED] * 2]

    # and once the object is gone, the page says so and no download is recorded
    storages["default"].delete(Acceptance.objects.get(pk=acceptance.pk).pdf_name)
    refused = client.get(url)
    assert refused.status_code == 500
    assert "missing from storage" in refused.content.decode()
    assert event_kinds(shared.quote.pk) == [*before, *[EventKind.PDF_DOWNLOADED] * 2]


@pytest.mark.django_db(transaction=True)
def test_security_14_on_s3_concurrent_first_downloads_store_one_object(
    s3_storage: Any, rep: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an acceptance not sealed yet (no task runs) and six downloads at once on their
    # own threads and connections, each sealing its own copy before any of them records one
    settings.TASKS = NO_TASKS
    acceptance = accept_shared(share_quote(rep))
    callers = 6
    all_sealed = threading.Barrier(callers, timeout=60)
    real = accepted_module.seal_pdf

    def seal_then_wait(pdf: bytes, *, reason: str) -> bytes:
        sealed = real(pdf, reason=reason)
        all_sealed.wait()
        return sealed

    monkeypatch.setattr(accepted_module, "seal_pdf", seal_then_wait)

    def download() -> bytes:
        row = Acceptance.objects.select_related("company", "quote", "share", "revision").get(
            pk=acceptance.pk
        )
        return accepted_pdf(acceptance=row)

    results, errors = run_at_once([download] * callers)

    # then every caller got the recorded bytes, and the bucket holds that one object only:
    # the five losing copies were deleted by their own callers
    assert errors == []
    row = Acceptance.objects.get(pk=acceptance.pk)
    assert len(results) == callers
    assert {hashlib.sha256(pdf).hexdigest() for pdf in results} == {row.pdf_sha256}  # type: ignore[arg-type]
    assert accepted_keys(s3_storage, acceptance) == [row.pdf_name]
    assert storages["default"].open(row.pdf_name).read() == results[0]


@pytest.mark.django_db(transaction=True)
def test_security_14_on_s3_identical_copies_from_two_attempts_never_share_a_key(
    s3_storage: Any, rep: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given four attempts that all come up with the very same sealed bytes (as a seal made
    # twice in one instant could): a shared key would let a losing attempt delete the
    # winner's object when it cleans up after itself
    settings.TASKS = NO_TASKS
    acceptance = accept_shared(share_quote(rep))
    one_copy = accepted_module.seal_pdf(
        accepted_module.accepted_pdf_unsealed(acceptance=acceptance), reason="one seal"
    )
    callers = 4
    all_sealed = threading.Barrier(callers, timeout=60)

    def same_seal_then_wait(pdf: bytes, *, reason: str) -> bytes:
        all_sealed.wait()
        return one_copy

    monkeypatch.setattr(accepted_module, "seal_pdf", same_seal_then_wait)

    results, errors = run_at_once(
        [lambda: accepted_pdf(acceptance=Acceptance.objects.get(pk=acceptance.pk))] * callers
    )

    # then the recorded object is still there, and it is the only one
    assert errors == []
    assert results == [one_copy] * callers
    row = Acceptance.objects.get(pk=acceptance.pk)
    assert accepted_keys(s3_storage, acceptance) == [row.pdf_name]
    assert accepted_pdf(acceptance=row) == one_copy


def database_url() -> str:
    """The test database, as DATABASE_URL names it for another process."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(Path(conf["NAME"]).resolve())
    credentials = quote(conf["USER"]) + (f":{quote(conf['PASSWORD'])}" if conf["PASSWORD"] else "")
    return f"postgres://{credentials}@{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_security_14_on_s3_machines_racing_for_the_first_download_store_one_object(
    s3_storage: Any, rep: Any, settings: Any, tmp_path: Path
) -> None:
    # given an acceptance not sealed yet, and three processes with the production settings
    # and the bucket from the environment, as three machines behind one load balancer
    settings.TASKS = NO_TASKS
    acceptance = accept_shared(share_quote(rep))
    machines = 3
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("AWS_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url(),
        "SEAL_KEY_PATH": settings.SEAL_KEY_PATH,
        "SEAL_CERT_PATH": settings.SEAL_CERT_PATH,
        "AWS_STORAGE_BUCKET_NAME": s3_storage.name,
        "AWS_S3_ENDPOINT_URL": s3_storage.server.endpoint_url,
        "AWS_S3_REGION_NAME": s3.REGION,
        "AWS_ACCESS_KEY_ID": s3.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": s3.SECRET_KEY,
    }
    command = [sys.executable, "-m", "tests.storage.seal_race", str(acceptance.pk)]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*command, str(tmp_path), str(machines)],
            cwd=BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(machines)
    ]

    # when all of them download it at the same moment (each seals its own copy first)
    deadline = time.monotonic() + 90
    while len(list(tmp_path.glob("ready-*"))) < machines and time.monotonic() < deadline:
        time.sleep(0.05)
    (tmp_path / "go").touch()
    outputs = [process.communicate(timeout=120) for process in processes]

    # then each got the recorded bytes, and the bucket holds that one object only
    assert [process.returncode for process in processes] == [0] * machines, outputs
    row = Acceptance.objects.get(pk=acceptance.pk)
    assert [out.strip() for out, _ in outputs] == [row.pdf_sha256] * machines
    assert len(list(tmp_path.glob("sealed-*"))) == machines
    assert accepted_keys(s3_storage, acceptance) == [row.pdf_name]
    assert hashlib.sha256(accepted_pdf(acceptance=row)).hexdigest() == row.pdf_sha256
