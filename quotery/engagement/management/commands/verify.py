"""manage.py verify [--quote Q-2026-0001] [--company slug] [--re-sign-heads]
   manage.py verify --pdf path/to/accepted.pdf

Recomputes each quote's tamper-evident records and prints, per quote and check, "ok" or what
is broken (quote number, row, problem): the event chain, its signed head, the acceptance,
the record sealed into the accepted PDF and the hash the acceptance emails carried
(SECURITY.md 16, 28; the checks live in quotery.engagement.verification). Exits non-zero
when anything fails.

`--pdf` checks a PDF someone holds (the client's copy from the email): that its seal is ours
and intact, which acceptance recorded exactly these bytes, and that acceptance against the
record sealed into them.

`--re-sign-heads` signs each chain head again with the current SECRET_KEY, but only where
the chain fully verifies and the head carries a signature of a key we still hold: run it
after rotating SECRET_KEY (the old key in SECRET_KEY_FALLBACKS) and before removing the old
key, which would otherwise leave those heads unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quotery.accounts.models import Company
from quotery.engagement.chain import head_re_sign
from quotery.engagement.verification.quotes import quote_checks
from quotery.engagement.verification.sealed_pdf import pdf_file_checks
from quotery.quotes.models import Quote


class Command(BaseCommand):
    help = (
        "Recompute every quote's engagement hash chain, its head and its acceptance and name "
        "what is broken; with --pdf, check a sealed accepted PDF someone holds; with "
        "--re-sign-heads, sign verified chain heads with the current SECRET_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quote", help="Only this quote number, like Q-2026-0001.")
        parser.add_argument("--company", help="Only this company (its slug).")
        parser.add_argument(
            "--pdf", help="Check this accepted PDF file: its seal and which acceptance it is."
        )
        parser.add_argument(
            "--re-sign-heads",
            action="store_true",
            help="Sign each verified chain head with the current SECRET_KEY (before an old "
            "key in SECRET_KEY_FALLBACKS is retired).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("pdf"):
            self._verify_pdf(Path(options["pdf"]))
            return
        quotes = self._quotes(options.get("company"), options.get("quote"))
        if options.get("re_sign_heads"):
            self._re_sign(quotes)
            return
        failures = 0
        checked = 0
        for quote in quotes:
            checked += 1
            for result in quote_checks(quote):
                line = f"{quote.company.slug} {quote.number} {result.line()}"
                if result.ok:
                    self.stdout.write(line)
                else:
                    failures += 1
                    self.stdout.write(self.style.ERROR(line))
        if failures:
            raise CommandError(f"{failures} check(s) failed over {checked} quote(s).")
        self.stdout.write(self.style.SUCCESS(f"All {checked} quote(s) verified."))

    def _re_sign(self, quotes: Iterator[Quote]) -> None:
        refused = 0
        signed = 0
        for quote in quotes:
            signing = head_re_sign(quote.pk)
            line = f"{quote.company.slug} {quote.number} head: {signing.detail}"
            signed += signing.outcome == "re-signed"
            if signing.outcome == "refused":
                refused += 1
                self.stdout.write(self.style.ERROR(line))
            else:
                self.stdout.write(line)
        if refused:
            raise CommandError(
                f"{refused} head(s) not re-signed: their chains do not verify. Keep the old "
                "key in SECRET_KEY_FALLBACKS until they are resolved."
            )
        self.stdout.write(self.style.SUCCESS(f"{signed} head(s) re-signed with the current key."))

    def _verify_pdf(self, path: Path) -> None:
        try:
            pdf = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
        report = pdf_file_checks(pdf, str(path))
        for ok, line in report.lines:
            self.stdout.write(line if ok else self.style.ERROR(line))
        if report.failure:
            raise CommandError(report.failure)

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
