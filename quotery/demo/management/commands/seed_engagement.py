"""manage.py seed_engagement [--events 1000000] [--company slug] [--days 90] [--seed 1]

Fills a company with realistic engagement, fast, so a manager (and the benchmark) sees a
full Engagement page: quotes shared over the last `--days` days by several reps, link-scanner
opens, views confirmed by the beacon, PDF downloads, re-shares to clients who never looked,
second recipients, client messages, and outcomes (accepted, changes requested then a new
revision, declined).

The rows are bulk-written with their hash chains and signed chain heads computed as
`append_event` would (quotery/demo/engagement_sample/). An accepted quote gets its accepted
revision, a signed acceptance and the two acceptance emails (as sent), so `manage.py verify`
passes on the result.

Without --company it uses (and creates once) the company "engagement-sample", whose manager
logs in as manager@engagement-sample.example / demo-manager-2026.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from quotery.accounts.models import Company
from quotery.demo.engagement_sample.company import (
    SAMPLE_MANAGER,
    SAMPLE_PASSWORD,
    sample_clients,
    sample_company_get_or_create,
    sample_owners,
)
from quotery.demo.engagement_sample.planning import plan_quotes
from quotery.demo.engagement_sample.writing import sample_write


class Command(BaseCommand):
    help = "Make realistic engagement data, fast (for the Engagement page and its benchmark)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=100_000, help="About how many.")
        parser.add_argument("--company", help="A company's slug (default: engagement-sample).")
        parser.add_argument("--days", type=int, default=90, help="Spread over this many days.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same data).")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted: int = options["events"]
        days: int = options["days"]
        if wanted < 1 or days < 1:
            raise CommandError("--events and --days must be at least 1.")
        rng = random.Random(options["seed"])  # noqa: S311 (sample data, not secrets)
        began = time.monotonic()
        company = self._company(options.get("company"))
        owners = sample_owners(company)
        clients = sample_clients(company)
        now = timezone.now()
        plans = plan_quotes(rng, now=now, days=days, owners=owners, clients=clients, wanted=wanted)
        total = sum(len(plan.events) for plan in plans)
        self.stdout.write(f"Planned {len(plans)} quotes with {total} events for {company.name}.")
        sample_write(company, plans, now, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {total} events on {len(plans)} quotes in "
                f"{time.monotonic() - began:.1f} s. Open /engagement/ as a manager of "
                f"{company.name}."
            )
        )

    def _company(self, slug: str | None) -> Company:
        if slug:
            company = Company.objects.filter(slug=slug).first()
            if company is None:
                raise CommandError(f"No company with the slug “{slug}”.")
            return company
        company, manager_made = sample_company_get_or_create()
        if manager_made:
            self.stdout.write(f"Log in as {SAMPLE_MANAGER} / {SAMPLE_PASSWORD}")
        return company
