"""Background work of the documents app."""

from __future__ import annotations

from django.tasks import task

from quotery.documents.acceptance import accepted_pdf
from quotery.sharing.models import Acceptance


@task
def seal_accepted_pdf(acceptance_id: int) -> str:
    """Makes and stores the accepted PDF right after an acceptance commits, so the first
    download and the client's confirmation email find it ready. Safe to run twice."""
    acceptance = Acceptance.objects.select_related("quote", "company", "share", "revision").get(
        pk=acceptance_id
    )
    accepted_pdf(acceptance=acceptance)
    return acceptance.pdf_sha256
