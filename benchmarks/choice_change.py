"""Load benchmark of a client's choice change on a quote with options: the POST the client
page's script (static/js/quote-options.js) sends when an option is ticked or a quantity
changed, at 16 connections, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/choice_change.py [--duration 10] [--connections 16]
        [--workers 2] [--database sqlite|postgres|both] [--links 16]
        [--body urlencoded|multipart]

For each database: seeds a fresh database (as benchmarks/portal_load.py does: SQLite in
WAL mode under var/bench/, or the PostgreSQL database quotery_bench) with `--links` quotes
with options (the quote of the portal tests: a desk, an optional extended warranty,
installation hours adjustable from 4 to 10, and oak or walnut to choose), each shared with
its own client. Each client's page is fetched once, as a browser does: its CSRF cookie and
the options form's CSRF token are kept. gunicorn (the project's gunicorn.conf.py, 2 sync
workers, benchmarks.bench_settings: DEBUG off, limits on and too high to trigger) serves
and wrk (2 threads, `--connections`) runs:

0. a bare template page (no database): the yardstick of what the machine gives now;
1. choice changes: each request is what quote-options.js's `fetch` sends, the options form
   URL-encoded (its CSRF token included; `--body multipart` sends it as the script did
   before, multipart form data), the cookie, the `X-Quotery-Choices`
   header and the page's Origin, answered 204. The links take turns; each link's changes
   cycle through four states, each one change from the one before (warranty added,
   quantity 6.5 -> 8, warranty removed, quantity 8 -> 6.5), so each request saves the
   choices and records one `option_changed` event in the quote's chain.

Afterwards it checks that every quote's chain verifies and counts the events recorded.

Target (issue 9): p99 < 50 ms at 16 connections on each database. docs/benchmarks.md has
the figures.
"""

# Every subprocess here runs a fixed command of this repository (python, gunicorn, wrk).

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

from benchmarks.load_servers import (  # noqa: E402
    add_load_options,
    measure_each,
    run_python,
    seed_database,
    start_servers,
)
from benchmarks.portal_load import Result, run_wrk, warm  # noqa: E402
from tests.network import free_port  # noqa: E402

SEED = """
import django
django.setup()
import sys
from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.portal.tests.portal_fixtures import share_options_quote
from django.urls import reverse

company = CompanyFactory(name="Northwind Interiors")
rep = member(company, Role.REP, full_name="Riley Rep", email="riley@northwind.test")
for n in range(int(sys.argv[1])):
    shared = share_options_quote(rep, email=f"client{n}@client.test")
    print(reverse("portal:page", args=[shared.token]))
"""

# The form's fields in each state of a link's cycle (the warranty is line 0.1, the
# installation hours line 0.2, walnut line 1.1; see portal_fixtures.options_input).
STATES = (
    (("include", "0.1"), ("quantity.0.2", "6.5"), ("choose.1", "1.1")),
    (("include", "0.1"), ("quantity.0.2", "8"), ("choose.1", "1.1")),
    (("quantity.0.2", "8"), ("choose.1", "1.1")),
    (("quantity.0.2", "6.5"), ("choose.1", "1.1")),
)
BOUNDARY = "----QuoteryBenchChoices7MA4YWxkTrZu0gW"

LUA = r"""
local links = {{ {links} }}
local bodies = {{ {bodies} }}
local origin = "{origin}"
local next_thread = 0
setup = function(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end
local mine, turn = nil, 0
request = function()
  if not mine then
    mine = {{}}
    for i, link in ipairs(links) do
      if (i - 1) % 2 == thread_index then table.insert(mine, {{ link = link, state = 0 }}) end
    end
  end
  turn = turn % #mine + 1
  local entry = mine[turn]
  entry.state = entry.state % #bodies + 1
  local link = entry.link
  return wrk.format("POST", link.path, {{
    ["Content-Type"] = "{content_type}",
    ["Cookie"] = "csrftoken=" .. link.cookie,
    ["X-Quotery-Choices"] = "1",
    ["Origin"] = origin,
  }}, string.format(bodies[entry.state], link.csrf))
end
"""


def seed(database: str, links: int) -> list[str]:
    """A fresh database with `links` shared quotes with options; returns their page paths."""
    out = seed_database(database, SEED, str(links))
    return [line for line in out if line.startswith("/p/")]


def page_csrf(port: int, page: str) -> tuple[str, str]:
    """The CSRF cookie a first visit of `page` sets, and the options form's token."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"http://127.0.0.1:{port}{page}", timeout=10) as response:
        html = response.read().decode()
    form = re.search(r'id="quote-options".*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S)
    cookie = next((c.value for c in jar if c.name == "csrftoken" and c.value), None)
    if not form or not cookie:
        raise SystemExit("The client page has no options form or set no CSRF cookie.")
    return cookie, form.group(1)


def multipart(fields: tuple[tuple[str, str], ...]) -> str:
    """A Lua string literal of the form as multipart data, `%s` standing for the token."""
    parts = [*fields, ("csrfmiddlewaretoken", "%s")]
    body = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in parts
    )
    body += f"--{BOUNDARY}--\r\n"
    return '"' + body.replace("\r\n", "\\r\\n").replace('"', '\\"') + '"'


def urlencoded(fields: tuple[tuple[str, str], ...]) -> str:
    """A Lua string literal of the form URL-encoded, `%s` standing for the token."""
    body = urlencode(fields) + "&csrfmiddlewaretoken=%s"
    assert "%" not in body.replace("%s", ""), "a % in the body would confuse string.format"
    return '"' + body + '"'


# How the page's script sends the form (quote-options.js: URL-encoded), or as it did
# before 2026-12-07 (multipart, `new FormData(form)`): Content-Type and body of each state.
BODIES = {
    "urlencoded": ("application/x-www-form-urlencoded;charset=UTF-8", urlencoded),
    "multipart": (f"multipart/form-data; boundary={BOUNDARY}", multipart),
}


def lua_script(port: int, pages: list[str], body: str) -> str:
    links = []
    for page in pages:
        cookie, token = page_csrf(port, page)
        links.append(f'{{ path = "{page}choices/", cookie = "{cookie}", csrf = "{token}" }}')
    content_type, encode = BODIES[body]
    return LUA.format(
        links=", ".join(links),
        bodies=", ".join(encode(state) for state in STATES),
        origin=f"http://127.0.0.1:{port}",
        content_type=content_type,
    )


def recorded(database: str) -> int:
    """The option changes recorded; asserts that every quote's chain verifies."""
    script = (
        "import django; django.setup()\n"
        "from quotery.engagement.models import QuoteEvent, EventKind\n"
        "from quotery.engagement.chain import verify_quote_chain\n"
        "from quotery.quotes.models import Quote\n"
        "for quote_id in Quote.objects.values_list('pk', flat=True):\n"
        "    assert verify_quote_chain(quote_id).ok, 'the event chain is broken'\n"
        "print(QuoteEvent.objects.filter(kind=EventKind.OPTION_CHANGED).count())\n"
    )
    return int(run_python(database, script)[-1])


def measure(database: str, args: argparse.Namespace) -> tuple[list[Result], int]:
    pages = seed(database, args.links)
    assert len(pages) == args.links, pages
    port = free_port()
    servers = start_servers(database, args, port)
    cpu = ([server.pid for server in servers], database)
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        pass
    try:
        warm(port, "/bench/bare/")
        Path(lua.name).write_text(lua_script(port, pages, args.body))
        options = {"duration": args.duration, "connections": args.connections, "cpu": cpu}
        bare = run_wrk("bare template page", f"{base}/bench/bare/", **options)
        time.sleep(1)
        before = recorded(database)
        change = run_wrk("choice change", base, script=lua.name, **options)
        changes = recorded(database) - before
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=15)
        Path(lua.name).unlink(missing_ok=True)
    return [bare, change], changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_options(parser)
    parser.add_argument("--links", type=int, default=16, help="shared quotes taking turns")
    parser.add_argument(
        "--body",
        choices=sorted(BODIES),
        default="urlencoded",
        help="how each change posts the form (the page's script: urlencoded)",
    )
    args = parser.parse_args()
    args.proxy = False
    measured = measure_each(args, measure)
    for database, ((bare, change), changes) in measured.items():
        print(
            f"\n{database}: {args.links} links, wrk -t2 -c{args.connections} -d{args.duration}s, "
            f"gunicorn {args.workers} sync workers"
        )
        print(
            f"{'run':20} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'server CPU ms/req':>18}  errors"
        )
        for result in (bare, change):
            print(
                f"{result.name:20} {result.requests_per_second:7.0f} {result.p50_ms:7.2f} "
                f"{result.p99_ms:7.2f} {result.server_cpu_ms:18.3f}  {result.errors or '-'}"
            )
        print(
            f"{changes} option changes recorded for {change.requests} requests "
            "(every chain verifies)."
        )
        verdict = "MET" if change.p99_ms < 50 and not change.errors else "MISSED"
        print(f"Target: choice change p99 < 50 ms: {change.p99_ms:.1f} ms {verdict}.")


if __name__ == "__main__":
    main()
