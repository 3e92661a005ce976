"""The sealed accepted PDF (SECURITY.md 14, 28): its stored bytes and seal, and the
acceptance record sealed into it, compared field by field with the database and with the
certificate page's text. The seal's key is not in the database, so this copy holds when
the acceptance, its chain and its head were all rewritten there. Also a PDF someone holds
(`manage.py verify --pdf`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.files.storage import storages

from quotery.core.storage import storage_read
from quotery.documents.acceptance_record import (
    RecordUnreadable,
    acceptance_fields,
    certificate_page_text,
    certificate_page_values,
    certificate_texts,
    compared_fields,
    embedded_record,
    page_shows,
    signed_part,
)
from quotery.documents.sealing import verify_pdf_seal
from quotery.engagement.verification.acceptance import acceptance_check, emails_check
from quotery.engagement.verification.results import CheckResult, Findings
from quotery.sharing.models import Acceptance
from quotery.sharing.signatures import record_signature_hash

QUOTED_MAX = 80


def stored_pdf(acceptance: Acceptance) -> tuple[bytes | None, list[str]]:
    """The stored accepted PDF when it is the recorded one with our intact seal; otherwise
    None and what is wrong with it. (None and nothing for a PDF not sealed yet.)"""
    if not acceptance.pdf_sha256:
        return None, []
    try:
        pdf = storage_read(storages["default"], acceptance.pdf_name)
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
    """The acceptance, the record in its stored sealed PDF, and its emails."""
    pdf, pdf_problems = stored_pdf(acceptance)
    results = [acceptance_check(acceptance, pdf_problems=pdf_problems)]
    if pdf is not None:
        results.append(sealed_record_check(acceptance, pdf))
    results.append(emails_check(acceptance))
    return results


def sealed_record_check(acceptance: Acceptance, pdf: bytes) -> CheckResult:
    """The record embedded in the sealed PDF and its certificate page against the database,
    naming each field that differs and what each of them says."""
    findings = Findings()
    try:
        record = embedded_record(pdf)
    except RecordUnreadable as error:
        findings.problems.append(f"the sealed PDF's embedded record cannot be read: {error}")
        return findings.result("sealed PDF", "")
    page = certificate_page_values(certificate_page_text(pdf))
    if not page:
        findings.notes.append("its certificate page could not be read back")
    if record is not None and record_signature_hash(
        record["prev_hash"], signed_part(record)
    ) != record.get("signature_hash"):
        findings.problems.append(
            "the sealed PDF's embedded record does not hash to its own signature hash"
        )
    database = acceptance_fields(acceptance)
    _compare(database, record, page, findings)
    if record is None:
        detail = (
            "it carries no embedded record (sealed before records were embedded); its "
            "certificate page agrees with the database"
        )
    else:
        count = len(compared_fields(database, record))
        detail = f"its embedded record agrees with the database ({count} fields)"
        detail += " and with its certificate page" if page else ""
    return findings.result("sealed PDF", detail)


def _compare(
    database: dict[str, str],
    record: dict[str, str] | None,
    page: dict[str, str],
    findings: Findings,
) -> None:
    database_texts = certificate_texts(database)
    record_texts = certificate_texts(record) if record is not None else {}
    for key, name in compared_fields(database, record).items():
        ours = database.get(key, "")
        read = page.get(key)
        if record is None:
            if read is not None and not page_shows(database_texts[key], read):
                findings.problems.append(
                    f"{name}: the database says {_quoted(ours)}, the sealed PDF's certificate "
                    f"page says {_quoted(read)}"
                )
            continue
        sealed = record.get(key, "")
        page_agrees = read is None or page_shows(record_texts[key], read)
        if sealed != ours:
            if read is None:
                says = f"the sealed PDF's record says {_quoted(sealed)}"
            elif page_agrees:
                says = f"the sealed PDF's record and certificate page say {_quoted(sealed)}"
            else:
                says = (
                    f"the sealed PDF's record says {_quoted(sealed)} and its certificate "
                    f"page {_quoted(read)}"
                )
            findings.problems.append(f"{name}: the database says {_quoted(ours)}, {says}")
        elif not page_agrees:
            # The seal covers both: only how text comes back out of a PDF (a script its
            # fonts lack, right-to-left words) makes them differ. Said, not failed.
            findings.notes.append(
                f"{name}: the certificate page reads {_quoted(read or '')} where the record "
                f"and the database say {_quoted(ours)}"
            )


def _quoted(value: str) -> str:
    if len(value) > QUOTED_MAX:
        value = value[: QUOTED_MAX - 1] + "…"
    return f"'{value}'"


# --- A PDF someone holds ---------------------------------------------------------------


@dataclass
class PdfFileReport:
    """What `verify --pdf` prints, line by line (ok or not), and why it fails, if it does."""

    lines: list[tuple[bool, str]] = field(default_factory=list)
    failure: str = ""


def pdf_file_checks(pdf: bytes, label: str) -> PdfFileReport:
    """Checks a PDF someone holds: our seal intact, which acceptance recorded exactly these
    bytes, and that acceptance against its record sealed into these bytes. A sealed copy no
    acceptance recorded is still compared with the acceptance its record names."""
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
        _named_by_record(pdf, label, report)
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
        sealed_record_check(acceptance, pdf),
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


def _named_by_record(pdf: bytes, label: str, report: PdfFileReport) -> None:
    """A sealed PDF that no acceptance recorded: the acceptance its own record names, as
    the database holds it now (a deleted or rewritten acceptance shows here)."""
    try:
        record = embedded_record(pdf)
    except RecordUnreadable:
        return
    if record is None or not record["quote"].isdigit():
        return
    acceptance = _acceptance_with(quote_id=int(record["quote"]))
    if acceptance is None:
        report.lines.append(
            (
                False,
                f"{label}: its embedded record is the acceptance of quote "
                f"{record['quote_number']} by {record['signer_name']}, which the database "
                "no longer has: the acceptance was deleted",
            )
        )
        return
    quote = acceptance.quote
    where = f"{quote.company.slug} {quote.number}"
    report.lines.append(
        (
            False,
            f"{label}: its embedded record is the acceptance of {where}, whose recorded PDF "
            f"is another (SHA-256 {acceptance.pdf_sha256 or 'none yet'})",
        )
    )
    result = sealed_record_check(acceptance, pdf)
    report.lines.append((result.ok, f"{where} {result.line()}"))
