"""Load benchmark of the REST API's quote list: 50 quotes of a company holding 10,000,
through the API with a real key, at 16 connections, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/api_list.py [--duration 10] [--connections 16]
        [--workers 2] [--database sqlite|postgres|both] [--quotes 10000]

For each database: seeds a fresh database (as benchmarks/portal_load.py does: SQLite in WAL
mode under var/bench/, or the PostgreSQL database quotery_bench) with a company holding
--quotes quotes (one made through quote_create, the rest copies of its header rows, which
is all a list reads) and a second company with 1,000 of its own, creates a read key, starts
gunicorn with the project's gunicorn.conf.py (2 sync workers) and benchmarks.bench_settings
(DEBUG off; the API's per-key rate limit on, set too high to trigger), and runs wrk
(2 threads, 16 connections) against:

0. a bare template page (no database): the yardstick of what the machine gives now;
1. GET /api/v1/quotes?limit=50 (the first page);
2. GET /api/v1/quotes?limit=50&cursor=... (a page 5,000 rows deep: keyset pagination
   costs the same at any depth).

Every request runs the whole API path: the key's lookup, the rate-limit counter (one
upsert), the list query, and the record of the key's use (one insert).

Target (issue 11): p99 < 50 ms at 16 connections. docs/benchmarks.md has the figures.
"""

# Every subprocess here runs a fixed command of this repository (python, gunicorn, wrk).
# ruff: noqa: S603

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

from benchmarks.load_servers import (  # noqa: E402
    add_load_options,
    environment,
    measure_each,
    seed_database,
    start_servers,
)
from benchmarks.portal_load import Result, run_wrk  # noqa: E402
from tests.network import free_port  # noqa: E402

SEED = """
import django
django.setup()
import sys
from django.db import transaction
from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.api.keys import api_key_create
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote

def fill(company, owner, count):
    first = make_quote(owner=owner, sections=3, lines_per_section=5)
    fields = {f.attname: getattr(first, f.attname) for f in Quote._meta.concrete_fields
              if not f.primary_key and f.attname not in ("number", "created_at", "updated_at")}
    with transaction.atomic():
        Quote.objects.bulk_create(
            (Quote(**fields, number=f"Q-B-{company.pk}-{n:05d}") for n in range(1, count)),
            batch_size=1000,
        )

company = CompanyFactory(name="Northwind Interiors")
admin = member(company, Role.ADMIN, email="ada@northwind.test")
fill(company, admin, int(sys.argv[1]))
other = CompanyFactory(name="Bluebird Print")
fill(other, member(other, Role.ADMIN, email="bo@bluebird.test"), 1000)
# Fresh statistics for the planner, as autovacuum (PostgreSQL) or the daily
# refresh_planner_statistics task (SQLite) would have gathered by now.
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(api_key_create(company=company, user=admin, name="Benchmark", scope="read").token)
"""


IN_PROCESS = """
import django
django.setup()
import sys, time
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1", headers={"Authorization": "Bearer " + sys.argv[1]})
for _ in range(30):
    assert client.get("/api/v1/quotes?limit=50").status_code == 200
start = time.process_time()
for _ in range(300):
    client.get("/api/v1/quotes?limit=50")
print((time.process_time() - start) * 1000 / 300)
"""


def cpu_in_process(database: str, token: str) -> float:
    """CPU ms per request of the first page through Django's handler in one process (no
    HTTP server, no concurrency): what each request costs the app itself, which moves
    less than wrk's figures when other work shares the machine."""
    out = subprocess.run(
        [PYTHON, "-c", IN_PROCESS, token],
        cwd=ROOT,
        env=environment(database),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[-1])


def seed(database: str, quotes: int) -> str:
    """A fresh database with the two companies; returns the read key."""
    return seed_database(database, SEED, str(quotes))[-1]


def get(url: str, token: str) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310 (our server)
        url, headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        page: dict[str, object] = json.loads(answer.read())
        return page


def deep_cursor(base: str, token: str) -> str:
    """The cursor of the page that starts 5,000 rows in (100 pages of 50)."""
    cursor = ""
    for _ in range(100):
        after = f"&cursor={cursor}" if cursor else ""
        page = get(f"{base}/api/v1/quotes?limit=50{after}", token)
        cursor = str(page["next_cursor"])
    return cursor


def measure(database: str, args: argparse.Namespace) -> tuple[list[Result], float]:
    token = seed(database, args.quotes)
    in_process = cpu_in_process(database, token)
    port = free_port()
    servers = start_servers(database, args, port)
    cpu = ([server.pid for server in servers], database)
    base = f"http://127.0.0.1:{port}"
    try:
        first = get(f"{base}/api/v1/quotes?limit=50", token)
        assert len(first["items"]) == 50, first  # type: ignore[arg-type]
        cursor = deep_cursor(base, token)
        lua = ROOT / "var" / "bench" / "api_header.lua"
        lua.write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
        options = {
            "duration": args.duration,
            "connections": args.connections,
            "cpu": cpu,
            "script": str(lua),
        }
        bare = run_wrk("bare template page", f"{base}/bench/bare/", **{**options, "script": None})
        time.sleep(1)
        results = [bare, run_wrk("first page of 50", f"{base}/api/v1/quotes?limit=50", **options)]
        time.sleep(1)
        results.append(
            run_wrk(
                "page 5,000 rows deep",
                f"{base}/api/v1/quotes?limit=50&cursor={cursor}",
                **options,
            )
        )
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=15)
    return results, in_process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_options(parser)
    parser.add_argument("--quotes", type=int, default=10_000)
    args = parser.parse_args()
    args.proxy = False
    measured = measure_each(args, measure)
    for database, (results, in_process) in measured.items():
        print(
            f"\n{database}: {args.quotes:,} quotes, wrk -t2 -c{args.connections} "
            f"-d{args.duration}s, gunicorn {args.workers} sync workers"
        )
        print(
            f"{'run':24} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'server CPU ms/req':>18}  errors"
        )
        for result in results:
            if result.name.startswith("bare"):
                print(
                    f"{result.name:24} {result.requests_per_second:7.0f} {result.p50_ms:7.2f} "
                    f"{result.p99_ms:7.2f} {result.server_cpu_ms:18.3f}  (yardstick)"
                )
                continue
            print(
                f"{result.name:24} {result.requests_per_second:7.0f} {result.p50_ms:7.2f} "
                f"{result.p99_ms:7.2f} {result.server_cpu_ms:18.3f}  {result.errors or '-'}"
            )
            verdict = "MET" if result.p99_ms < 50 else "MISSED"
            print(f"  target p99 < 50 ms: {result.p99_ms:.1f} ms {verdict}")
        print(
            f"In process (Django's handler, one request at a time): {in_process:.2f} CPU ms/request"
        )


if __name__ == "__main__":
    main()
