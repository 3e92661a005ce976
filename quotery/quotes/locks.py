"""The quote row lock: the only code that writes `FOR UPDATE` on a quote's row.

Holding it makes the caller's transaction the only one that changes the quote until it
commits or rolls back: its state, content and revisions, the answers given through its
links, its payment, and its event chain, whose head (length, last hash, signature) lives on
the quote row. Whoever changes a quote takes it first, inside their own transaction, and
only then reads what they decide on, so every check sees what the others committed.

Who takes it:
- quotes: `quote_update`, `quote_mark_sent` (and so `share_send`), `quote_cancel`
  (quotery.quotes.services.quotes); `delivery_note_ship` (quotery.quotes.services.shipping,
  then the note's row, then stock rows in product id order through `stock_ship`);
  `quote_mark_accepted`, `quote_mark_changes_requested`, `quote_mark_declined` and
  `quote_mark_closed` run under their caller's lock.
- portal: `quote_accept`, `quote_request_changes`, `quote_decline`, `client_message_post`,
  `rep_message_post`, `share_revoke`, `portal_view_confirm`; `portal_choices_save` takes it
  with its read of the link and the quote, in one statement (`quote_lock_clause`, through
  `share_choices_locked`).
- billing: `payment_status_set`.
- engagement: `append_event` and `append_events` (every event: they read the chain head
  with the lock in one query, `quote_lock_chain_head`), `pending_opens_fold` (the client
  page's opens, recorded without the lock, chained by the view beacon, a read of the log or
  the scheduler's task) and `head_re_sign`.
Taking it again in a transaction that holds it costs one query and never waits.

In which order (so two transactions never wait on each other in a circle): one quote per
transaction, and its row before anything else that gets locked; after it, as needed, the
rows that hang off that quote (its shares, acceptance or decline, payment, delivery note),
then a document-number counter (`number_next`), then stock rows in product id order
(`delivery_note_create_for_quote` through `stock_reserve`). Code that locks such rows
without the quote's lock (`delivery_note_cancel`, `stock_adjust`, `quote_create`'s
counter) never asks for a quote's lock after them. `quote_expire_due` changes a quote by
single compare-and-set UPDATEs outside any transaction: each takes and drops the row lock
by itself. reminders: `quote_expire` (the scheduler's expiry, with its event) and
`reminder_send` take it like the portal's services.

PostgreSQL: a row lock until the transaction ends. SQLite: nothing to take, and no query:
every transaction begins IMMEDIATE (config.env), which admits one writer to the whole
database at a time from its first statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from quotery.core.rawsql import prepared_cursor
from quotery.quotes.models import Quote

_QUOTES = Quote._meta.db_table
LOCK_SQL = f"SELECT id FROM {_QUOTES} WHERE id = %s FOR UPDATE"  # noqa: S608
# Hand-written (quotery.core.rawsql): every client page view and beacon reads the head.
CHAIN_HEAD_SQL = f"SELECT chain_length, chain_hash, chain_signature FROM {_QUOTES} WHERE id = %s"  # noqa: S608


@dataclass(frozen=True)
class ChainHead:
    """The head of a quote's event chain, as its row holds it."""

    length: int
    last_hash: str
    signature: str


def quote_lock(quote_id: int) -> None:
    """Takes the quote's row lock for the rest of the caller's transaction (see the module's
    docstring for who takes it and in which order). Raises Quote.DoesNotExist for a quote
    that is not there (PostgreSQL; SQLite takes nothing and reads nothing), and RuntimeError
    outside a transaction, where the lock would end with the statement."""
    _require_transaction()
    if connection.vendor == "sqlite":
        return
    with prepared_cursor() as cursor:
        cursor.execute(LOCK_SQL, [quote_id])
        if cursor.fetchone() is None:
            raise Quote.DoesNotExist(f"No quote {quote_id}")


def quote_lock_clause(quote: str, *rows: str) -> str:
    """The locking clause to end a SELECT that reads a quote (under the alias `quote`) with
    rows hanging off it (the aliases `rows`, e.g. one of its links): it takes the quote's
    row lock, as `quote_lock` does, in the same statement as the read, then locks those
    rows, in that order (PostgreSQL locks in the order of the clauses, so the quote's row
    still comes first). All of one statement reads one snapshot, and once a lock is granted
    PostgreSQL reads again only the rows it locked: the rows the caller decides on must be
    among them, so that they are read as committed before the lock, like a read after
    `quote_lock`. The clause locks nothing when the statement finds no row. SQLite: no
    clause (see `quote_lock`). RuntimeError outside a transaction."""
    _require_transaction()
    if connection.vendor == "sqlite":
        return ""
    clause = f" FOR UPDATE OF {quote}"
    if rows:
        clause += f" FOR NO KEY UPDATE OF {', '.join(rows)}"
    return clause


def quote_lock_chain_head(quote_id: int) -> ChainHead:
    """Takes the quote's row lock, as `quote_lock` does, and reads its chain head in the
    same query: what an append needs before it hashes the next event."""
    _require_transaction()
    lock = "" if connection.vendor == "sqlite" else " FOR UPDATE"
    return _read_head(CHAIN_HEAD_SQL + lock, quote_id)


def quote_chain_head(quote_id: int) -> ChainHead:
    """The quote's chain head without a lock (a check, a report); the next link is only
    certain under `quote_lock`."""
    return _read_head(CHAIN_HEAD_SQL, quote_id)


def _read_head(sql: str, quote_id: int) -> ChainHead:
    with prepared_cursor() as cursor:
        cursor.execute(sql, [quote_id])
        row = cursor.fetchone()
    if row is None:
        raise Quote.DoesNotExist(f"No quote {quote_id}")
    return ChainHead(row[0], row[1], row[2])


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("the quote row lock is taken inside the caller's transaction")
