"""Opens of the client page recorded without the chain (`PendingOpen`), and read back as
the LINK_OPENED events they become when `quotery.engagement.chain` chains them.

Every GET of the client page by a client records an open. Appending it to the chain there
and then would take the quote's row lock, read and move the chain head and wait for a
durable commit on every page load, link scanners' included. Instead the GET inserts one row
here, by itself, and the open joins the chain, with the same facts, at the quote's next
append (the view beacon, any other event) or read (the timeline, the Engagement page).

What a crash can lose (docs/evidence.md): nothing once the page's response has been sent,
on SQLite (the insert has committed; WAL with synchronous=NORMAL keeps it through a crash of
the app, as every other write). On PostgreSQL the insert commits with
`synchronous_commit = off`: a crash of the app loses nothing, but a crash of the
PostgreSQL server or of the machine can lose the opens of its last moments (at most three
times `wal_writer_delay`, 0.6 s by default). A counted view is always committed durably
before the beacon answers, and its open with it.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from quotery.core.rawsql import Columns
from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.engagement.payloads import LinkOpened
from quotery.sharing.models import PortalShare

_PENDING = PendingOpen._meta.db_table
_COLUMNS = "company_id, quote_id, share_id, occurred_at, revision_number, user_agent, ip"
INSERT_SQL = f"INSERT INTO {_PENDING} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id"  # noqa: S608
# PostgreSQL, outside a transaction: one statement that also turns synchronous commit off
# for its own implicit transaction (set_config's third argument: local to it).
INSERT_ASYNC_COMMIT_SQL = (
    f"INSERT INTO {_PENDING} ({_COLUMNS}) "  # noqa: S608
    "SELECT %s::bigint, %s::bigint, %s::bigint, %s::timestamptz, %s::integer, %s::varchar, "
    "%s::inet FROM set_config('synchronous_commit', 'off', true) RETURNING id"
)
PENDING_COLUMNS = Columns(
    PendingOpen,
    ["id", "company", "quote", "share", "occurred_at", "revision_number", "user_agent", "ip"],
    "p",
)
PENDING_SQL = (
    f"SELECT {PENDING_COLUMNS.sql}, s.recipient_email FROM {_PENDING} p "  # noqa: S608
    f"INNER JOIN {PortalShare._meta.db_table} s ON s.id = p.share_id "
    "WHERE p.quote_id = %s ORDER BY p.id"
)
PENDING_COUNT_SQL = f"SELECT count(*) FROM {_PENDING} WHERE quote_id = %s"  # noqa: S608


def pending_open_insert(
    *,
    company_id: int,
    quote_id: int,
    share_id: int,
    occurred_at: dt.datetime,
    revision_number: int,
    user_agent: str,
    ip: str | None,
) -> int:
    """Inserts one pending open and returns its id: one statement, no lock. Outside a
    transaction it commits at once (on PostgreSQL without waiting for the disk, see the
    module's docstring); inside one it commits with it, durably as the caller's."""
    postgres = connection.vendor == "postgresql"
    sql = INSERT_ASYNC_COMMIT_SQL if postgres and not connection.in_atomic_block else INSERT_SQL
    params = [
        company_id,
        quote_id,
        share_id,
        connection.ops.adapt_datetimefield_value(occurred_at),
        revision_number,
        user_agent,
        ip,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def pending_open_events(quote_id: int) -> tuple[list[int], list[QuoteEvent]]:
    """The ids of the quote's pending opens and the unsaved LINK_OPENED events they become,
    in the order they were recorded, each payload naming its pending open. One query."""
    with connection.cursor() as cursor:
        cursor.execute(PENDING_SQL, [quote_id])
        rows = cursor.fetchall()
    ids, events = [], []
    for row in rows:
        pending = PENDING_COLUMNS.instance(row[: len(PENDING_COLUMNS)])
        ids.append(pending.pk)
        events.append(
            QuoteEvent(
                company_id=pending.company_id,
                quote_id=pending.quote_id,
                kind=EventKind.LINK_OPENED,
                occurred_at=pending.occurred_at,
                share_id=pending.share_id,
                recipient_email=row[-1],
                revision_number=pending.revision_number,
                user_agent=pending.user_agent,
                ip=pending.ip,
                data=LinkOpened(pending=pending.pk).to_data(),
            )
        )
    return ids, events


def pending_open_count(quote_id: int) -> int:
    """How many of the quote's opens wait to be chained."""
    with connection.cursor() as cursor:
        cursor.execute(PENDING_COUNT_SQL, [quote_id])
        row = cursor.fetchone()
    return int(row[0]) if row else 0
