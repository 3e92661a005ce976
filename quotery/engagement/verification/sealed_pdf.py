"""The sealed accepted PDF (SECURITY.md 14): its stored bytes and seal; and a PDF someone
holds (`manage.py verify --pdf`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.files.storage import storages

from quotery.documents.sealing import verify_pdf_seal
from quotery.engagement.verification.acceptance import acceptance_check, emails_check
from quotery.engagement.verification.results import CheckResult
from quotery.portal.models import Acceptance


def stored_pdf(acceptance: Acceptance) -> tuple[bytes | None, list[str]]:
    """The stored accepted PDF when it is the recorded one with our intact seal; otherwise
    None and what is wrong with it. (None and nothing for a PDF not sealed yet.)"""
    if not acceptance.pdf_sha256:
        return None, []
    try:
        with storages["default"].open(acceptance.pdf_name, "rb") as handle:
            pdf: bytes = handle.read()
    except FileNotFoundError:
        return None, ["the accepted PDF is missing from storage"]
    if hashlib.sha256(pdf).hexdigest() != acceptance.pdf_sha256:
        return None, [
            "accepted PDF changed after sealing: its SHA-256 does not match the recorded one"
        ]
    seal = verify_pdf_seal(pdf)
    if not seal.ok:
        return None, [f"the accepted PDF's seal does not verify: {seal.detail}"]
    return pdf, []


def acceptance_checks(acceptance: Acceptance) -> list[CheckResult]:
    """The acceptance with its stored sealed PDF, and its emails."""
    _, pdf_problems = stored_pdf(acceptance)
    return [acceptance_check(acceptance, pdf_problems=pdf_problems), emails_check(acceptance)]


# --- A PDF someone holds ---------------------------------------------------------------


@dataclass
class PdfFileReport:
    """What `verify --pdf` prints, line by line (ok or not), and why it fails, if it does."""

    lines: list[tuple[bool, str]] = field(default_factory=list)
    failure: str = ""


def pdf_file_checks(pdf: bytes, label: str) -> PdfFileReport:
    """Checks a PDF someone holds: our seal intact, which acceptance recorded exactly these
    bytes, and that acceptance."""
    report = PdfFileReport()
    seal = verify_pdf_seal(pdf)
    if not seal.ok:
        report.lines.append((False, f"{label}: seal BROKEN: {seal.detail}"))
        report.failure = f"{label} is not an intact sealed PDF of this installation."
        return report
    report.lines.append((True, f"{label}: seal ok ({seal.detail})"))
    digest = hashlib.sha256(pdf).hexdigest()
    acceptance = _acceptance_with(pdf_sha256=digest)
    if acceptance is None:
        report.lines.append(
            (False, f"{label}: no acceptance recorded these bytes (SHA-256 {digest})")
        )
        report.failure = f"{label} is not the recorded accepted PDF of any acceptance."
        return report
    quote = acceptance.quote
    where = f"{quote.company.slug} {quote.number}"
    report.lines.append(
        (
            True,
            f"{label}: the accepted PDF of {where} (revision {acceptance.revision_number}, "
            f"accepted {acceptance.accepted_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC, "
            f"SHA-256 {digest})",
        )
    )
    results = [
        acceptance_check(acceptance),
        emails_check(acceptance),
    ]
    report.lines.extend((result.ok, f"{where} {result.line()}") for result in results)
    if all(result.ok for result in results):
        report.lines.append((True, f"{label}: verified."))
    else:
        report.failure = f"The acceptance of {where} does not verify."
    return report


def _acceptance_with(**lookup: object) -> Acceptance | None:
    return (
        Acceptance.objects.select_related("quote__company", "revision", "share", "company")
        .filter(**lookup)
        .first()
    )
