"""manage.py verify_rollups [--company ID] [--rebuild]

Compares the Engagement page's rollups with the events they count: every (quote, kind,
hour) and (company, kind, hour) must have as many events as its rollup says, its first at
the moment the rollup records, and every quote's row the count, first and last moment of
each kind it counts. Prints each difference and exits non-zero when there is one. The
rollups are kept in the transaction of each append, so a difference means rows were
written or deleted around the app; `--rebuild` then recomputes them from the events (the
events are the record; the rollups only count them).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quotery.engagement.rollups import rollup_mismatches, rollups_rebuild


class Command(BaseCommand):
    help = "Check that the engagement rollups agree with the events (and rebuild them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, help="Only this company's (its id).")
        parser.add_argument(
            "--rebuild", action="store_true", help="Recompute the rollups from the events."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        company_id = options["company"]
        if options["rebuild"]:
            rows = rollups_rebuild(company_id=company_id)
            self.stdout.write(f"Rollups rebuilt from the events: {rows} rows.")
        mismatches = rollup_mismatches(company_id=company_id)
        for mismatch in mismatches[:100]:
            self.stdout.write(str(mismatch))
        if mismatches:
            raise CommandError(
                f"{len(mismatches)} rollups disagree with the events; "
                "run manage.py verify_rollups --rebuild."
            )
        self.stdout.write("The rollups agree with the events.")
