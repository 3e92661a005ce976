"""What a quote's life writes to the database and to file storage, per row and per quote: the
figures behind the sizing in docs/deployment.md ("Sizing for internet scale").

Run from the project root, on PostgreSQL (the sizes are PostgreSQL's own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/quotery_bench \\
        .venv/bin/python benchmarks/storage_growth.py [--quotes 200] [--views 5]

It creates `test_<name>` on that server, then makes each quote as the app does, through its
services and its pages (Django's test client, in process): 3 sections of 10 lines, half of them
stock products, shared with one client; the client opens the page `--views` times, each open
confirmed as a view by the page's beacon, downloads the PDF once, and every second quote is
accepted (stock reserved, a delivery note drafted, two emails, the sealed PDF made and stored by
the worker's task). After VACUUM ANALYZE it reads each table's rows and its total size (table,
indexes and TOAST), and the bytes the files take by kind. Nothing asserts sizes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.acceptance import (  # noqa: E402
    WORK_DIR,
    accept_all,
    run_tasks_later,
    setup_django,
    shared_quotes,
    use_task_backend,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

# Tables that a quote's life writes to; the rest (users, products, sessions) grow with
# companies and people, not with quotes.
SIZE_SQL = """
SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = 'public'
ORDER BY pg_total_relation_size(c.oid) DESC
"""


def engage(shared: list[Any], views: int) -> None:
    """Each client opens the page `views` times, the beacon confirming each open, then
    downloads the quote's PDF once."""
    from django.test import Client
    from django.urls import reverse

    for item in shared:
        browser = Client()
        for _ in range(views):
            html = browser.get(reverse("portal:page", args=[item.token])).content.decode()
            found = re.search(r'data-open="([^"]+)"', html)
            assert found, "the client page carried no open to confirm"
            seen = browser.post(reverse("portal:seen", args=[item.token]), {"open": found[1]})
            assert seen.status_code < 300, seen.status_code
        pdf = browser.get(reverse("portal:pdf", args=[item.token]))
        assert pdf.status_code == 200, pdf.status_code


def table_sizes() -> list[tuple[str, int, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(SIZE_SQL)
        return [(name, rows, size) for name, rows, size in cursor.fetchall() if rows > 0]


def file_sizes(media: Path) -> dict[str, tuple[int, int]]:
    """Files and bytes per top two folders under the media root (e.g. documents/accepted)."""
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in media.rglob("*"):
        if path.is_file():
            kind = "/".join(path.relative_to(media).parts[:2])
            found[kind][0] += 1
            found[kind][1] += path.stat().st_size
    return {kind: (count, size) for kind, (count, size) in sorted(found.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=200)
    parser.add_argument("--views", type=int, default=5, help="counted views per quote")
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at PostgreSQL: the sizes read are PostgreSQL's.")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        use_task_backend("django.tasks.backends.dummy.DummyBackend")
        shared = shared_quotes(args.quotes)
        engage(shared, args.views)
        accepted = shared[::2]
        accept_all(accepted)
        run_tasks_later(accepted)
        report(args, len(accepted), table_sizes(), file_sizes(WORK_DIR / "media"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(WORK_DIR, ignore_errors=True)


def report(
    args: argparse.Namespace,
    accepted: int,
    tables: list[tuple[str, int, int]],
    files: dict[str, tuple[int, int]],
) -> None:
    print(
        f"{args.quotes} quotes of 30 lines, {args.views} counted views and one PDF download "
        f"each, {accepted} accepted\n"
    )
    print("| Table | Rows | Total size | Bytes per row | Bytes per quote |")
    print("| --- | ---: | ---: | ---: | ---: |")
    total = 0
    for name, rows, size in tables:
        total += size
        print(
            f"| {name} | {rows:,} | {size / 1024:,.0f} KiB | {size / rows:,.0f} | "
            f"{size / args.quotes:,.0f} |"
        )
    print(f"| all | | {total / 1024:,.0f} KiB | | {total / args.quotes:,.0f} |\n")
    print("| Files | Count | Bytes | Bytes per file |")
    print("| --- | ---: | ---: | ---: |")
    for kind, (count, size) in files.items():
        print(f"| {kind} | {count:,} | {size:,} | {size / count:,.0f} |")


if __name__ == "__main__":
    main()
