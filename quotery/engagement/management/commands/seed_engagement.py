"""manage.py seed_engagement [--events 1000000] [--company slug] [--days 90] [--seed 1]

Fills a company with realistic engagement, fast, so a manager (and the benchmark) sees a
full Engagement page: quotes shared over the last `--days` days by several reps, link-scanner
opens, views confirmed by the beacon, PDF downloads, re-shares to clients who never looked,
second recipients, client messages, and outcomes (accepted, changes requested then a new
revision, declined).

Speed over ceremony: quotes and shares are minimal rows written with bulk_create (no lines
or revisions; their pages still open), and events are bulk-inserted in batches with their
hash chain and each quote's signed chain head computed here in Python, exactly as
`append_event` would. An accepted quote gets its accepted revision, a signed acceptance and
the two acceptance emails (as sent), so `manage.py verify` passes on the result. The app
itself never writes events this way.

Without --company it uses (and creates once) the company "engagement-sample", whose manager
logs in as manager@engagement-sample.example / demo-manager-2026.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from quotery.accounts.models import Company, Membership, Plan, Role, User
from quotery.clients.models import Client
from quotery.core.canonical import canonical_json
from quotery.engagement.chain import head_signature, link_hash
from quotery.engagement.models import GENESIS_HASH, EventKind, QuoteEvent
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.quotes.models import Quote, QuoteRevision, QuoteState
from quotery.sharing.consent import CONSENT_VERSION, consent_text
from quotery.sharing.links import new_share_key
from quotery.sharing.models import Acceptance, PortalShare
from quotery.sharing.signatures import signature_hash

SAMPLE_SLUG = "engagement-sample"
SAMPLE_MANAGER = "manager@engagement-sample.example"
SAMPLE_PASSWORD = "demo-manager-2026"  # noqa: S105 (a demo login, printed like the others)
REP_NAMES = ["Rita Rep", "Sam Sales", "Lena Lorenz", "Omar Okafor", "Julia Jansen", "Tom Tran"]
CLIENT_NAMES = [
    "Hafenblick Architekten",
    "Globex Corporation",
    "Initech GmbH",
    "Umbrella Logistics",
    "Stark Office Parks",
    "Wayne Facilities",
    "Acme Coworking",
    "Nordlicht Kliniken",
    "Blue Harbour Hotels",
    "Kranich & Söhne",
    "Vela Software",
    "Tiefbau Meyer",
]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.0 Safari",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile",
]
SCANNER_AGENT = "Mozilla/5.0 (compatible; Microsoft Office Link Scanner)"
BATCH = 5000


@dataclass
class Planned:
    """One event before it has a sequence: `opened` links a view to its open."""

    kind: str
    at: dt.datetime
    recipient: int  # index into the quote's shares
    data: dict[str, Any] = field(default_factory=dict)
    revision: int = 1
    opened: Planned | None = None
    agent: str = ""
    sequence: int = 0


@dataclass
class PlannedQuote:
    owner: User
    client: Client
    shared_at: dt.datetime
    recipients: list[str]
    events: list[Planned]
    state: str
    revision: int


class _EventRow:
    """An event's fields without a model instance (building a million of those is slow).
    Its hash input is the model's own `canonical_fields`, so the chain is the real one."""

    canonical_fields = QuoteEvent.canonical_fields
    hash: str

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


class Command(BaseCommand):
    help = "Make realistic engagement data, fast (for the Engagement page and its benchmark)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=100_000, help="About how many.")
        parser.add_argument("--company", help="A company's slug (default: engagement-sample).")
        parser.add_argument("--days", type=int, default=90, help="Spread over this many days.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same data).")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted: int = options["events"]
        days: int = options["days"]
        if wanted < 1 or days < 1:
            raise CommandError("--events and --days must be at least 1.")
        rng = random.Random(options["seed"])  # noqa: S311 (sample data, not secrets)
        began = time.monotonic()
        company = self._company(options.get("company"))
        owners = self._owners(company)
        clients = self._clients(company)
        now = timezone.now()
        plans: list[PlannedQuote] = []
        total = 0
        while total < wanted:
            plan = _plan_quote(rng, now, days, owners, clients)
            if total + len(plan.events) > wanted:
                plan.events = plan.events[: wanted - total]
                if plan.events[-1].kind not in {
                    EventKind.QUOTE_ACCEPTED,
                    EventKind.QUOTE_DECLINED,
                    EventKind.CHANGES_REQUESTED,
                }:
                    plan.state = QuoteState.SENT  # the outcome was cut off
            plans.append(plan)
            total += len(plan.events)
        self.stdout.write(f"Planned {len(plans)} quotes with {total} events for {company.name}.")
        if connection.vendor == "sqlite":  # room for the indexes while inserting
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        quotes = self._write_quotes(company, plans, now)
        shares = self._write_shares(company, plans, quotes)
        self._write_events(company, plans, quotes, shares)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM sets the visibility map, so the page's counts are index-only scans
                # at once instead of after autovacuum's next round.
                if not connection.in_atomic_block:
                    cursor.execute("VACUUM (ANALYZE) engagement_quoteevent")
                cursor.execute("ANALYZE engagement_quoteevent")
                cursor.execute("ANALYZE quotes_quote")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {total} events on {len(plans)} quotes in "
                f"{time.monotonic() - began:.1f} s. Open /engagement/ as a manager of "
                f"{company.name}."
            )
        )

    def _company(self, slug: str | None) -> Company:
        if slug:
            company = Company.objects.filter(slug=slug).first()
            if company is None:
                raise CommandError(f"No company with the slug “{slug}”.")
            return company
        company, _ = Company.objects.get_or_create(
            slug=SAMPLE_SLUG,
            defaults={
                "name": "Engagement Sample Ltd",
                "plan": Plan.PRO,
                "time_zone": "Europe/Berlin",
                "default_currency": "EUR",
            },
        )
        if not User.objects.filter(email=SAMPLE_MANAGER).exists():
            manager = User.objects.create_user(
                SAMPLE_MANAGER, SAMPLE_PASSWORD, full_name="Mia Manager"
            )
            Membership.objects.create(user=manager, company=company, role=Role.MANAGER)
            self.stdout.write(f"Log in as {SAMPLE_MANAGER} / {SAMPLE_PASSWORD}")
        return company

    def _owners(self, company: Company) -> list[User]:
        """The company's reps, topped up with sample reps (who cannot log in) to four."""
        reps = list(
            User.objects.filter(membership__company=company, membership__role=Role.REP).order_by(
                "pk"
            )
        )
        for name in REP_NAMES[len(reps) : 4]:
            local = name.lower().replace(" ", ".")
            user = User.objects.create_user(
                f"{local}@{company.slug}.sample.invalid", None, full_name=name
            )
            Membership.objects.create(user=user, company=company, role=Role.REP)
            reps.append(user)
        return reps

    def _clients(self, company: Company) -> list[Client]:
        clients = list(Client.objects.filter(company=company).order_by("pk")[:12])
        missing = [name for name in CLIENT_NAMES if name not in {c.name for c in clients}]
        if len(clients) < 6:
            Client.objects.bulk_create(
                Client(company=company, name=name) for name in missing[: 12 - len(clients)]
            )
            clients = list(Client.objects.filter(company=company).order_by("pk")[:12])
        return clients

    def _write_quotes(
        self, company: Company, plans: list[PlannedQuote], now: dt.datetime
    ) -> list[Quote]:
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
        self, company: Company, plans: list[PlannedQuote], quotes: list[Quote]
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
        self,
        company: Company,
        plans: list[PlannedQuote],
        quotes: list[Quote],
        shares: list[list[PortalShare]],
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
                    acceptance = _acceptance(company, quote, share, planned, sequence, prev_hash)
                    data = {
                        "acceptance": acceptance.pk,
                        "signature_hash": acceptance.signature_hash,
                    }
                    emails.extend(_acceptance_emails(acceptance, plan.owner))
                planned.sequence = sequence
                staff_event = planned.kind == EventKind.QUOTE_SHARED
                event = _EventRow(
                    company_id=company.pk,
                    quote_id=quote.pk,
                    sequence=sequence,
                    kind=planned.kind,
                    occurred_at=planned.at,
                    share_id=share.pk,
                    actor_id=plan.owner.pk if staff_event else None,
                    recipient_email=share.recipient_email,
                    revision_number=planned.revision,
                    user_agent=planned.agent,
                    ip=None if staff_event else "203.0.113.0",
                    data=data,
                    confirmed_open=data.get("open"),
                    prev_hash=prev_hash,
                )
                event.hash = prev_hash = link_hash(prev_hash, cast(QuoteEvent, event))
                batch.append(tuple(getattr(event, column) for column in EVENT_COLUMNS))
                if len(batch) >= BATCH:
                    written += _insert_events(batch)
                    batch = []
                    if written % 100_000 < BATCH:
                        self.stdout.write(f"  {written} events written")
            quote.chain_length, quote.chain_hash = len(plan.events), prev_hash
            quote.chain_signature = head_signature(quote.pk, len(plan.events), prev_hash)
        _insert_events(batch)
        with transaction.atomic():
            Quote.objects.bulk_update(
                quotes, ["chain_length", "chain_hash", "chain_signature"], batch_size=2000
            )
            OutboxEmail.objects.bulk_create(emails, batch_size=2000)


def _acceptance(
    company: Company,
    quote: Quote,
    share: PortalShare,
    planned: Planned,
    sequence: int,
    prev_hash: str,
) -> Acceptance:
    """The accepted revision (a minimal content) and the client's signed acceptance of it,
    chained after `prev_hash` as `quote_accept` would chain it."""
    total = str(quote.total)
    content = canonical_json(
        {"number": quote.number, "currency": quote.currency, "totals": {"total": total}}
    )
    revision = QuoteRevision.objects.create(
        company=company,
        quote=quote,
        number=planned.revision,
        content=content.decode(),
        content_hash=hashlib.sha256(content).hexdigest(),
        total=quote.total,
        created_at=planned.at,
    )
    acceptance = Acceptance(
        company=company,
        quote=quote,
        share=share,
        link_key=share.key,
        revision=revision,
        revision_number=revision.number,
        content_hash=revision.content_hash,
        signer_name=share.recipient_name,
        signer_email=share.recipient_email,
        consent_text=consent_text(
            company_name=company.name, quote_number=quote.number, total=f"{total} {quote.currency}"
        ),
        consent_version=CONSENT_VERSION,
        accepted_at=planned.at,
        ip="203.0.113.0",
        user_agent=planned.agent,
        total=total,
        currency=quote.currency,
        prev_hash=prev_hash,
        event_sequence=sequence,
    )
    acceptance.signature_hash = signature_hash(prev_hash, acceptance)
    acceptance.save()
    return acceptance


def _acceptance_emails(acceptance: Acceptance, owner: User) -> list[OutboxEmail]:
    """The two acceptance emails as the outbox keeps them once sent."""
    context = {"acceptance": acceptance.pk, "signature_hash": acceptance.signature_hash}
    return [
        OutboxEmail(
            company_id=acceptance.company_id,
            kind=kind,
            dedupe_key=f"{kind}:{acceptance.pk}",
            to_email=to_email,
            to_name=to_name,
            context=context,
            status=EmailStatus.SENT,
            created_at=acceptance.accepted_at,
            sent_at=acceptance.accepted_at,
        )
        for kind, to_email, to_name in (
            ("acceptance_rep", owner.email, owner.full_name),
            ("acceptance_client", acceptance.signer_email, acceptance.signer_name),
        )
    ]


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


def _plan_quote(
    rng: random.Random, now: dt.datetime, days: int, owners: list[User], clients: list[Client]
) -> PlannedQuote:
    shared_at = (now - dt.timedelta(seconds=rng.uniform(0, days * 86400))).replace(microsecond=0)
    client = rng.choice(clients)
    domain = client.name.split()[0].lower().replace("&", "") + ".example"
    recipients = [f"{rng.choice(['anna', 'ben', 'chen', 'dana', 'eli'])}.buyer@{domain}"]
    events: list[Planned] = [Planned(EventKind.QUOTE_SHARED, shared_at, 0, {"resend": False})]

    def visits(start: dt.datetime, recipient: int, count: int, revision: int) -> dt.datetime:
        moment = start
        for _ in range(count):
            moment += dt.timedelta(hours=rng.expovariate(1 / 14))
            opened = Planned(EventKind.LINK_OPENED, moment, recipient, revision=revision)
            opened.agent = rng.choice(AGENTS)
            view = Planned(
                EventKind.QUOTE_VIEWED,
                moment + dt.timedelta(seconds=2),
                recipient,
                revision=revision,
                opened=opened,
                agent=opened.agent,
            )
            events.extend([opened, view])
        return moment

    if rng.random() < 0.4:  # a mail server's link scanner fetches the link at once
        scan = shared_at + dt.timedelta(seconds=rng.randint(2, 40))
        events.append(Planned(EventKind.LINK_OPENED, scan, 0, agent=SCANNER_AGENT))
    state = QuoteState.SENT
    if rng.random() < 0.15:  # nobody looks; half of them get a resend after a week
        if rng.random() < 0.5:
            again = shared_at + dt.timedelta(days=7, hours=rng.uniform(0, 48))
            events.append(Planned(EventKind.QUOTE_SHARED, again, 0, {"resend": True}))
            visits(again, 0, int(rng.expovariate(1 / 4)), 1)
    else:
        count = 1 + min(int(rng.expovariate(1 / 9)), 120)
        last = visits(shared_at, 0, count, 1)
        if rng.random() < 0.25:  # the buyer forwards it: a second recipient
            recipients.append(f"purchasing@{domain}")
            second = shared_at + dt.timedelta(hours=rng.uniform(1, 72))
            events.append(Planned(EventKind.QUOTE_SHARED, second, 1, {"resend": False}))
            last = max(last, visits(second, 1, 1 + int(rng.expovariate(1 / 3)), 1))
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            at = shared_at + (last - shared_at) * rng.random() + dt.timedelta(minutes=1)
            events.append(Planned(EventKind.PDF_DOWNLOADED, at, 0, {"accepted_copy": False}))
        if rng.random() < 0.1:
            at = last + dt.timedelta(minutes=5)
            events.append(Planned(EventKind.MESSAGE_POSTED, at, 0, {"author": "client"}))
        outcome = rng.random()
        decided = last + dt.timedelta(hours=rng.uniform(1, 48))
        if outcome < 0.15:
            events.append(Planned(EventKind.CHANGES_REQUESTED, decided, 0))
            state = QuoteState.CHANGES_REQUESTED
            if rng.random() < 0.6:  # edited and shared again: revision 2
                again = decided + dt.timedelta(hours=rng.uniform(2, 30))
                events.append(Planned(EventKind.QUOTE_SHARED, again, 0, {"resend": True}, 2))
                state = QuoteState.SENT
                after = visits(again, 0, 1 + int(rng.expovariate(1 / 3)), 2)
                if rng.random() < 0.5:
                    at = after + dt.timedelta(hours=2)
                    events.append(Planned(EventKind.QUOTE_ACCEPTED, at, 0, revision=2))
                    state = QuoteState.CLOSED
        elif outcome < 0.40:
            events.append(Planned(EventKind.QUOTE_ACCEPTED, decided, 0))
            state = QuoteState.CLOSED
        elif outcome < 0.48:
            events.append(Planned(EventKind.QUOTE_DECLINED, decided, 0, {"reason": "price"}))
            state = QuoteState.DECLINED
    events = sorted((e for e in events if e.at <= now), key=lambda e: e.at)
    if state != QuoteState.SENT and events[-1].kind not in {
        EventKind.QUOTE_ACCEPTED,
        EventKind.QUOTE_DECLINED,
        EventKind.CHANGES_REQUESTED,
    }:
        state = QuoteState.SENT  # the outcome lies in the future: cut off
    return PlannedQuote(
        owner=rng.choice(owners),
        client=client,
        shared_at=shared_at,
        recipients=recipients,
        events=events,
        state=state,
        revision=max(e.revision for e in events),
    )
