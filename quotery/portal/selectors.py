"""Reads of the portal: which share a link opens, a quote's shares and its thread.

The client page's reads (`share_for_token`, `portal_page`) are hand-written SQL through
`quotery.core.rawsql`: they run on every page view and beacon, where the ORM's compile
time would be most of the cost.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from quotery.accounts.models import Company
from quotery.billing.selectors import PaymentNotice, payment_notice_for
from quotery.clients.models import Client
from quotery.core.kept import KeptValues
from quotery.core.rawsql import Columns, fetch_instances, prepared_cursor
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.payloads import ChangesRequested, EventDataInvalid, payload_of
from quotery.portal.revision_changes import RevisionChanges, changes_since
from quotery.quotes.locks import quote_lock_clause
from quotery.quotes.models import Quote, QuoteRevision, QuoteState
from quotery.quotes.states import effective_state
from quotery.sharing.links import signature_matches, split_token
from quotery.sharing.models import Acceptance, ConversationMessage, PortalShare


def _all_columns(model: type[Any], alias: str) -> Columns:
    return Columns(model, [f.name for f in model._meta.concrete_fields], alias)


SHARE_COLUMNS = _all_columns(PortalShare, "s")
QUOTE_COLUMNS = _all_columns(Quote, "q")
COMPANY_COLUMNS = _all_columns(Company, "c")
# The client only for its language (the page's): its other columns stay deferred.
CLIENT_COLUMNS = Columns(Client, ["id", "language"], "cl")
SHARE_SQL = (
    f"SELECT {SHARE_COLUMNS.sql}, {QUOTE_COLUMNS.sql}, {COMPANY_COLUMNS.sql}, "  # noqa: S608
    f"{CLIENT_COLUMNS.sql} "
    f"FROM {PortalShare._meta.db_table} s "
    f"INNER JOIN {Quote._meta.db_table} q ON q.id = s.quote_id "
    f"INNER JOIN {Company._meta.db_table} c ON c.id = q.company_id "
    f"INNER JOIN {Client._meta.db_table} cl ON cl.id = q.client_id "
    "WHERE s.key = %s"
)


def share_for_token(token: str) -> PortalShare | None:
    """The live share a link opens, or None for unknown, malformed, forged and revoked links
    alike (SECURITY.md 3); the caller answers all of them with the same 404. One query,
    which also loads the share's quote, its company and its client's language."""
    parts = split_token(token)
    if parts is None:
        return None
    key, signature = parts
    rows = fetch_instances(
        SHARE_SQL, [key], SHARE_COLUMNS, QUOTE_COLUMNS, COMPANY_COLUMNS, CLIENT_COLUMNS
    )
    if not rows:
        return None
    share, quote, company, client = rows[0]
    Quote._meta.get_field("company").set_cached_value(quote, company)
    Quote._meta.get_field("client").set_cached_value(quote, client)
    PortalShare._meta.get_field("quote").set_cached_value(share, quote)
    PortalShare._meta.get_field("company").set_cached_value(share, company)
    if share.is_revoked:
        return None
    if not signature_matches(
        key=key, quote_id=share.quote_id, email=share.recipient_email, signature=signature
    ):
        return None
    return share


# A choice change, taking the quote's lock: the link still the live one, the choices it
# keeps, its quote and the quote's company, in one statement (the quote's chain head too).
# Only the columns a change reads (the others stay deferred): the statement runs on every
# tick of the page.
CHOICE_QUOTE_COLUMNS = Columns(
    Quote,
    [
        "id",
        "company",
        "created_at",
        "revision_number",
        "state",
        "valid_until",
        "chain_length",
        "chain_hash",
        "chain_signature",
    ],
    "q",
)
CHOICE_COMPANY_COLUMNS = Columns(Company, ["id", "time_zone", "ip_recording"], "c")
CHOICES_SQL = (
    f"SELECT s.choices, s.choices_content_hash, {CHOICE_QUOTE_COLUMNS.sql}, "  # noqa: S608
    f"{CHOICE_COMPANY_COLUMNS.sql} "
    f"FROM {PortalShare._meta.db_table} s "
    f"INNER JOIN {Quote._meta.db_table} q ON q.id = s.quote_id "
    f"INNER JOIN {Company._meta.db_table} c ON c.id = q.company_id "
    "WHERE s.id = %s AND s.key = %s AND s.revoked_at IS NULL AND s.company_id = q.company_id"
)


@dataclass(frozen=True)
class SavedChoices:
    """What a choice change decides on, read under the quote's lock: the choices the link
    keeps (and the content hash of the revision they were made on) and the quote, with its
    company loaded."""

    choices: str
    choices_content_hash: str
    quote: Quote


def share_choices_locked(share: PortalShare) -> SavedChoices | None:
    """Takes the quote's row lock and reads the share's saved choices and its quote
    (company loaded; the columns a change does not read are deferred), in one query; None
    when the link is no longer the live one (revoked, or revoked and issued again: a new
    key), and then nothing is locked. Call it inside the caller's transaction: what it
    reads stays as read until that transaction ends, and the quote's chain head is the one
    to append after. On PostgreSQL the lock comes with the read (`quote_lock_clause`: the
    quote's row, then the link's, so that its choices and liveness are read as committed
    before the lock); SQLite's one writer needs no lock."""
    with prepared_cursor() as cursor:
        cursor.execute(CHOICES_SQL + quote_lock_clause("q", "s"), [share.pk, share.key])
        row = cursor.fetchone()
    if row is None:
        return None
    quote_end = 2 + len(CHOICE_QUOTE_COLUMNS)
    quote = CHOICE_QUOTE_COLUMNS.instance(row[2:quote_end])
    Quote._meta.get_field("company").set_cached_value(
        quote, CHOICE_COMPANY_COLUMNS.instance(row[quote_end:])
    )
    return SavedChoices(choices=row[0], choices_content_hash=row[1], quote=quote)


def shares_for_quote(quote: Quote) -> QuerySet[PortalShare]:
    return PortalShare.objects.filter(quote=quote, company_id=quote.company_id).order_by(
        "created_at", "pk"
    )


def thread_for_quote(quote: Quote) -> QuerySet[ConversationMessage]:
    return ConversationMessage.objects.filter(quote=quote, company_id=quote.company_id).order_by(
        "created_at", "pk"
    )


def change_request_message_id(quote: Quote) -> int | None:
    """The id of the message of the client's latest change request, read from its chained
    event's typed payload; None when there is none or its event names no message (the rows
    `seed_engagement` writes). One query."""
    event = (
        QuoteEvent.objects.filter(
            quote_id=quote.pk, company_id=quote.company_id, kind=EventKind.CHANGES_REQUESTED
        )
        .order_by("-sequence")
        .first()
    )
    if event is None:
        return None
    try:
        payload = payload_of(event)
    except EventDataInvalid:
        return None
    return payload.message if isinstance(payload, ChangesRequested) else None


@dataclass(frozen=True)
class RevisionContent:
    number: int
    content_hash: str
    content: dict[str, Any]


# A revision never changes once written, so (quote, revision number) names its content for
# good: each process keeps the most recent ones instead of reading them on every page view.
# The quote's creation time is in the key too, so a database restored or rebuilt with the
# same ids (as tests do) never meets content cached for another quote.
_REVISIONS: KeptValues[tuple[int, dt.datetime, int], RevisionContent] = KeptValues(512)


def revision_content(quote: Quote) -> RevisionContent:
    """The content of the quote's latest revision (`quote.revision_number`): from this
    process's cache, or one query."""
    key = (quote.pk, quote.created_at, quote.revision_number)
    cached = _REVISIONS.get(key)
    if cached is not None:
        return cached
    row = (
        QuoteRevision.objects.filter(quote_id=quote.pk, number=quote.revision_number)
        .values_list("content_hash", "content")
        .first()
    )
    if row is None:  # a share always follows quote_mark_sent, which writes one
        raise QuoteRevision.DoesNotExist(
            f"Quote {quote.pk} has no revision {quote.revision_number}"
        )
    return _REVISIONS.put(key, RevisionContent(quote.revision_number, row[0], json.loads(row[1])))


MESSAGE_COLUMNS = Columns(
    ConversationMessage,
    ["id", "company", "quote", "author_kind", "author_name", "body", "created_at"],
    "m",
)
THREAD_SQL = (
    f"SELECT {MESSAGE_COLUMNS.sql} FROM {ConversationMessage._meta.db_table} m "  # noqa: S608
    "WHERE m.quote_id = %s ORDER BY m.created_at, m.id"
)


ACCEPTED_STATES = frozenset({QuoteState.ACCEPTED, QuoteState.READY_FOR_BILLING, QuoteState.CLOSED})


@dataclass(frozen=True)
class PortalPage:
    """What the client page shows: the latest revision's canonical content (exactly what
    the content hash covers), the thread, and the state to show (expired once the
    valid-until day has ended)."""

    share: PortalShare
    quote: Quote
    revision_number: int
    content_hash: str
    content: dict[str, Any]
    messages: list[ConversationMessage]
    state: str
    acceptance: Acceptance | None = None
    payment: PaymentNotice | None = None
    # What changed since the revision this recipient last viewed (None: nothing new to say).
    changes: RevisionChanges | None = None


def portal_page(share: PortalShare, *, now: dt.datetime | None = None) -> PortalPage:
    """One query whatever the quote's size (the thread), plus one for a revision this
    process has not seen yet; for an accepted quote one for the acceptance and one for the
    payment status; one for the older revision when the recipient last viewed an older one."""
    quote = share.quote
    zone = quote.company.zone
    now = now or timezone.now()
    revision = revision_content(quote)
    messages = [row[0] for row in fetch_instances(THREAD_SQL, [quote.pk], MESSAGE_COLUMNS)]
    state = effective_state(quote.state, quote.valid_until, zone, now)
    acceptance = None
    payment = None
    if state in ACCEPTED_STATES:
        acceptance = Acceptance.objects.filter(quote_id=quote.pk).first()
        if state != QuoteState.ACCEPTED:
            payment = payment_notice_for(quote)
    changes = changes_since(
        quote_id=quote.pk,
        from_revision=share.last_viewed_revision,
        to_revision=revision.number,
        to_content=revision.content,
    )
    return PortalPage(
        share=share,
        quote=quote,
        revision_number=revision.number,
        content_hash=revision.content_hash,
        content=revision.content,
        messages=messages,
        state=state,
        acceptance=acceptance,
        payment=payment,
        changes=changes,
    )
