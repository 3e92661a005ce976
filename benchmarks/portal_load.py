"""Load benchmark of the client portal page against a bare template page, side by side,
on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/portal_load.py [--duration 10] [--connections 16]
        [--workers 2] [--database sqlite|postgres|both]

For each database (both by default, one after the other in one run): seeds a fresh
database with a quote of 30 lines shared with one client (SQLite in WAL mode on
var/bench/portal.sqlite3; PostgreSQL: the database quotery_bench on 127.0.0.1, dropped and
created again), starts gunicorn with the project's gunicorn.conf.py (2 sync workers,
persistent database connections, access log on) and benchmarks.bench_settings (DEBUG off,
rate limiter on with limits too high to trigger), and runs wrk (2 threads, 16 connections)
against:

1. a bare template page (no queries): the yardstick;
2. the client page with its counted view: each connection GETs the page (an open is
   recorded) and then POSTs the beacon with the page's signed token for that open (the open
   is chained and a view is counted); requests/s counts both requests;
3. the client page alone (GET, open recorded), for information.

Besides wrk's figures it prints the CPU time per request of the app server (gunicorn's
processes, plus on PostgreSQL the server processes of the benchmark's connections) and of
wrk, read from /proc and getrusage, which move far less than requests/s when other work
shares the machine; afterwards it checks that every chain verifies and no token reached
the access log.

Targets (issue "Beyond one machine"): run 2 >= 70 % of run 1's requests/s, p99 < 30 ms, on
each database. docs/benchmarks.md has the figures and what stands in the way.
"""

# Every subprocess here runs a fixed command of this repository (python, gunicorn, wrk).
# ruff: noqa: S603

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

from benchmarks.load_servers import (  # noqa: E402
    add_load_options,
    environment,
    measure_each,
    reset_database,
    run_python,
    server_cpu_ticks,
    start_servers,
)
from tests.network import free_port  # noqa: E402

SETTINGS = "benchmarks.bench_settings"
WRK = "/usr/bin/wrk"

# Per connection: GET the page, then POST the beacon with the token of the open it
# recorded. wrk gives each thread its own Lua state; the queue pairs each page's open with
# one beacon.
LUA_PAGE_AND_BEACON = r"""
local page_path, seen_path, csrf = "{page}", "{seen}", "{csrf}"
local opens = {{}}
local post_headers = {{
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = "csrftoken=" .. csrf,
  ["X-CSRFToken"] = csrf,
}}
request = function()
  local view_token = table.remove(opens)
  if view_token then
    return wrk.format("POST", seen_path, post_headers, "open=" .. view_token)
  end
  return wrk.format("GET", page_path)
end
response = function(status, headers, body)
  local view_token = body and string.match(body, 'data%-open="([^"]+)"')
  if view_token then table.insert(opens, view_token) end
end
"""


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str
    server_cpu_ms: float = 0.0
    wrk_cpu_ms: float = 0.0


def seed(port: int, database: str) -> tuple[str, str]:
    """A fresh database with one 30-line quote shared with one client; returns the page
    path and the beacon path."""
    reset_database(database)
    env = environment(database)
    env["BASE_URL"] = f"http://127.0.0.1:{port}"
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    script = """
import django
django.setup()
from django.urls import reverse
from quotery.accounts.factories import CompanyFactory, member
from quotery.quotes.factories import make_quote
from quotery.accounts.models import Role
from quotery.sharing.links import share_token
from quotery.portal.services.sharing import share_send
from django.utils import timezone
company = CompanyFactory(name="Northwind Interiors", portal_text="Thank you for asking us.")
rep = member(company, Role.REP, full_name="Riley Rep", email="riley@northwind.test")
quote = make_quote(owner=rep, sections=3, lines_per_section=10, issue_date=timezone.localdate())
share = share_send(quote=quote, user=rep, recipient_name="Anna Client",
                   recipient_email="anna@client.test", message="Here is the quote.")
token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)
print(reverse("portal:page", args=[token]))
print(reverse("portal:seen", args=[token]))
"""
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return out[-2], out[-1]


def csrf_cookie(port: int, page: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"http://127.0.0.1:{port}{page}", timeout=5) as response:
        assert response.status == 200
    for cookie in jar:
        if cookie.name == "csrftoken" and cookie.value:
            return cookie.value
    raise SystemExit("The client page set no CSRF cookie.")


def warm(port: int, path: str) -> None:
    for _ in range(20):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5):
            pass


def run_wrk(
    name: str,
    url: str,
    *,
    duration: int,
    connections: int,
    script: str | None = None,
    cpu: tuple[list[int], str] | None = None,
) -> Result:
    command = [WRK, "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        command += ["-s", script]
    ticks = server_cpu_ticks(*cpu) if cpu else 0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ticks = (server_cpu_ticks(*cpu) - ticks) if cpu else 0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = ""
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if non_2xx:
        errors += f"{non_2xx.group(1)} non-2xx responses. "
    if socket_errors:
        errors += f"Socket errors: {socket_errors.group(1)}"
    wrk_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return Result(
        name=name,
        requests_per_second=rps,
        p50_ms=latency_ms(output, "50%"),
        p99_ms=latency_ms(output, "99%"),
        requests=total,
        errors=errors,
        server_cpu_ms=ticks * 1000 / os.sysconf("SC_CLK_TCK") / max(total, 1),
        wrk_cpu_ms=wrk_cpu * 1000 / max(total, 1),
    )


def latency_ms(output: str, percentile: str) -> float:
    match = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    assert match, output
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def events_counted(database: str, *kinds: str) -> list[int]:
    """How many events of each of `kinds` the benchmark database holds; asserts that the
    chain of the quote they belong to verifies."""
    script = (
        "import django, sys; django.setup()\n"
        "from quotery.engagement.models import QuoteEvent\n"
        "from quotery.engagement.chain import verify_quote_chain\n"
        "e = QuoteEvent.objects\n"
        "print(*(e.filter(kind=kind).count() for kind in sys.argv[1:]))\n"
        "quote_id = e.values_list('quote_id', flat=True).first()\n"
        "assert verify_quote_chain(quote_id).ok, 'the event chain is broken'\n"
    )
    return [int(word) for word in run_python(database, script, *kinds)]


def counted(database: str) -> tuple[int, int]:
    """(opens, views) recorded in the benchmark database; asserts the chain verifies."""
    opens, views = events_counted(database, "link_opened", "quote_viewed")
    return opens, views


@dataclass
class Measured:
    database: str
    results: list[Result]
    opens: int
    views: int
    token_in_log: bool


def measure(database: str, args: argparse.Namespace) -> Measured:
    """Seeds `database`, starts the servers on it and runs the three wrk runs."""
    port = free_port()
    page, seen = seed(port, database)
    log = ROOT / "var" / "bench" / f"gunicorn-{database}.log"
    servers = start_servers(database, args, port)
    cpu = ([server.pid for server in servers], database)
    try:
        base = f"http://127.0.0.1:{port}"
        warm(port, "/bench/bare/")
        csrf = csrf_cookie(port, page)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA_PAGE_AND_BEACON.format(page=page, seen=seen, csrf=csrf))
        opens_before, views_before = counted(database)
        options: dict[str, Any] = {
            "duration": args.duration,
            "connections": args.connections,
            "cpu": cpu,
        }
        bare = run_wrk("bare template page", f"{base}/bench/bare/", **options)
        time.sleep(1)
        mixed = run_wrk(
            "client page + counted view",
            f"{base}{page}",
            script=lua.name,
            **options,
        )
        opens_after, views_after = counted(database)
        time.sleep(1)
        page_only = run_wrk("client page (GET only)", f"{base}{page}", **options)
        Path(lua.name).unlink()
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=15)
    leaked = page.strip("/").split("/")[-1]
    return Measured(
        database=database,
        results=[bare, mixed, page_only],
        opens=opens_after - opens_before,
        views=views_after - views_before,
        token_in_log=leaked in log.read_text(),
    )


def report(measured: Measured, args: argparse.Namespace) -> None:
    bare, mixed, _ = measured.results
    servers = (
        f"nginx in front of 2 gunicorn instances of {max(1, args.workers // 2)} sync worker(s)"
        if args.proxy
        else f"gunicorn {args.workers} sync workers"
    )
    print(f"\n{measured.database}: wrk -t2 -c{args.connections} -d{args.duration}s, {servers}")
    print(
        f"{'run':30} {'req/s':>7} {'vs bare':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'server CPU ms/req':>18} {'wrk CPU ms/req':>15}  errors"
    )
    for result in measured.results:
        share = result.requests_per_second / bare.requests_per_second * 100
        print(
            f"{result.name:30} {result.requests_per_second:7.0f} {share:7.0f}% "
            f"{result.p50_ms:7.2f} {result.p99_ms:7.2f} {result.server_cpu_ms:18.3f} "
            f"{result.wrk_cpu_ms:15.3f}  {result.errors or '-'}"
        )
    ratio = mixed.requests_per_second / bare.requests_per_second
    print(
        f"During the counted-view run: {measured.opens} opens recorded, {measured.views} views "
        "counted (the event chain verifies)."
    )
    print(
        f"Target: client page + counted view >= 70 % of the bare page: {ratio:.0%} "
        f"{'MET' if ratio >= 0.7 else 'MISSED'}; p99 < 30 ms: {mixed.p99_ms:.1f} ms "
        f"{'MET' if mixed.p99_ms < 30 else 'MISSED'}."
    )
    print(f"Token in gunicorn's access log: {'YES (a leak!)' if measured.token_in_log else 'no'}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_options(parser)
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="nginx in front of two gunicorn instances sharing --workers",
    )
    args = parser.parse_args()
    for one in measure_each(args, measure).values():
        report(one, args)


if __name__ == "__main__":
    main()
