"""The hash chain of a quote's events: appending a link and checking the whole chain."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from quotery.core.canonical import canonical_json
from quotery.core.rawsql import Insert
from quotery.engagement.models import GENESIS_HASH, QuoteEvent
from quotery.quotes.models import Quote

# Written by hand (quotery.core.rawsql): every page view and beacon appends a link.
LOCK_SQL = f"SELECT id FROM {Quote._meta.db_table} WHERE id = %s FOR UPDATE"  # noqa: S608
LAST_LINK_SQL = (
    f"SELECT sequence, hash FROM {QuoteEvent._meta.db_table} "  # noqa: S608
    "WHERE quote_id = %s ORDER BY sequence DESC LIMIT 1"
)
EVENT_INSERT = Insert(QuoteEvent)


def link_hash(prev_hash: str, event: QuoteEvent) -> str:
    """hash = SHA-256(prev_hash || canonical(event)), prev_hash as its 64 hex characters."""
    return hashlib.sha256(
        prev_hash.encode("ascii") + canonical_json(event.canonical_fields())
    ).hexdigest()


def lock_chain(quote_id: int) -> None:
    """Within the caller's transaction, makes it the only writer of the quote's chain until
    it ends. On PostgreSQL: the quote's row lock (the one the quote services take). SQLite's
    IMMEDIATE transactions already admit one writer at a time."""
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(LOCK_SQL, [quote_id])


def chain_head(quote_id: int) -> tuple[int, str]:
    """The sequence and hash of the quote's last event, (0, GENESIS_HASH) for none yet. The
    next link is only certain while the caller holds `lock_chain`."""
    with connection.cursor() as cursor:
        cursor.execute(LAST_LINK_SQL, [quote_id])
        last = cursor.fetchone()
    return (last[0], last[1]) if last else (0, GENESIS_HASH)


def append_event(event: QuoteEvent) -> QuoteEvent:
    """Gives the unsaved event the next sequence number and its chained hash, and saves it.

    Serialised per quote through `lock_chain`. The (quote, sequence) unique constraint
    refuses a fork if anything slips past. Inside a caller's transaction it adds no
    savepoint: an error here rolls the caller back too.
    """
    with transaction.atomic(savepoint=False):
        lock_chain(event.quote_id)
        sequence, prev_hash = chain_head(event.quote_id)
        event.sequence = sequence + 1
        event.prev_hash = prev_hash
        event.hash = link_hash(prev_hash, event)
        EVENT_INSERT.save(event)
    return event


@dataclass(frozen=True)
class ChainReport:
    quote_id: int
    checked: int
    first_bad_sequence: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_sequence is None


def verify_events(quote_id: int, events: Iterable[QuoteEvent]) -> ChainReport:
    """Recomputes the chain in sequence order and names the first row that does not fit:
    an edited row (its hash no longer matches its fields), a deleted row (a gap in the
    sequence, or the next row's prev_hash points at a row that is gone), an inserted row
    (its prev_hash or hash cannot be produced without the server-side sequence)."""
    prev_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in events:
        checked += 1
        if event.sequence != expected_sequence:
            return ChainReport(
                quote_id,
                checked,
                event.sequence,
                f"expected event #{expected_sequence} but found #{event.sequence}: "
                "a row was deleted or inserted",
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                quote_id,
                checked,
                event.sequence,
                "its previous-hash does not match the row before it: "
                "a row before it was deleted, inserted or re-hashed",
            )
        if link_hash(prev_hash, event) != event.hash:
            return ChainReport(
                quote_id, checked, event.sequence, "its fields do not match its hash: edited"
            )
        prev_hash = event.hash
        expected_sequence += 1
    return ChainReport(quote_id, checked)


def verify_quote_chain(quote_id: int) -> ChainReport:
    events = QuoteEvent.objects.filter(quote_id=quote_id).order_by("sequence").iterator(2000)
    return verify_events(quote_id, events)
