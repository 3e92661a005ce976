"""One "machine" in the sealed-PDF race: a separate process with the production settings,
downloading one acceptance's accepted PDF at the same moment as its peers.

    python -m tests.storage.seal_race <acceptance id> <meeting folder> <number of processes>

The processes meet through files in the meeting folder: each says it is ready, waits for
the word to go, seals its own copy, and waits until every peer has sealed too before it
stores and records its copy, so that all of them race for the record at once. Prints the
SHA-256 of the bytes it was given.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

WAIT_SECONDS = 90


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("seal_race: the other processes never arrived")
        time.sleep(0.01)


def main(acceptance_id: int, meeting: Path, parties: int) -> None:
    import django

    django.setup()
    from quotery.documents import acceptance as accepted_module
    from quotery.sharing.models import Acceptance

    real_seal = accepted_module.seal_pdf

    def seal_then_wait(pdf: bytes, *, reason: str) -> bytes:
        sealed = real_seal(pdf, reason=reason)
        (meeting / f"sealed-{os.getpid()}").touch()
        wait_until(lambda: len(list(meeting.glob("sealed-*"))) >= parties)
        return sealed

    accepted_module.seal_pdf = seal_then_wait  # type: ignore[assignment]
    row = Acceptance.objects.select_related("company", "quote", "share", "revision").get(
        pk=acceptance_id
    )
    (meeting / f"ready-{os.getpid()}").touch()
    wait_until(lambda: (meeting / "go").exists())
    pdf = accepted_module.accepted_pdf(acceptance=row)
    print(hashlib.sha256(pdf).hexdigest())


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
