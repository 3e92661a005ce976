"""manage.py verify [--quote Q-2026-0001] [--company slug] | --pdf path/to/accepted.pdf

Recomputes each quote's tamper-evident records and prints, per quote and check, "ok" or what
is broken (quote number, row, problem). Exits non-zero when anything fails (SECURITY.md 16).

Each check in QUOTE_CHECKS takes a quote and returns a CheckResult, or None when the quote
has nothing of that kind (a quote nobody accepted has no acceptance to check).

`--pdf` checks a PDF someone holds (the client's copy from the email): that its seal is ours
and intact, and which acceptance recorded exactly these bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quotery.accounts.models import Company
from quotery.documents.sealing import verify_pdf_seal
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import GENESIS_HASH, EventKind, QuoteEvent
from quotery.portal.models import Acceptance
from quotery.portal.services.acceptance import signature_hash
from quotery.quotes.models import Quote


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def check_event_chain(quote: Quote) -> CheckResult:
    report = verify_quote_chain(quote.pk)
    if report.ok:
        return CheckResult("events", True, f"{report.checked} events chained")
    return CheckResult("events", False, f"event #{report.first_bad_sequence}: {report.problem}")


def check_acceptance(quote: Quote) -> CheckResult | None:
    """The client's signature: its hash over the signed record and the event before it, the
    chained event that carries it, the revision it names, and the sealed PDF."""
    acceptance = Acceptance.objects.select_related("revision").filter(quote_id=quote.pk).first()
    if acceptance is None:
        return None
    problems = acceptance_problems(acceptance)
    if problems:
        return CheckResult(
            "acceptance", False, f"acceptance #{acceptance.pk}: " + "; ".join(problems)
        )
    pdf = "sealed PDF intact" if acceptance.pdf_sha256 else "PDF not sealed yet"
    return CheckResult(
        "acceptance",
        True,
        f"signature hash {acceptance.signature_hash[:12]}…, event "
        f"#{acceptance.event_sequence}, revision {acceptance.revision_number}, {pdf}",
    )


def acceptance_problems(acceptance: Acceptance) -> list[str]:
    """Every inconsistency of one acceptance with itself, its chain, its revision and its
    stored PDF, each named in plain words."""
    problems: list[str] = []
    sequence = acceptance.event_sequence
    if signature_hash(acceptance.prev_hash, acceptance) != acceptance.signature_hash:
        problems.append(
            "its signed record was edited (signer name, email, time, IP, user agent, consent, "
            "link, revision or total): the signature hash does not match"
        )
    problems.extend(_chain_problems(acceptance, sequence))
    problems.extend(_revision_problems(acceptance))
    if acceptance.pdf_sha256:
        problems.extend(_pdf_problems(acceptance))
    return problems


def _chain_problems(acceptance: Acceptance, sequence: int) -> list[str]:
    problems: list[str] = []
    events = {
        event.sequence: event
        for event in QuoteEvent.objects.filter(
            quote_id=acceptance.quote_id, sequence__in=[sequence - 1, sequence]
        )
    }
    if sequence == 1:
        expected_prev: str | None = GENESIS_HASH
    else:
        before = events.get(sequence - 1)
        expected_prev = before.hash if before else None
        if before is None:
            problems.append(f"event #{sequence - 1}, the one the acceptance follows, is missing")
    if expected_prev is not None and acceptance.prev_hash != expected_prev:
        problems.append(
            f"its previous hash does not match event #{sequence - 1}: the events before "
            "the acceptance were edited, inserted or deleted"
        )
    event = events.get(sequence)
    if event is None:
        problems.append(f"the acceptance event #{sequence} is missing (deleted)")
    elif event.kind != EventKind.QUOTE_ACCEPTED:
        problems.append(
            f"event #{sequence} is “{event.kind}”, not the acceptance: an event was "
            "inserted before it or the events were renumbered"
        )
    elif event.data != {
        "acceptance": acceptance.pk,
        "signature_hash": acceptance.signature_hash,
    }:
        problems.append(
            f"the acceptance event #{sequence} does not carry this acceptance's signature hash"
        )
    elif event.prev_hash != acceptance.prev_hash:
        problems.append(
            f"the acceptance event #{sequence} follows another hash than the acceptance does"
        )
    return problems


def _revision_problems(acceptance: Acceptance) -> list[str]:
    revision = acceptance.revision
    problems: list[str] = []
    if revision.quote_id != acceptance.quote_id or revision.number != acceptance.revision_number:
        problems.append("the acceptance points at another revision than the one it names")
    if acceptance.content_hash != revision.content_hash:
        problems.append("the accepted revision's content hash differs from the one signed")
    if hashlib.sha256(revision.content.encode("utf-8")).hexdigest() != revision.content_hash:
        problems.append(
            f"revision {revision.number}'s stored content was edited: it no longer hashes "
            "to its content hash"
        )
    return problems


def _pdf_problems(acceptance: Acceptance) -> list[str]:
    try:
        with storages["default"].open(acceptance.pdf_name, "rb") as handle:
            pdf: bytes = handle.read()
    except FileNotFoundError:
        return ["the accepted PDF is missing from storage"]
    if hashlib.sha256(pdf).hexdigest() != acceptance.pdf_sha256:
        return ["accepted PDF changed after sealing: its SHA-256 does not match the recorded one"]
    seal = verify_pdf_seal(pdf)
    if not seal.ok:
        return [f"the accepted PDF's seal does not verify: {seal.detail}"]
    return []


QUOTE_CHECKS: tuple[Callable[[Quote], CheckResult | None], ...] = (
    check_event_chain,
    check_acceptance,
)


class Command(BaseCommand):
    help = (
        "Recompute every quote's engagement hash chain and acceptance and name what is "
        "broken; or, with --pdf, check a sealed accepted PDF someone holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quote", help="Only this quote number, like Q-2026-0001.")
        parser.add_argument("--company", help="Only this company (its slug).")
        parser.add_argument(
            "--pdf", help="Check this accepted PDF file: its seal and which acceptance it is."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("pdf"):
            self._verify_pdf(Path(options["pdf"]))
            return
        failures = 0
        checked = 0
        for quote in self._quotes(options.get("company"), options.get("quote")):
            checked += 1
            for check in QUOTE_CHECKS:
                result = check(quote)
                if result is None:
                    continue
                where = f"{quote.company.slug} {quote.number} {result.name}"
                if result.ok:
                    self.stdout.write(f"{where}: ok ({result.detail})")
                else:
                    failures += 1
                    self.stdout.write(self.style.ERROR(f"{where}: BROKEN at {result.detail}"))
        if failures:
            raise CommandError(f"{failures} check(s) failed over {checked} quote(s).")
        self.stdout.write(self.style.SUCCESS(f"All {checked} quote(s) verified."))

    def _verify_pdf(self, path: Path) -> None:
        try:
            pdf = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
        seal = verify_pdf_seal(pdf)
        if not seal.ok:
            self.stdout.write(self.style.ERROR(f"{path}: seal BROKEN: {seal.detail}"))
            raise CommandError(f"{path} is not an intact sealed PDF of this installation.")
        self.stdout.write(f"{path}: seal ok ({seal.detail})")
        digest = hashlib.sha256(pdf).hexdigest()
        acceptance = (
            Acceptance.objects.select_related("quote__company", "revision")
            .filter(pdf_sha256=digest)
            .first()
        )
        if acceptance is None:
            self.stdout.write(
                self.style.ERROR(f"{path}: no acceptance recorded these bytes (SHA-256 {digest})")
            )
            raise CommandError(f"{path} is not the recorded accepted PDF of any acceptance.")
        quote = acceptance.quote
        where = f"{quote.company.slug} {quote.number}"
        self.stdout.write(
            f"{path}: the accepted PDF of {where} (revision {acceptance.revision_number}, "
            f"accepted {acceptance.accepted_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC, "
            f"SHA-256 {digest})"
        )
        problems = acceptance_problems(acceptance)
        if problems:
            self.stdout.write(
                self.style.ERROR(
                    f"{where} acceptance: BROKEN at acceptance #{acceptance.pk}: "
                    + "; ".join(problems)
                )
            )
            raise CommandError(f"The acceptance of {where} does not verify.")
        self.stdout.write(self.style.SUCCESS(f"{path}: verified."))

    def _quotes(self, slug: str | None, number: str | None) -> Iterator[Quote]:
        quotes = Quote.objects.select_related("company").order_by("company__slug", "number")
        if slug:
            company = Company.objects.filter(slug=slug).first()
            if company is None:
                raise CommandError(f"No company with the slug “{slug}”.")
            quotes = quotes.filter(company=company)
        if number:
            quotes = quotes.filter(number=number)
            if not quotes.exists():
                where = f" in {slug}" if slug else ""
                raise CommandError(f"No quote numbered “{number}”{where}.")
        return quotes.iterator(chunk_size=500)
