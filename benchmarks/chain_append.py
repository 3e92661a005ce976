"""The cost of appending one event to a quote's chain, as every client page view does.

Run from the project root:

    .venv/bin/python benchmarks/chain_append.py [--appends 1000] [--runs 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/quotery_bench \
        .venv/bin/python benchmarks/chain_append.py

Each append is one `event_link_opened` (what a GET of the client page writes) in its own
transaction, as a request makes it: take the chain's lock, read the head, hash, insert (and
move the head). It builds a throwaway SQLite file database (WAL, IMMEDIATE transactions, as
`bin/dev` runs) in a temporary directory, or `test_<name>` on the server when DATABASE_URL
points at PostgreSQL. Prints the median over `--runs` runs of `--appends` appends to one
quote, each in its own transaction and all in one (which leaves out the commit), and the
queries one append runs. Nothing asserts timings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK_DIR = Path(tempfile.mkdtemp(prefix="quotery-chain-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK_DIR / 'bench.sqlite3'}")

import django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=1000, help="appends per run")
    parser.add_argument("--runs", type=int, default=7, help="runs (the median is printed)")
    args = parser.parse_args()
    django.setup()

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from quotery.accounts.factories import CompanyFactory, member
    from quotery.accounts.models import Role
    from quotery.core.request_meta import RequestMeta
    from quotery.engagement import events
    from quotery.portal.services.sharing import share_send
    from quotery.quotes.factories import make_quote
    from quotery.sharing.models import PortalShare

    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(WORK_DIR / "bench-test.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        company = CompanyFactory()
        rep = member(company, Role.REP)
        quote = make_quote(owner=rep)
        share_send(quote=quote, user=rep, recipient_name="Anna", recipient_email="a@example.test")
        share = PortalShare.objects.select_related("quote__company").get(quote=quote)
        meta = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (X11; Linux x86_64)")

        def append() -> None:
            with transaction.atomic():
                events.event_link_opened(quote=share.quote, share=share, meta=meta)

        for _ in range(50):  # warm: compiled SQL, caches
            append()
        with CaptureQueriesContext(connection) as captured:
            append()
        queries = [query["sql"] for query in captured.captured_queries]

        def timed(one_transaction: bool) -> list[float]:
            per_append: list[float] = []
            for _ in range(args.runs):
                began = time.perf_counter()
                if one_transaction:
                    with transaction.atomic():
                        for _ in range(args.appends):
                            events.event_link_opened(quote=share.quote, share=share, meta=meta)
                else:
                    for _ in range(args.appends):
                        append()
                per_append.append((time.perf_counter() - began) / args.appends * 1e6)
            return per_append

        print(f"Chain append on {connection.vendor}: {args.runs} runs of {args.appends} appends")
        for label, samples in (
            ("each append its own transaction (as a page view)", timed(False)),
            ("all appends in one transaction (no commit cost)", timed(True)),
        ):
            runs = ", ".join(f"{value:.1f}" for value in sorted(samples))
            print(f"{label}: median {statistics.median(samples):.1f} µs (runs: {runs})")
        print(f"{len(queries)} queries per append:")
        for sql in queries:
            print(f"  {sql[:110]}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(WORK_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
