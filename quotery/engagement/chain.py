"""The hash chain of a quote's events: appending a link, keeping the chain's head, and
checking the whole chain against its head.

The head (length, last hash, and an HMAC of both under the server secret) lives on the quote
row and moves by compare-and-set in the transaction of every append (SECURITY.md 28). Rows
deleted from the end of the chain then no longer agree with it, and someone who can write
the database but does not hold the server secret cannot sign a shorter head. Appends are
serialised by the quote's row lock, which `quotery.quotes.locks` takes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils.crypto import constant_time_compare, salted_hmac

from quotery.core.canonical import canonical_json
from quotery.core.rawsql import Insert, prepared_cursor
from quotery.engagement.models import GENESIS_HASH, PendingOpen, QuoteEvent
from quotery.engagement.pending_opens import pending_open_count, pending_open_events
from quotery.engagement.rollups import rollups_add, rollups_statements
from quotery.quotes.locks import ChainHead, quote_chain_head, quote_lock, quote_lock_chain_head
from quotery.quotes.models import Quote

logger = logging.getLogger("quotery.engagement")

HEAD_SALT = "quotery.engagement.chain.head"

# Written by hand (quotery.core.rawsql): every page view and beacon appends a link.
_QUOTES = Quote._meta.db_table
# Compare-and-set: moves the head only from the one it was read as. Under the quote's row
# lock it always matches; if anything ever slipped past the lock, the append fails instead of
# forking the chain.
MOVE_HEAD_SQL = (
    f"UPDATE {_QUOTES} SET chain_length = %s, chain_hash = %s, chain_signature = %s "  # noqa: S608
    "WHERE id = %s AND chain_length = %s AND chain_hash = %s"
)
EVENT_INSERT = Insert(QuoteEvent)
SEQUENCE_UNIQUE = "event_sequence_unique"  # (quote, sequence): a chain never forks
# A statement of hand-written SQL and its parameters.
Statement = tuple[str, Sequence[Any]]


class ChainForked(Exception):
    """The quote's chain head moved between reading it and moving it: a defect in the
    locking, never the client's doing. The append (and the caller's transaction) rolls back."""


def link_hash(prev_hash: str, event: QuoteEvent) -> str:
    """hash = SHA-256(prev_hash || canonical(event)), prev_hash as its 64 hex characters."""
    return hashlib.sha256(
        prev_hash.encode("ascii") + canonical_json(event.canonical_fields())
    ).hexdigest()


def head_signature(quote_id: int, length: int, last_hash: str, *, secret: str | None = None) -> str:
    """HMAC-SHA256 of the quote's id, chain length and last hash under the server secret
    (`settings.SECRET_KEY` unless another key is given)."""
    return salted_hmac(
        HEAD_SALT,
        f"{quote_id}:{length}:{last_hash}",
        secret=secret if secret is not None else settings.SECRET_KEY,
        algorithm="sha256",
    ).hexdigest()


def head_signed_with(quote_id: int, length: int, last_hash: str, signature: str) -> str | None:
    """Which server key signed this head: "current" (SECRET_KEY), "fallback" (one of
    SECRET_KEY_FALLBACKS), "none yet" (the empty head of a quote with no events), or None
    when no key we hold made this signature."""
    if not signature:
        return "none yet" if length == 0 and last_hash == GENESIS_HASH else None
    if constant_time_compare(signature, head_signature(quote_id, length, last_hash)):
        return "current"
    for old_key in settings.SECRET_KEY_FALLBACKS:
        if constant_time_compare(
            signature, head_signature(quote_id, length, last_hash, secret=old_key)
        ):
            return "fallback"
    return None


def chain_head(quote_id: int) -> tuple[int, str]:
    """The length and last hash of the quote's chain, (0, GENESIS_HASH) for no events yet,
    as its head on the quote row says. The next link is only certain while the caller holds
    the quote's row lock (`quotery.quotes.locks.quote_lock`)."""
    head = quote_chain_head(quote_id)
    return head.length, head.last_hash


def append_event(event: QuoteEvent) -> QuoteEvent:
    """Gives the unsaved event the next sequence number and its chained hash, saves it, and
    moves the quote's chain head to it, signed, in the same transaction.

    Serialised per quote by the quote's row lock, taken with the head's read in one query
    (`quote_lock_chain_head`; SQLite's IMMEDIATE transaction admits one writer). The head
    moves by compare-and-set and the (quote, sequence) unique constraint refuses a fork if
    anything slips past. A head whose signature no key of ours made (the database was
    written around the app) is extended but never signed again, so the tampering stays
    visible to `manage.py verify`. Inside a caller's transaction it adds no savepoint: an
    error here rolls the caller back too.
    """
    with transaction.atomic(savepoint=False):
        head = quote_lock_chain_head(event.quote_id)
        append_events(event.quote_id, head, [event])
    return event


def append_events(
    quote_id: int,
    head: ChainHead,
    events: list[QuoteEvent],
    *,
    pending: Sequence[int] = (),
    write: Statement | None = None,
) -> None:
    """Chains the unsaved `events`, in order, after `head`, inserts them and moves the head
    once, to the last of them; deletes the pending opens `pending` (which are among them,
    see `pending_opens_fold`). The caller holds the quote's row lock and read `head` under
    it (`quote_lock_chain_head`), in the transaction this runs in. Sequence numbers are
    head.length + 1, + 2, ... in order, so a caller can name an earlier event of the batch
    by its number before it is saved. `write`, a statement of the caller's (an UPDATE or
    INSERT without RETURNING, e.g. what the events record), runs with the append: inside
    its one statement on PostgreSQL, just before it elsewhere."""
    if not events:
        if write is not None:
            with prepared_cursor() as cursor:
                cursor.execute(*write)
        return
    length, last_hash = head.length, head.last_hash
    for event in events:
        length += 1
        event.sequence = length
        event.prev_hash = last_hash
        event.hash = last_hash = link_hash(last_hash, event)
    if head_signed_with(quote_id, head.length, head.last_hash, head.signature) is None:
        logger.error(
            "The chain head of quote %s does not carry a valid signature; run manage.py verify",
            quote_id,
        )
        signature = ""
    else:
        signature = head_signature(quote_id, length, last_hash)
    move: list[Any] = [length, last_hash, signature, quote_id, head.length, head.last_hash]
    with prepared_cursor() as cursor:
        if connection.vendor == "postgresql":
            _append_in_one_statement(cursor, quote_id, move, events, write)
        else:
            if write is not None:
                cursor.execute(*write)
            cursor.execute(MOVE_HEAD_SQL, move)
            if cursor.rowcount != 1:
                raise _head_moved(quote_id)
            EVENT_INSERT.save_many(events, key="sequence")
            rollups_add(events)  # the Engagement page's counts, in the same transaction
        if pending:
            marks = ", ".join(["%s"] * len(pending))
            cursor.execute(f"{DELETE_PENDING_SQL} ({marks})", [quote_id, *pending])
            if cursor.rowcount != len(pending):
                raise ChainForked(f"Pending opens of quote {quote_id} were chained twice.")


def _head_moved(quote_id: int) -> ChainForked:
    return ChainForked(f"The chain head of quote {quote_id} moved during an append.")


def _append_in_one_statement(
    cursor: CursorWrapper,
    quote_id: int,
    move: list[Any],
    events: list[QuoteEvent],
    write: Statement | None,
) -> None:
    """PostgreSQL: what SQLite runs as three to five statements (the caller's write, the
    head's compare-and-set, the events' insert, their rollups), in one, a round trip each
    saved on every append.
    The statement's parts all run, whatever the head's move found: a head that did not
    move fails the append (ChainForked), which rolls back the caller's transaction with
    everything the statement wrote; a head that moved on with other events fails it
    before that, on the events' unique sequence numbers (ChainForked too)."""
    insert, params = EVENT_INSERT.many(events, key="sequence")
    parts = [f"head AS ({MOVE_HEAD_SQL} RETURNING id)", f"inserted AS ({insert})"]
    params = [*move, *params]
    for number, (rollup, rollup_params) in enumerate(rollups_statements(events)):
        parts.append(f"rollup_{number} AS ({rollup})")
        params += rollup_params
    if write is not None:
        parts.append(f"written AS ({write[0]})")
        params += write[1]
    try:
        cursor.execute(
            f"WITH {', '.join(parts)} SELECT inserted.*, (SELECT count(*) FROM head) FROM inserted",  # noqa: S608
            params,
        )
    except IntegrityError as error:
        # The head moved on with events of its own: ours collide with them (their
        # sequence numbers) before the statement can say the head did not move.
        cause = getattr(error.__cause__, "diag", None)
        if getattr(cause, "constraint_name", None) == SEQUENCE_UNIQUE:
            raise _head_moved(quote_id) from error
        raise
    rows = cursor.fetchall()
    if not rows or rows[0][2] != 1:
        raise _head_moved(quote_id)
    EVENT_INSERT.saved(events, [row[:2] for row in rows], key="sequence")


# ---------------------------------------------------------------------------------------
# Opens recorded without the chain (PendingOpen), chained later

_PENDING = PendingOpen._meta.db_table
DELETE_PENDING_SQL = f"DELETE FROM {_PENDING} WHERE quote_id = %s AND id IN"  # noqa: S608
PENDING_QUOTES_SQL = f"SELECT DISTINCT quote_id FROM {_PENDING} WHERE company_id = %s"  # noqa: S608


def pending_opens_fold(quote_id: int) -> int:
    """Chains the quote's pending opens (see `PendingOpen`) and deletes them, in one
    transaction under the quote's row lock; returns how many. Safe to run at any time and
    from any number of processes at once: each pending open is chained exactly once (the
    lock serialises the folds; a second finds nothing left). With nothing pending it
    takes no lock (one read)."""
    if not pending_open_count(quote_id):
        return 0
    with transaction.atomic(savepoint=False):
        head = quote_lock_chain_head(quote_id)
        pending, opens = pending_open_events(quote_id)
        append_events(quote_id, head, opens, pending=pending)
    return len(opens)


def pending_opens_fold_for_company(company_id: int) -> int:
    """Chains every pending open of the company's quotes, one quote per transaction (one
    quote's lock at a time, as `quotery.quotes.locks` asks); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(PENDING_QUOTES_SQL, [company_id])
        quote_ids = [row[0] for row in cursor.fetchall()]
    return sum(pending_opens_fold(quote_id) for quote_id in quote_ids)


def pending_opens_fold_all() -> int:
    """Chains every pending open of every company, a company at a time; returns how many."""
    companies = list(PendingOpen.objects.values_list("company_id", flat=True).distinct())
    return sum(pending_opens_fold_for_company(company) for company in companies)


@dataclass(frozen=True)
class HeadReport:
    """How the quote's chain head compares with its events and with our keys."""

    problem: str = ""
    signed_with: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class ChainReport:
    quote_id: int
    checked: int
    first_bad_sequence: int | None = None
    problem: str = ""
    last_hash: str = GENESIS_HASH
    head: HeadReport | None = None

    @property
    def links_ok(self) -> bool:
        return self.first_bad_sequence is None

    @property
    def ok(self) -> bool:
        return self.links_ok and (self.head is None or self.head.ok)


def verify_events(quote_id: int, events: Iterable[QuoteEvent]) -> ChainReport:
    """Recomputes the chain in sequence order and names the first row that does not fit:
    an edited row (its hash no longer matches its fields), a deleted row (a gap in the
    sequence, or the next row's prev_hash points at a row that is gone), an inserted row
    (its prev_hash or hash cannot be produced without the server-side sequence). Rows
    deleted from the end leave a whole chain: only the head (`check_head`) shows them."""
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
    return ChainReport(quote_id, checked, last_hash=prev_hash)


def check_head(quote_id: int, chain: ChainReport, head: ChainHead) -> HeadReport:
    """Compares an intact chain's end with its head, and the head's signature with our keys
    (SECURITY.md 28). Over a chain broken earlier, only the signature is checked: where the
    chain ends means nothing then."""
    signed_with = head_signed_with(quote_id, head.length, head.last_hash, head.signature)
    if chain.links_ok:
        problem = _end_problem(chain.checked, chain.last_hash, head)
        if problem:
            return HeadReport(problem, signed_with)
    if signed_with is None:
        return HeadReport(
            "the head carries no signature: it was extended over a head whose signature did "
            "not match, or written by hand"
            if not head.signature
            else "the head's signature does not match: the head was written without the "
            "server's secret key",
        )
    return HeadReport("", signed_with)


def _end_problem(length: int, last_hash: str, head: ChainHead) -> str:
    if length < head.length:
        end = f"ends at event #{length}" if length else "has no events"
        return (
            f"the chain {end} but its head says {head.length} events: events were deleted "
            "from the end"
        )
    if length > head.length:
        return (
            f"the chain has {length} events but its head says {head.length}: events were "
            "added without moving the head"
        )
    if last_hash != head.last_hash:
        return (
            f"event #{length}'s hash is not the one its head records: the last event was "
            "replaced or the chain re-hashed"
        )
    return ""


def verify_quote_chain(quote_id: int) -> ChainReport:
    """The quote's whole chain recomputed, and its end and head compared."""
    head = quote_chain_head(quote_id)
    events = QuoteEvent.objects.filter(quote_id=quote_id).order_by("sequence").iterator(2000)
    report = verify_events(quote_id, events)
    return ChainReport(
        report.quote_id,
        report.checked,
        report.first_bad_sequence,
        report.problem,
        report.last_hash,
        check_head(quote_id, report, head),
    )


@dataclass(frozen=True)
class HeadReSigning:
    """What `head_re_sign` did: "re-signed", "unchanged" (nothing to do) or "refused"."""

    outcome: str
    detail: str


def head_re_sign(quote_id: int) -> HeadReSigning:
    """Signs the quote's head again with the current SECRET_KEY, only when its chain fully
    verifies and its head is signed with a key we still hold (one in SECRET_KEY_FALLBACKS):
    run before an old key is retired. A head no key of ours signed is refused: it needs a
    person to look at it. Holds the quote's row lock while it checks and signs."""
    with transaction.atomic():
        quote_lock(quote_id)
        report = verify_quote_chain(quote_id)
        assert report.head is not None
        if not report.links_ok:
            return HeadReSigning(
                "refused",
                f"not re-signed: event #{report.first_bad_sequence}: {report.problem}",
            )
        if not report.head.ok:
            return HeadReSigning("refused", f"not re-signed: {report.head.problem}")
        if report.head.signed_with == "none yet":
            return HeadReSigning("unchanged", "no events yet")
        if report.head.signed_with == "current":
            return HeadReSigning(
                "unchanged", f"already signed with the current key ({report.checked} events)"
            )
        head = quote_chain_head(quote_id)
        signature = head_signature(quote_id, head.length, head.last_hash)
        with connection.cursor() as cursor:
            cursor.execute(
                MOVE_HEAD_SQL,
                [head.length, head.last_hash, signature, quote_id, head.length, head.last_hash],
            )
    return HeadReSigning("re-signed", f"re-signed with the current key ({report.checked} events)")
