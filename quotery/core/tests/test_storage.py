"""storage_read, storage_save_new, storage_discard: the same answers on the filesystem and in
an S3 bucket (moto's server over real HTTP), and a taken name is never overwritten, also
when threads race for it."""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

from quotery.core.storage import storage_discard, storage_read, storage_save_new
from tests.concurrency import run_at_once


@pytest.fixture(params=["filesystem", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "filesystem":
        return FileSystemStorage(location=tmp_path / "media")
    request.getfixturevalue("s3_storage")
    return storages["default"]


def s3_requests(storage: Storage) -> list[str]:
    """The names of the S3 operations this thread's connection sends from now on."""
    sent: list[str] = []

    def record(model: Any, **_: Any) -> None:
        sent.append(model.name)

    storage.connection.meta.client.meta.events.register("before-call.s3", record)  # type: ignore[attr-defined]
    return sent


def test_save_new_stores_under_exactly_that_name(storage: Storage) -> None:
    storage_save_new(storage, "documents/a/one.pdf", b"%PDF-one")

    assert storage_read(storage, "documents/a/one.pdf") == b"%PDF-one"
    assert storage.listdir("documents/a") == ([], ["one.pdf"])


def test_save_new_refuses_a_taken_name_and_keeps_what_is_stored(storage: Storage) -> None:
    storage_save_new(storage, "documents/a/one.pdf", b"%PDF-first")

    with pytest.raises(FileExistsError, match=re.escape("already stored as documents/a/one.pdf")):
        storage_save_new(storage, "documents/a/one.pdf", b"%PDF-second")

    assert storage_read(storage, "documents/a/one.pdf") == b"%PDF-first"
    assert storage.listdir("documents/a") == ([], ["one.pdf"])


def test_reading_a_missing_name_is_file_not_found(storage: Storage) -> None:
    with pytest.raises(FileNotFoundError):
        storage_read(storage, "documents/nothing-here.pdf")


def test_discard_deletes_and_a_missing_name_is_no_error(storage: Storage) -> None:
    storage.save("documents/leftover.pdf", ContentFile(b"%PDF"))

    storage_discard(storage, "documents/leftover.pdf")
    storage_discard(storage, "documents/leftover.pdf")

    assert not storage.exists("documents/leftover.pdf")


def test_racing_writers_of_one_name_leave_exactly_one_winner(storage: Storage) -> None:
    # given eight writers of different bytes to one name, released at the same moment
    writers = 8
    won: list[bytes] = []
    lock = threading.Lock()

    def write(number: int) -> None:
        content = f"%PDF-writer-{number}".encode()
        storage_save_new(storage, "documents/race.pdf", content)
        with lock:
            won.append(content)

    _, errors = run_at_once([functools.partial(write, number) for number in range(writers)])

    # then one write stored its bytes, every other one was refused, and nothing was replaced
    assert len(won) == 1
    assert len(errors) == writers - 1
    assert all(isinstance(error, FileExistsError) for error in errors)
    assert storage_read(storage, "documents/race.pdf") == won[0]
    assert storage.listdir("documents") == ([], ["race.pdf"])


def test_on_s3_a_read_is_one_get_and_a_refused_write_one_put(s3_storage: Any) -> None:
    storage = storages["default"]
    storage_save_new(storage, "documents/x.pdf", b"%PDF-x")
    sent = s3_requests(storage)

    storage_read(storage, "documents/x.pdf")
    with pytest.raises(FileExistsError):
        storage_save_new(storage, "documents/x.pdf", b"%PDF-y")

    assert sent == ["GetObject", "PutObject"]
    assert s3_storage.keys() == ["documents/x.pdf"]
