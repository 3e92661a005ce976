"""The start page over a million events: SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/start_page.py [--backend postgresql|sqlite] [--events 1000000]
        [--runs 9] [--reuse]

Seeds `--events` events (manage.py seed_engagement) into the Engagement page benchmark's
databases (benchmarks/engagement_page.py: var/bench-engagement.sqlite3 and
quotery_bench_engagement), then, as the sample company's manager (every quote) and as one of
its reps: the page through Django's test client, and its selector
(`quotery.home.selectors.start_page`) alone; warm (two runs first), the median of `--runs`.
`--reuse` keeps databases seeded by an earlier run (of either benchmark).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The same seeded databases as the Engagement page's benchmark (the same sample company).
from benchmarks.engagement_page import database_url, prepare  # noqa: E402


def median_ms(runs: int, call: object) -> float:
    assert callable(call)
    for _ in range(2):
        call()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure(runs: int) -> dict[str, object]:
    """In the worker process: the page and its selector, as the manager and as a rep."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from quotery.accounts.models import Membership, Role
    from quotery.engagement.models import QuoteEvent
    from quotery.home.selectors import start_page
    from quotery.quotes.models import Quote

    timings: dict[str, float] = {}
    needs: dict[str, int] = {}
    for role in (Role.MANAGER, Role.REP):
        membership = (
            Membership.objects.select_related("company", "user")
            .filter(company__slug="engagement-sample", role=role)
            .order_by("pk")
            .first()
        )
        assert membership is not None, role
        client = Client()
        client.force_login(membership.user)

        def page(client: Client = client) -> None:
            response = client.get("/")
            assert response.status_code == 200, response.status_code

        def selector(membership: Membership = membership) -> None:
            start_page(membership=membership, now=timezone.now())

        timings[f"{role} page"] = median_ms(runs, page)
        timings[f"{role} selector"] = median_ms(runs, selector)
        needs[str(role)] = start_page(membership=membership, now=timezone.now()).needs
    return {
        "vendor": connection.vendor,
        "events": QuoteEvent.objects.count(),
        "quotes": Quote.objects.count(),
        "needs": needs,
        "timings": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="Keep earlier seeded databases.")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    prepare(args.backend, args.events, args.reuse)
    os.environ["DATABASE_URL"] = database_url(args.backend)
    result = measure(args.runs)
    print(f"Start page, median of {args.runs} warm runs")
    print(
        f"{result['vendor']}: {result['events']} events, {result['quotes']} quotes, "
        f"needs listed {result['needs']}"
    )
    timings: dict[str, float] = result["timings"]  # type: ignore[assignment]
    for name, median in timings.items():
        print(f"  {name:<20} {median:>7.1f} ms")


if __name__ == "__main__":
    main()
