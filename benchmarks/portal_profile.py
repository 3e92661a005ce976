"""What one client page view costs, request by request, in process: the page GET and its
beacon POST, each measured on its own.

    .venv/bin/python benchmarks/portal_profile.py [--pairs 2000] [--database sqlite|postgres|both]
        [--profile 25]

The same settings, seed and requests as benchmarks/portal_load.py (one 30-line quote shared
with one client; benchmarks.bench_settings: DEBUG off, SQLite WAL on var/bench/, or the
PostgreSQL database quotery_bench on 127.0.0.1), but without gunicorn or wrk: each request is
an environ handed to Django's WSGI handler, as gunicorn hands it. So the figures are CPU
time, not wall time, and hardly move with what else runs on the machine:

- Python CPU ms per request (`time.process_time`, this process only);
- on PostgreSQL, the server backend's CPU ms per request (/proc/<backend pid>/stat, sampled
  at the kernel's tick, so only the average over many requests means anything);
- SQL statements and writes (INSERT, UPDATE, DELETE) per request, counted by a
  `connection.execute_wrapper`, and transactions committed;
- rows and bytes added to the tables per open and per view (bytes: on PostgreSQL the
  relations' size with their indexes; on SQLite the file's pages after a checkpoint);
- with --profile N, cProfile's top N functions for each request kind.

Pairs are interleaved (GET, then its beacon), as the load benchmark's connections send them.
"""

# ruff: noqa: S603

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/quotery_bench"
WRITES = ("INSERT", "UPDATE", "DELETE")
OPEN_TOKEN = re.compile(rb'data-open="([^"]+)"')


@dataclass
class Tally:
    """Totals over the requests of one kind."""

    requests: int = 0
    cpu_s: float = 0.0
    server_ticks: int = 0
    queries: int = 0
    writes: int = 0
    commits: int = 0
    statements: dict[str, int] = field(default_factory=dict)

    def per_request(self, value: float) -> float:
        return value / max(self.requests, 1)


class Counter:
    """A `connection.execute_wrapper`: counts statements and writes into the current tally."""

    def __init__(self) -> None:
        self.tally = Tally()

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        verb = sql.lstrip().split(None, 1)[0].upper()
        self.tally.queries += 1
        if verb in WRITES:
            self.tally.writes += 1
        shape = " ".join(sql.split())[:90]
        self.tally.statements[shape] = self.tally.statements.get(shape, 0) + 1
        return execute(sql, params, many, context)


def reset_database(database: str) -> None:
    if database == "sqlite":
        db = ROOT / "var" / "bench" / "portal.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS quotery_bench WITH (FORCE)")
        admin.execute("CREATE DATABASE quotery_bench")


def seed() -> tuple[str, str]:
    """One 30-line quote in 3 sections shared with one client: the page and beacon paths."""
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from quotery.accounts.factories import CompanyFactory, member
    from quotery.accounts.models import Role
    from quotery.portal.services.sharing import share_send
    from quotery.quotes.factories import make_quote
    from quotery.sharing.links import share_token

    call_command("migrate", "--noinput", verbosity=0)
    company = CompanyFactory(name="Northwind Interiors", portal_text="Thank you for asking us.")
    rep = member(company, Role.REP, full_name="Riley Rep", email="riley@northwind.test")
    quote = make_quote(owner=rep, sections=3, lines_per_section=10, issue_date=timezone.localdate())
    share = share_send(
        quote=quote,
        user=rep,
        recipient_name="Anna Client",
        recipient_email="anna@client.test",
        message="Here is the quote.",
    )
    token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    return reverse("portal:page", args=[token]), reverse("portal:seen", args=[token])


def environ(method: str, path: str, csrf: str, body: bytes = b"") -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "wrk",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if csrf:
        env["HTTP_COOKIE"] = f"csrftoken={csrf}"
    if method == "POST":
        env.update(
            CONTENT_TYPE="application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(len(body)),
            HTTP_X_CSRFTOKEN=csrf,
        )
    return env


class Server:
    """Django's WSGI handler, called as gunicorn calls it."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def _start(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        self.status, self.headers = status, headers

    def __call__(self, env: dict[str, Any]) -> bytes:
        result = self.handler(env, self._start)  # type: ignore[arg-type]
        try:
            return b"".join(result)
        finally:
            result.close()


def server_ticks(pid: int | None) -> int:
    if pid is None:
        return 0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, from field 14


def storage() -> tuple[dict[str, int], int]:
    """Rows per table of interest, and the bytes the database holds for them."""
    from django.db import connection

    from quotery.engagement.models import QuoteEvent
    from quotery.portal.models import RateLimitCounter

    tables = [QuoteEvent._meta.db_table, RateLimitCounter._meta.db_table]
    tables += [t for t in connection.introspection.table_names() if t.endswith("pendingopen")]
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            rows[table] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "WHERE c.relname = ANY(%s) OR c.relname = 'quotes_quote'",
                [tables],
            )
            size = int(cursor.fetchone()[0])
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            size = pages * cursor.fetchone()[0]
    return rows, size


def measure(pairs: int, profile_top: int) -> None:
    import django

    django.setup()
    from django.db import connection

    page, seen = seed()
    server = Server()
    csrf = ""
    first = server(environ("GET", page, ""))
    for name, value in server.headers:
        if name == "Set-Cookie" and value.startswith("csrftoken="):
            csrf = value.split("=", 1)[1].split(";", 1)[0]
    assert csrf and OPEN_TOKEN.search(first), "the page set no CSRF cookie or carried no token"
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]

    counter = Counter()
    kinds = ("bare", "GET", "beacon")
    timed = {kind: Tally() for kind in kinds}
    counted = {kind: Tally() for kind in kinds}
    profiles = {kind: cProfile.Profile() for kind in kinds}
    committed = [0]
    original_commit = connection.commit

    def counting_commit() -> None:
        committed[0] += 1
        original_commit()

    connection.commit = counting_commit  # type: ignore[method-assign]

    def one(kind: str, env: dict[str, Any], tallies: dict[str, Tally], profile: bool) -> bytes:
        tally = tallies[kind]
        counter.tally = tally
        ticks, commits = server_ticks(backend), committed[0]
        started = time.process_time()
        if profile:
            profiles[kind].enable()
        body = server(env)
        if profile:
            profiles[kind].disable()
        tally.cpu_s += time.process_time() - started
        tally.server_ticks += server_ticks(backend) - ticks
        tally.commits += committed[0] - commits
        tally.requests += 1
        assert server.status[:3] in ("200", "204"), (kind, server.status, body[:300])
        return body

    def run(count: int, tallies: dict[str, Tally], profile: bool = False) -> None:
        for _ in range(count):
            one("bare", environ("GET", "/bench/bare/", ""), tallies, profile)
            body = one("GET", environ("GET", page, csrf), tallies, profile)
            token = OPEN_TOKEN.search(body)
            assert token is not None
            post = b"open=" + token.group(1)
            one("beacon", environ("POST", seen, csrf, post), tallies, profile)

    run(50, {kind: Tally() for kind in kinds})  # warm: compiled SQL, kept pages, revisions
    rows_before, bytes_before = storage()
    run(pairs, timed)  # CPU time, nothing else watching
    with connection.execute_wrapper(counter):  # statements, in a run of their own
        run(min(pairs, 300), counted)
    rows_after, bytes_after = storage()
    views = pairs + min(pairs, 300)
    if profile_top:
        run(min(pairs, 500), {kind: Tally() for kind in kinds}, profile=True)
    grown = bytes_after - bytes_before
    report(timed, counted, rows_before, rows_after, grown, views, connection.vendor)
    for kind, profile in profiles.items():
        if profile_top and kind != "bare":
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("cumulative").print_stats(profile_top)
            stats.sort_stats("tottime").print_stats(profile_top)
            print(f"\n--- cProfile, {kind} (cumulative, then own time) ---\n{out.getvalue()}")


def report(
    timed: dict[str, Tally],
    counted: dict[str, Tally],
    before: dict[str, int],
    after: dict[str, int],
    grown: int,
    views: int,
    vendor: str,
) -> None:
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    print(f"\n{vendor}: {timed['GET'].requests} page views (GET + beacon) timed, per request")
    header = ("request", "Python CPU ms", "server CPU ms", "queries", "writes", "commits")
    print("{:8} {:>14} {:>14} {:>8} {:>7} {:>8}".format(*header))
    for kind, tally in timed.items():
        count = counted[kind]
        server = tally.per_request(tally.server_ticks) * tick_ms
        print(
            f"{kind:8} {tally.per_request(tally.cpu_s) * 1000:14.3f} "
            f"{server if vendor == 'postgresql' else float('nan'):14.3f} "
            f"{count.per_request(count.queries):8.2f} {count.per_request(count.writes):7.2f} "
            f"{count.per_request(count.commits):8.2f}"
        )
    for kind, tally in counted.items():
        print(f"  {kind} statements per request:")
        for shape, times in sorted(tally.statements.items(), key=lambda item: -item[1]):
            print(f"    {times / max(tally.requests, 1):5.2f}  {shape}")
    added = ", ".join(
        f"{table} {(after[table] - before.get(table, 0)) / views:.2f}" for table in after
    )
    print(f"Rows added per page view (GET + beacon; pending opens chained): {added}")
    print(f"Bytes the database grew per page view: {grown / views:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.pairs, args.profile)
        return
    for database in ("sqlite", "postgres") if args.database == "both" else (args.database,):
        reset_database(database)
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.bench_settings", DEBUG="0")
        env.pop("DATABASE_URL", None)
        if database == "postgres":
            env["BENCH_DATABASE_URL"] = POSTGRES_URL
        else:
            env.pop("BENCH_DATABASE_URL", None)
        command = [sys.executable, __file__, "--child", "--pairs", str(args.pairs)]
        subprocess.run([*command, "--profile", str(args.profile)], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    main()
