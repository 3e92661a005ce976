"""The accepted PDF: the accepted revision plus an acceptance certificate page, sealed with
a PDF signature, stored once (SECURITY.md 14)."""

from __future__ import annotations

from quotery.portal.models import Acceptance


def accepted_pdf(*, acceptance: Acceptance) -> bytes:
    """The sealed accepted PDF; made and stored on first call, the same bytes afterwards."""
    raise NotImplementedError("accepted_pdf is being built")
