"""Bulk-writes the planned sample: quotes, shares, chained events, acceptances and emails.

Speed over ceremony: quotes and shares are minimal rows written with bulk_create (no lines
or revisions; their pages still open), and events are bulk-inserted in batches with their
hash chain and each quote's signed chain head computed here in Python, exactly as
`append_event` would. The app itself never writes events this way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django.db import connection, transaction

from quotery.accounts.models import Company, User
from quotery.demo.engagement_sample.acceptances import (
    sample_acceptance_create,
    sample_acceptance_emails,
)
from quotery.demo.engagement_sample.planning import Planned, PlannedQuote
from quotery.engagement.chain import head_signature, link_hash
from quotery.engagement.models import GENESIS_HASH, EventKind, QuoteEvent
from quotery.engagement.rollups import rollups_rebuild
from quotery.notifications.models import OutboxEmail
from quotery.quotes.models import Quote
from quotery.sharing.links import new_share_key
from quotery.sharing.models import PortalShare

BATCH = 5000
# The columns bulk-inserted, in order; values as the model holds them (ids, not objects).
EVENT_COLUMNS = (
    "company_id",
    "quote_id",
    "sequence",
    "kind",
    "occurred_at",
    "share_id",
    "actor_id",
    "recipient_email",
    "revision_number",
    "user_agent",
    "ip",
    "data",
    "confirmed_open",
    "prev_hash",
    "hash",
)


class _EventRow:
    """An event's fields without a model instance (building a million of those is slow).
    Its hash input is the model's own `canonical_fields`, so the chain is the real one."""

    canonical_fields = QuoteEvent.canonical_fields
    hash: str

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def sample_write(
    company: Company, plans: list[PlannedQuote], now: dt.datetime, progress: Callable[[str], None]
) -> None:
    """Writes the planned quotes with their shares and events, then refreshes the planner's
    statistics so the Engagement page's queries are planned for the new size at once.
    `progress` is told every 100,000 events or so."""
    if connection.vendor == "sqlite":  # room for the indexes while inserting
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    quotes = _write_quotes(company, plans, now)
    shares = _write_shares(company, plans, quotes)
    _write_events(company, plans, quotes, shares, progress)
    rollups_rebuild(company_id=company.pk)  # the events were inserted around append_events
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM sets the visibility map, so the page's counts are index-only scans
            # at once instead of after autovacuum's next round.
            if not connection.in_atomic_block:
                cursor.execute("VACUUM (ANALYZE) engagement_quoteevent")
                cursor.execute("VACUUM (ANALYZE) engagement_eventrollup")
                cursor.execute("VACUUM (ANALYZE) engagement_quoterollup")
            cursor.execute("ANALYZE engagement_quoteevent")
            cursor.execute("ANALYZE engagement_eventrollup")
            cursor.execute("ANALYZE engagement_quoterollup")
            cursor.execute("ANALYZE quotes_quote")
        else:
            cursor.execute("ANALYZE")


def _write_quotes(company: Company, plans: list[PlannedQuote], now: dt.datetime) -> list[Quote]:
    run = _base36(int(now.timestamp()))
    rows = [
        Quote(
            company=company,
            number=f"E{run}-{i + 1:06d}",
            client=plan.client,
            owner=plan.owner,
            title=f"Fit-out {plan.client.name.split()[0]} #{i + 1}",
            currency=company.default_currency,
            issue_date=plan.shared_at.date(),
            valid_until=plan.shared_at.date() + dt.timedelta(days=30),
            state=plan.state,
            revision_number=plan.revision,
            first_shared_at=plan.shared_at,
            state_changed_at=plan.events[-1].at if plan.events else plan.shared_at,
            total=Decimal(1000 + (i * 37) % 40000),
            subtotal=Decimal(1000 + (i * 37) % 40000),
        )
        for i, plan in enumerate(plans)
    ]
    with transaction.atomic():
        return Quote.objects.bulk_create(rows, batch_size=2000)


def _write_shares(
    company: Company, plans: list[PlannedQuote], quotes: list[Quote]
) -> list[list[PortalShare]]:
    rows: list[list[PortalShare]] = [
        [
            PortalShare(
                company=company,
                quote=quote,
                recipient_name=email.split("@")[0].replace(".", " ").title(),
                recipient_email=email,
                key=new_share_key(),
                created_by=plan.owner,
                created_at=plan.shared_at,
                last_sent_at=plan.shared_at,
                send_count=1,
                last_viewed_revision=max(
                    (e.revision for e in plan.events if e.kind == EventKind.QUOTE_VIEWED),
                    default=0,
                ),
            )
            for email in plan.recipients
        ]
        for plan, quote in zip(plans, quotes, strict=True)
    ]
    with transaction.atomic():
        PortalShare.objects.bulk_create(
            [share for shares in rows for share in shares], batch_size=2000
        )
    return rows


def _write_events(
    company: Company,
    plans: list[PlannedQuote],
    quotes: list[Quote],
    shares: list[list[PortalShare]],
    progress: Callable[[str], None],
) -> None:
    batch: list[tuple[Any, ...]] = []
    written = 0
    emails: list[OutboxEmail] = []
    for plan, quote, quote_shares in zip(plans, quotes, shares, strict=True):
        prev_hash = GENESIS_HASH
        for sequence, planned in enumerate(plan.events, start=1):
            share = quote_shares[planned.recipient]
            data = dict(planned.data)
            if planned.opened is not None:
                data["open"] = planned.opened.sequence
            if planned.kind == EventKind.QUOTE_ACCEPTED:
                acceptance = sample_acceptance_create(
                    company, quote, share, planned, sequence, prev_hash
                )
                data = {"acceptance": acceptance.pk, "signature_hash": acceptance.signature_hash}
                emails.extend(sample_acceptance_emails(acceptance, plan.owner))
            planned.sequence = sequence
            event = _event_row(quote, share, plan.owner, planned, data, prev_hash)
            prev_hash = event.hash
            batch.append(tuple(getattr(event, column) for column in EVENT_COLUMNS))
            if len(batch) >= BATCH:
                written += _insert_events(batch)
                batch = []
                if written % 100_000 < BATCH:
                    progress(f"  {written} events written")
        quote.chain_length, quote.chain_hash = len(plan.events), prev_hash
        quote.chain_signature = head_signature(quote.pk, len(plan.events), prev_hash)
    _insert_events(batch)
    with transaction.atomic():
        Quote.objects.bulk_update(
            quotes, ["chain_length", "chain_hash", "chain_signature"], batch_size=2000
        )
        OutboxEmail.objects.bulk_create(emails, batch_size=2000)


def _event_row(
    quote: Quote,
    share: PortalShare,
    owner: User,
    planned: Planned,
    data: dict[str, Any],
    prev_hash: str,
) -> _EventRow:
    """The event as `append_event` would store it, chained after `prev_hash`."""
    staff_event = planned.kind == EventKind.QUOTE_SHARED
    event = _EventRow(
        company_id=quote.company_id,
        quote_id=quote.pk,
        sequence=planned.sequence,
        kind=planned.kind,
        occurred_at=planned.at,
        share_id=share.pk,
        actor_id=owner.pk if staff_event else None,
        recipient_email=share.recipient_email,
        revision_number=planned.revision,
        user_agent=planned.agent,
        ip=None if staff_event else "203.0.113.0",
        data=data,
        confirmed_open=data.get("open"),
        prev_hash=prev_hash,
    )
    event.hash = link_hash(prev_hash, cast(QuoteEvent, event))
    return event


def _insert_events(rows: list[tuple[Any, ...]]) -> int:
    """Inserts rows (EVENT_COLUMNS order) in one transaction: COPY on PostgreSQL, one
    prepared INSERT executed many times on SQLite. Django's bulk_create spends most of its
    time preparing each value, which would triple the seeding time of a million events."""
    if not rows:
        return 0
    table = QuoteEvent._meta.db_table
    data_at = EVENT_COLUMNS.index("data")
    when_at = EVENT_COLUMNS.index("occurred_at")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(EVENT_COLUMNS)
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    values = list(row)
                    values[data_at] = json.dumps(values[data_at])
                    copy.write_row(values)
        else:
            placeholders = ", ".join(["%s"] * len(EVENT_COLUMNS))
            adapt = connection.ops.adapt_datetimefield_value
            prepared = []
            for row in rows:
                values = list(row)
                values[data_at] = json.dumps(values[data_at])
                values[when_at] = adapt(values[when_at])
                prepared.append(values)
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(EVENT_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                prepared,
            )
    return len(rows)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"
