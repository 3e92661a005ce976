"""The client page's counted-view run of benchmarks/portal_load.py with and without the
attention batches the page sends (static/js/attention.js), side by side, on SQLite and on
PostgreSQL.

    .venv/bin/python benchmarks/attention_load.py [--duration 10] [--connections 16]
        [--workers 2] [--database sqlite|postgres|both] [--dwell 60] [--rounds 2]
        [--per-client]

Seeds and serves as portal_load.py does (a quote of 30 lines in 3 sections shared with one
client; gunicorn with the project's gunicorn.conf.py, 2 sync workers; limits too high to
trigger), then runs wrk (2 threads, 16 connections) in turn, `--rounds` times:

1. the counted view: each connection GETs the page (an open is recorded) and POSTs the view
   beacon with the page's token, as portal.js does (X-CSRFToken from the page's data-csrf,
   the CSRF cookie sent with every request, as a browser does);
2. the same, and each counted view also sends the attention batches a client who keeps the
   page visible for `--dwell` seconds sends: one every 30 s while visible and one when the
   tab is hidden if something grew since (attention.js), i.e. dwell // 30 batches, plus one
   when dwell is not a multiple of 30. Each batch is what the page posts with sendBeacon
   (a form of the open's token, the running seconds per part as JSON, the part shown last
   and the page's CSRF token) and carries one more part than the one before, so each is
   stored as an event in the quote's chain.

With --per-client, run 2 reads "the page's real rate" per client instead: each connection
is one client whose page is always visible, so it sends one batch every 30 s of wall time
(for the view it counted last), and its reloads, each visible for a few milliseconds, send
none (attention.js sends nothing under a whole second).

wrk replays a view's life in far less than its dwell: a view's batches are sent once at
least a second has passed since its beacon (the clock of wrk's Lua counts whole seconds),
so the server has counted the view and the batch's seconds are within the view's span. The
rate that matters, batches per counted view, is the page's; the time between them is not.

Target (issue 9): the batches cost the counted-view run no more than 10 % of its throughput
(counted views per second) and of its p99. docs/benchmarks.md has the figures.
"""

# Every subprocess here runs a fixed command of this repository (python, gunicorn, wrk).

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_servers import add_load_options, measure_each, start_servers  # noqa: E402
from benchmarks.portal_load import (  # noqa: E402
    Result,
    csrf_cookie,
    events_counted,
    run_wrk,
    seed,
    warm,
)
from tests.network import free_port  # noqa: E402

ATTENTION_INTERVAL_SECONDS = 30  # attention.js: SEND_EVERY_MS
PARTS = ("section:1", "section:2", "section:3", "totals")

# Per connection: GET the page (cookie sent), POST the view beacon for the open it recorded,
# and later the view's attention batches. wrk gives each thread its own Lua state; a view's
# batches wait in a queue until they are due.
LUA = r"""
local page_path, seen_path, attention_path = "{page}", "{seen}", "{attention}"
local cookie = "csrftoken={cookie}"
local batches = {{ {batches} }}
local client_every = {client_every}
local opens = {{}}
local due, first, last = {{}}, 1, 0
local latest, next_at = nil, nil
local get_headers = {{ ["Cookie"] = cookie }}
local form = "application/x-www-form-urlencoded;charset=UTF-8"
request = function()
  local now = os.time()
  next_at = next_at or now + client_every
  if client_every > 0 and latest and latest.at <= now and next_at <= now then
    next_at = next_at + client_every
    last = last + 1
    due[last] = latest
    latest = nil
  end
  local batch = due[first]
  if batch and batch.at <= now then
    due[first] = nil
    first = first + 1
    local body = "open=" .. batch.token .. "&" .. batches[batch.n]
      .. "&csrfmiddlewaretoken=" .. batch.csrf
    return wrk.format("POST", attention_path, {{ ["Content-Type"] = form, ["Cookie"] = cookie }},
      body)
  end
  local open = table.remove(opens)
  if open then
    if client_every > 0 then
      -- the client's page: a view counted earlier, kept until its batch is sent
      latest = latest or {{ at = now + 2, token = open.token, csrf = open.csrf, n = 1 }}
    else
      for n = 1, #batches do
        last = last + 1
        due[last] = {{ at = now + 2, token = open.token, csrf = open.csrf, n = n }}
      end
    end
    return wrk.format("POST", seen_path, {{
      ["Content-Type"] = form, ["Cookie"] = cookie, ["X-CSRFToken"] = open.csrf,
    }}, "open=" .. open.token)
  end
  return wrk.format("GET", page_path, get_headers)
end
response = function(status, headers, body)
  if not body then return end
  local token = string.match(body, 'data%-open="([^"]+)"')
  local csrf = string.match(body, 'data%-csrf="([^"]+)"')
  if token and csrf then table.insert(opens, {{ token = token, csrf = csrf }}) end
end
"""


def batches_per_view(dwell: int) -> int:
    """How many batches attention.js sends for a view visible for `dwell` seconds."""
    return dwell // ATTENTION_INTERVAL_SECONDS + (1 if dwell % ATTENTION_INTERVAL_SECONDS else 0)


def batch_fields(count: int) -> list[str]:
    """The `sections` and `last` fields of a view's batches: running seconds, one more part
    each time (so each batch holds something new)."""
    fields = []
    for n in range(1, count + 1):
        shown = PARTS[: min(n, len(PARTS))]
        sections = json.dumps(dict.fromkeys(shown, 1), separators=(",", ":"))
        fields.append(urllib.parse.urlencode({"sections": sections, "last": shown[-1]}))
    return fields


def lua_script(page: str, cookie: str, batches: int, client_every: float = 0) -> str:
    token_path = page.rstrip("/")
    fields = ", ".join(f'"{field}"' for field in batch_fields(batches))
    return LUA.format(
        page=page,
        seen=f"{token_path}/seen/",
        attention=f"{token_path}/attention/",
        cookie=cookie,
        batches=fields,
        client_every=client_every,
    )


def recorded(database: str) -> tuple[int, int]:
    """(views counted, attention events) in the benchmark database; asserts the chain."""
    views, batches = events_counted(database, "quote_viewed", "attention")
    return views, batches


@dataclass
class Run:
    result: Result
    views: int
    batches: int
    duration: int

    @property
    def views_per_second(self) -> float:
        return self.views / self.duration


def measure(database: str, args: argparse.Namespace) -> dict[str, list[Run]]:
    port = free_port()
    page, seen = seed(port, database)
    assert seen == f"{page.rstrip('/')}/seen/", (page, seen)
    servers = start_servers(database, args, port)
    cpu = ([server.pid for server in servers], database)
    runs: dict[str, list[Run]] = {"counted view": [], "counted view + attention": []}
    scripts: list[str] = []
    try:
        warm(port, "/bench/bare/")
        cookie = csrf_cookie(port, page)
        url = f"http://127.0.0.1:{port}{page}"
        # Per client: each of a wrk thread's connections sends one batch per interval.
        every = ATTENTION_INTERVAL_SECONDS / (args.connections / 2) if args.per_client else 0
        plans = {
            "counted view": (0, 0.0),
            "counted view + attention": (1 if every else batches_per_view(args.dwell), every),
        }
        for _ in range(args.rounds):
            for name, (batches, client_every) in plans.items():
                with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
                    lua.write(lua_script(page, cookie, batches, client_every))
                scripts.append(lua.name)
                views, events = recorded(database)
                time.sleep(1)
                result = run_wrk(
                    name,
                    url,
                    duration=args.duration,
                    connections=args.connections,
                    script=lua.name,
                    cpu=cpu,
                )
                time.sleep(2)  # batches already sent finish
                views_after, events_after = recorded(database)
                runs[name].append(
                    Run(result, views_after - views, events_after - events, args.duration)
                )
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=15)
        for name in scripts:
            Path(name).unlink(missing_ok=True)
    return runs


def report(database: str, runs: dict[str, list[Run]], args: argparse.Namespace) -> None:
    rate = (
        f"one batch every {ATTENTION_INTERVAL_SECONDS} s per connection"
        if args.per_client
        else f"dwell {args.dwell} s = {batches_per_view(args.dwell)} batch(es) per counted view"
    )
    print(
        f"\n{database}: wrk -t2 -c{args.connections} -d{args.duration}s, gunicorn "
        f"{args.workers} sync workers; attention: {rate}"
    )
    print(
        f"{'run':26} {'req/s':>7} {'views/s':>8} {'batches':>8} {'per view':>9} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'server CPU ms/view':>19}  errors"
    )
    for name, each in runs.items():
        for run in each:
            r = run.result
            cpu_per_view = r.server_cpu_ms * r.requests / max(run.views, 1)
            print(
                f"{name:26} {r.requests_per_second:7.0f} {run.views_per_second:8.0f} "
                f"{run.batches:8} {run.batches / max(run.views, 1):9.3f} {r.p50_ms:7.2f} "
                f"{r.p99_ms:7.2f} "
                f"{cpu_per_view:19.2f}  {r.errors or '-'}"
            )
    plain, attention = runs["counted view"], runs["counted view + attention"]
    views = [statistics.median(run.views_per_second for run in x) for x in (plain, attention)]
    p99 = [statistics.median(run.result.p99_ms for run in x) for x in (plain, attention)]
    fewer = 1 - views[1] / views[0]
    slower = p99[1] / p99[0] - 1
    verdict = "MET" if fewer <= 0.10 and slower <= 0.10 else "MISSED"
    print(
        f"Medians: {views[0]:.0f} -> {views[1]:.0f} counted views/s ({fewer:+.0%} fewer), "
        f"p99 {p99[0]:.1f} -> {p99[1]:.1f} ms ({slower:+.0%}). "
        f"Target: at most 10 % on each: {verdict}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_options(parser)
    parser.add_argument("--dwell", type=int, default=60, help="seconds each view stays visible")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, taken in turn")
    parser.add_argument(
        "--per-client",
        action="store_true",
        help="each connection is one client with its page always visible: a batch every 30 s",
    )
    args = parser.parse_args()
    args.proxy = False
    measured = measure_each(args, measure)
    for database, runs in measured.items():
        report(database, runs, args)


if __name__ == "__main__":
    main()
