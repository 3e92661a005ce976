"""manage.py verify [--quote Q-2026-0001] [--company slug]

Recomputes each quote's tamper-evident records and prints, per quote, "ok" or the first bad
row (quote number, sequence, problem). Exits non-zero when anything fails (SECURITY.md 16).

Each check in QUOTE_CHECKS takes a quote and returns a CheckResult; a new kind of sealed
record (acceptances) is one more function in that tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quotery.accounts.models import Company
from quotery.engagement.chain import verify_quote_chain
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


QUOTE_CHECKS: tuple[Callable[[Quote], CheckResult], ...] = (check_event_chain,)


class Command(BaseCommand):
    help = "Recompute every quote's engagement hash chain and name the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quote", help="Only this quote number, like Q-2026-0001.")
        parser.add_argument("--company", help="Only this company (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        failures = 0
        checked = 0
        for quote in self._quotes(options.get("company"), options.get("quote")):
            checked += 1
            for check in QUOTE_CHECKS:
                result = check(quote)
                where = f"{quote.company.slug} {quote.number} {result.name}"
                if result.ok:
                    self.stdout.write(f"{where}: ok ({result.detail})")
                else:
                    failures += 1
                    self.stdout.write(self.style.ERROR(f"{where}: BROKEN at {result.detail}"))
        if failures:
            raise CommandError(f"{failures} check(s) failed over {checked} quote(s).")
        self.stdout.write(self.style.SUCCESS(f"All {checked} quote(s) verified."))

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
