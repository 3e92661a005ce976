"""The Engagement page's attention figures (`company_attention`) over a million events.

    .venv/bin/python benchmarks/attention_figures.py [--backend sqlite|postgresql]
        [--events 1000000] [--runs 9] [--reuse]

Seeds a dedicated database (var/bench-attention.sqlite3, or quotery_bench_attention on
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) with one company, 200 shared
quotes of four sections and `--events` events over the last 180 days: 3 % of them time on
sections, 0.5 % option changes, the rest opens, views, downloads and shares. The rows are
bulk-inserted for speed (their hashes are not a chain: only reads are measured). Then, as
the company's manager: `company_attention` for the last 30 and 90 days, warm (two runs
first), the median of `--runs`, and how many events of the two kinds each range read.
`--reuse` measures the database an earlier run seeded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench-attention.sqlite3"
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
POSTGRES_DB = "quotery_bench_attention"
QUOTES = 200
BATCH = 20_000


def database_url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{SQLITE_FILE}"
    return f"{POSTGRES_SERVER}/{POSTGRES_DB}"


def fresh_database(backend: str) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB}")
        admin.execute(f"CREATE DATABASE {POSTGRES_DB}")


def seed(events: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from quotery.accounts.factories import CompanyFactory, member
    from quotery.accounts.models import Role
    from quotery.engagement.models import EventKind, QuoteEvent
    from quotery.engagement.payloads import OptionChanged, SectionTime
    from quotery.portal.services.sharing import share_send
    from quotery.quotes.factories import make_quote

    call_command("migrate", verbosity=0)
    company = CompanyFactory(name="Bench Attention")
    rep = member(company, Role.REP, email="rep@bench.test")
    member(company, Role.MANAGER, email="manager@bench.test")
    shares = []
    for n in range(QUOTES):
        quote = make_quote(owner=rep, sections=4, lines_per_section=2, title=f"Quote {n}")
        shares.append(
            share_send(
                quote=quote,
                user=rep,
                recipient_name="Client",
                recipient_email=f"client{n}@bench.test",
            )
        )
    rng = random.Random(9)  # noqa: S311 (a repeatable sample, not a secret)
    now = timezone.now()
    sequence = {share.quote_id: 100 for share in shares}
    lines = ["Extended warranty", "Delivery", "Assembly", "Oak top", "Cable tray", "Training"]
    other = [EventKind.LINK_OPENED, EventKind.QUOTE_VIEWED, EventKind.PDF_DOWNLOADED]
    rows: list[QuoteEvent] = []
    for n in range(events):
        share = shares[n % QUOTES]
        roll = rng.random()
        if roll < 0.03:
            parts = {f"section:{rng.randint(1, 4)}": rng.randint(1, 90), "totals": 5}
            kind, data = EventKind.SECTION_TIME, SectionTime(view=1, sections=parts).to_data()
        elif roll < 0.035:
            change = rng.choice(["added", "removed"])
            payload = OptionChanged(change=change, line=rng.choice(lines), section="Extras")
            kind, data = EventKind.OPTION_CHANGED, payload.to_data()
        else:
            kind, data = rng.choice(other), {}
        sequence[share.quote_id] += 1
        rows.append(
            QuoteEvent(
                company_id=company.pk,
                quote_id=share.quote_id,
                sequence=sequence[share.quote_id],
                kind=kind,
                occurred_at=now - (180 * 86400 * rng.random()) * dt.timedelta(seconds=1),
                share_id=share.pk,
                recipient_email=share.recipient_email,
                revision_number=1,
                data=data,
                prev_hash="0" * 64,
                hash="0" * 64,
            )
        )
        if len(rows) == BATCH:
            QuoteEvent.objects.bulk_create(rows)
            rows.clear()
    QuoteEvent.objects.bulk_create(rows)


def measure(runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from quotery.accounts.models import Membership
    from quotery.engagement.models import EventKind, QuoteEvent
    from quotery.engagement.selectors.attention import company_attention
    from quotery.engagement.selectors.company.scope import DateRange

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) engagement_quoteevent")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    membership = Membership.objects.select_related("company").get(user__email="manager@bench.test")
    zone = membership.company.zone
    today = timezone.now().astimezone(zone).date()
    print(f"[{connection.vendor}] {QuoteEvent.objects.count()} events", flush=True)
    for days in (30, 90):
        date_range = DateRange(today - dt.timedelta(days=days - 1), today, zone)

        def call(date_range: DateRange = date_range) -> object:
            return company_attention(membership=membership, date_range=date_range)

        for _ in range(2):
            call()
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            call()
            samples.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as queries:
            call()
        read = QuoteEvent.objects.filter(
            company_id=membership.company_id,
            kind__in=[EventKind.SECTION_TIME, EventKind.OPTION_CHANGED],
            occurred_at__gte=date_range.start,
            occurred_at__lt=date_range.end,
        ).count()
        sql = queries.captured_queries[0]["sql"]
        with connection.cursor() as cursor:
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(explain + sql)
            plan = " | ".join(
                str(row[-1] if connection.vendor == "sqlite" else row[0])
                for row in cursor.fetchall()
            )
        print(
            f"[{connection.vendor}] last {days} days: median {statistics.median(samples):.1f} ms "
            f"over {runs} runs, {len(queries)} queries, {read} events of the two kinds read; "
            f"plan: {plan}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="measure the database seeded before")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        import django

        django.setup()
        if not args.reuse:
            began = time.monotonic()
            seed(args.events)
            print(f"seeded {args.events} events in {time.monotonic() - began:.0f} s", flush=True)
        measure(args.runs)
        return
    if not args.reuse:
        fresh_database(args.backend)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(args.backend),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable,
        __file__,
        "--worker",
        f"--events={args.events}",
        f"--runs={args.runs}",
        *(["--reuse"] if args.reuse else []),
    ]
    subprocess.run(command, env=env, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
