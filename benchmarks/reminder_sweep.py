"""The reminder sweep over many shared quotes: the scheduler runs it every five minutes.

Run from the project root:

    .venv/bin/python benchmarks/reminder_sweep.py [--shares 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/quotery_bench \
        .venv/bin/python benchmarks/reminder_sweep.py

Builds a throwaway database (a SQLite file in a temporary directory, or `test_<name>` on the
server DATABASE_URL names), shares `--shares` one-line quotes at a pinned moment, then times
`reminders_send_due`: the morning after (nothing due: the sweep only reads), four days later
(every share's "not viewed" reminder due: each one locked, recorded, chained and queued),
and again (all taken: reads only). Prints the time of each and the queries of the reading
sweep. The outbox emails' send tasks are queued, not run (the worker sends them). Nothing
asserts timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK_DIR = Path(tempfile.mkdtemp(prefix="quotery-reminder-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK_DIR / 'bench.sqlite3'}")

import django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=int, default=1000, help="shared quotes")
    args = parser.parse_args()
    django.setup()

    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from quotery.accounts.factories import CompanyFactory, member
    from quotery.accounts.models import Role
    from quotery.portal.services.sharing import share_send
    from quotery.quotes.factories import make_quote
    from quotery.reminders.services.sending import reminders_send_due

    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(WORK_DIR / "bench-test.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    # The worker sends the emails, not the sweep: their tasks are queued, not run here.
    dummy_tasks = override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    )
    dummy_tasks.enable()
    # Tuesday 1 December 2026, 10:00 in Berlin: day 3 is Friday, in working hours.
    shared_at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    try:
        rep = member(CompanyFactory(time_zone="Europe/Berlin"), Role.REP)
        began = time.perf_counter()
        with time_machine.travel(shared_at, tick=False):
            for n in range(args.shares):
                quote = make_quote(owner=rep, lines_per_section=1)
                share_send(
                    quote=quote, user=rep, recipient_name="Anna", recipient_email=f"a{n}@x.test"
                )
        took = time.perf_counter() - began
        print(f"{connection.vendor}: shared {args.shares} quotes in {took:.0f} s")

        def sweep(label: str, moment: dt.datetime) -> None:
            connection.queries_log.clear()
            with time_machine.travel(moment, tick=True), CaptureQueriesContext(connection) as q:
                started = time.perf_counter()
                sent = reminders_send_due()
                took = time.perf_counter() - started
            print(
                f"{label}: {sent} sent in {took * 1000:.0f} ms, {len(q.captured_queries)} queries"
            )

        sweep("next morning, nothing due", shared_at + dt.timedelta(days=1))
        sweep("day 3, every reminder due", shared_at + dt.timedelta(days=3, hours=1))
        sweep("again, all taken", shared_at + dt.timedelta(days=3, hours=2))
    finally:
        dummy_tasks.disable()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(WORK_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
