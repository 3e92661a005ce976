"""The Engagement page over a million events: SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/engagement_page.py [--events 1000000] [--runs 9] [--reuse]

Seeds `--events` events (manage.py seed_engagement) into a dedicated SQLite file
(var/bench-engagement.sqlite3) and a dedicated PostgreSQL database (quotery_bench_engagement
on BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432), then renders the page
as the sample company's manager through Django's test client: warm (two runs first), the
median of `--runs`, for the default range (the last 30 days) and for the last 90 days.
`--reuse` keeps databases seeded by an earlier run (migrated to the current schema).
Targets: under 300 ms on PostgreSQL and under 500 ms on SQLite (the 90-day range too).
BENCH_ENGAGEMENT_DB names another PostgreSQL database (so two checkouts can measure side
by side). With `--reuse`, the time `migrate` takes is printed (a migration that builds
the rollups from a million events runs then), and on PostgreSQL the rollups are vacuumed
as autovacuum would after such a bulk insert, so index-only scans are measured. Beside the
median wall time, each range's CPU time per render is printed: this process's (Django
and the driver) plus, on PostgreSQL, its backend's (not its parallel workers'), which
moves less than wall time on a machine shared with other work; and the machine's load
average (1 minute) before and after each database's renders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench-engagement.sqlite3"
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
POSTGRES_DB = os.environ.get("BENCH_ENGAGEMENT_DB", "quotery_bench_engagement")
TARGETS_MS = {"sqlite": 500, "postgresql": 300}


def run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    """Our own scripts (manage.py, this file) with fixed arguments."""
    return subprocess.run(command, **{"text": True, **options})  # type: ignore[call-overload]  # noqa: S603


def database_url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{SQLITE_FILE}"
    return f"{POSTGRES_SERVER}/{POSTGRES_DB}"


def prepare(backend: str, events: int, reuse: bool) -> None:
    """A fresh database with `events` seeded events (or the earlier one with --reuse)."""
    env = {**os.environ, "DATABASE_URL": database_url(backend)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    if reuse and seeded_count(backend) >= events:
        # Indexes added since the seeding are measured too. A migration that rebuilds a
        # table drops SQLite's planner statistics; the app's daily task writes them again,
        # so the page is measured as it runs after that task.
        began = time.monotonic()
        run([*manage, "migrate", "-v0"], env=env, check=True)
        print(f"[{backend}] migrated in {time.monotonic() - began:.1f} s", flush=True)
        refresh = "from quotery.core.tasks import refresh_planner_statistics as t; t.call()"
        if backend == "postgresql":
            refresh = (
                "from django.db import connection\n"
                "with connection.cursor() as c:\n"
                "    c.execute('VACUUM (ANALYZE) engagement_eventrollup')\n"
                "    c.execute('VACUUM (ANALYZE) engagement_quoterollup')\n"
            )
        run([*manage, "shell", "-c", refresh], env=env, check=True)
        return
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    else:
        admin = {**env, "DATABASE_URL": f"{POSTGRES_SERVER}/postgres"}
        drop_create = (
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            f"    c.execute('DROP DATABASE IF EXISTS {POSTGRES_DB}')\n"
            f"    c.execute('CREATE DATABASE {POSTGRES_DB}')\n"
        )
        run([*manage, "shell", "-c", drop_create], env=admin, check=True)
    run([*manage, "migrate", "-v0"], env=env, check=True)
    began = time.monotonic()
    run([*manage, "seed_engagement", "--events", str(events)], env=env, check=True)
    print(f"[{backend}] seeded {events} events in {time.monotonic() - began:.0f} s", flush=True)


def seeded_count(backend: str) -> int:
    if backend == "sqlite" and not SQLITE_FILE.exists():
        return 0
    env = {**os.environ, "DATABASE_URL": database_url(backend)}
    code = (
        "from quotery.engagement.models import QuoteEvent\n"
        "print(QuoteEvent.objects.filter(company__slug='engagement-sample').count())"
    )
    result = run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
    )
    try:
        return int(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return 0


def measure(runs: int) -> dict[str, object]:
    """In the worker process: render the page as the sample manager, warm."""
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from quotery.accounts.models import Role, User
    from quotery.engagement.models import QuoteEvent

    manager = User.objects.get(
        membership__company__slug="engagement-sample", membership__role=Role.MANAGER
    )
    client = Client()
    client.force_login(manager)
    today = timezone.now().date()
    ranges = {
        "last 30 days (default)": {},
        "last 90 days": {
            "from": (today - dt.timedelta(days=89)).isoformat(),
            "to": today.isoformat(),
        },
    }
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    load_before = os.getloadavg()[0]
    for name, params in ranges.items():
        for _ in range(2):
            response = client.get("/engagement/", params)
            assert response.status_code == 200, response.status_code
            assert b"Views per day" in response.content
        samples = []
        cpu_began, ticks_began = time.process_time(), server_ticks(backend)
        for _ in range(runs):
            began = time.perf_counter()
            client.get("/engagement/", params)
            samples.append((time.perf_counter() - began) * 1000)
        timings[name] = statistics.median(samples)
        server_s = (server_ticks(backend) - ticks_began) / os.sysconf("SC_CLK_TCK")
        cpu[name] = (time.process_time() - cpu_began + server_s) * 1000 / runs
    return {
        "vendor": connection.vendor,
        "events": QuoteEvent.objects.count(),
        "timings": timings,
        "cpu": cpu,
        "load": (load_before, os.getloadavg()[0]),
    }


def server_ticks(pid: int | None) -> int:
    """CPU ticks (user + system) the PostgreSQL backend serving us has used so far (its
    parallel workers, separate processes, are not included)."""
    if pid is None:
        return 0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="Keep earlier seeded databases.")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(measure(args.runs)))
        return
    results = []
    for backend in ("postgresql", "sqlite"):
        prepare(backend, args.events, args.reuse)
        env = {**os.environ, "DATABASE_URL": database_url(backend)}
        output = run(
            [sys.executable, __file__, "--worker", backend, "--runs", str(args.runs)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print()
    print(f"Engagement page, median of {args.runs} warm renders (Django test client)")
    print(
        f"{'database':<12} {'events':>9}  {'range':<24} {'median':>9}  {'target':>8}  result"
        "  CPU per render (app + database backend)"
    )
    for result in results:
        vendor = str(result["vendor"])
        load_before, load_after = result["load"]
        print(f"{vendor}: load average (1 min) {load_before:.2f} before, {load_after:.2f} after")
        target = TARGETS_MS[vendor]
        timings: dict[str, float] = result["timings"]
        for name, median in timings.items():
            verdict = "ok" if median < target else "TOO SLOW"
            print(
                f"{vendor:<12} {result['events']:>9}  {name:<24} {median:>7.0f} ms "
                f"{'< ' + str(target) + ' ms':>9}  {verdict:<8}  {result['cpu'][name]:.0f} ms"
            )


if __name__ == "__main__":
    main()
