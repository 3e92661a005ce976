"""One quote's engagement: its timeline and summary (the quote page's Engagement section).

What counts as a view (SECURITY.md 10): a QUOTE_VIEWED event, written when the page's script
confirmed a visible browser for one LINK_OPENED event (its payload's `open` names the
open's sequence). An open that no view confirms is "opened by a link scanner or preview": listed
apart, never counted as a view or a buying signal.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min

from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.payloads import (
    EventDataInvalid,
    EventPayload,
    LinkRevoked,
    MessagePosted,
    OptionChanged,
    PaymentStatusChanged,
    QuoteShared,
    QuoteViewed,
    ReminderSent,
    payload_of,
)
from quotery.quotes.models import Quote
from quotery.sharing.models import PortalShare

# The quote page lists the latest events only, so it costs the same whatever the log's size.
TIMELINE_LIMIT = 50
# "Several views plus a PDF download is a strong buying signal" (DESIGN.md journey 8).
STRONG_SIGNAL_MIN_VIEWS = 2
STRONG_SIGNAL_MIN_DOWNLOADS = 1
# "No view a week after sharing: the client may not have seen it."
UNSEEN_AFTER = dt.timedelta(days=7)

logger = logging.getLogger("quotery.engagement")


@dataclass(frozen=True)
class TimelineEntry:
    event: QuoteEvent
    label: str
    # Who: the recipient's email for client events, the staff member's name for theirs.
    who: str
    revision_number: int
    # What exactly, when the label alone does not say ("added Extended warranty").
    detail: str = ""

    @property
    def kind(self) -> str:
        return self.event.kind

    @property
    def occurred_at(self) -> dt.datetime:
        return self.event.occurred_at


# The client's repeated reading: folded into one timeline item per link, kind and revision
# while nothing else happens in between.
FOLDED_KINDS = frozenset(
    {EventKind.QUOTE_VIEWED, EventKind.PDF_DOWNLOADED, EventKind.OPTION_CHANGED}
)
# Listed in the Engagement section's time per part (quotery.engagement.selectors.attention),
# never one by one: a counted view sends a batch every half minute.
UNLISTED_KINDS = (EventKind.SECTION_TIME,)


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline: a single event, or a run of the same link's views (or
    downloads) of one revision with nothing else in between, oldest first."""

    entries: list[TimelineEntry]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def last(self) -> TimelineEntry:
        return self.entries[-1]

    @property
    def kind(self) -> str:
        return self.last.kind

    @property
    def label(self) -> str:
        return self.last.label

    @property
    def who(self) -> str:
        return self.last.who

    @property
    def revision_number(self) -> int:
        return self.last.revision_number

    @property
    def occurred_at(self) -> dt.datetime:
        return self.last.occurred_at


def fold_repeats(entries: list[TimelineEntry]) -> list[TimelineItem]:
    """The entries as timeline items, in order. Between two other events (a share, a
    message, an answer), the views of one link and revision become one item, and so do its
    downloads; each item stands where its last event happened."""
    items: list[TimelineItem] = []
    run: dict[tuple[str, str, int], list[TimelineEntry]] = {}

    def close_run() -> None:
        for group in sorted(run.values(), key=lambda group: group[-1].event.sequence):
            items.append(TimelineItem(entries=group))
        run.clear()

    for entry in entries:
        if entry.kind in FOLDED_KINDS:
            key = (entry.kind, entry.event.recipient_email, entry.revision_number)
            run.setdefault(key, []).append(entry)
            continue
        close_run()
        items.append(TimelineItem(entries=[entry]))
    close_run()
    return items


@dataclass(frozen=True)
class Timeline:
    """The latest events of a quote in order, and unconfirmed opens apart."""

    entries: list[TimelineEntry]
    scanner_opens: list[TimelineEntry]
    # Events older than the listed ones (the sequence is gapless, so no count query).
    earlier: int

    @property
    def items(self) -> list[TimelineItem]:
        """The entries with repeated views and downloads folded (`fold_repeats`)."""
        return fold_repeats(self.entries)


def kind_label(kind: str) -> str:
    """The display name of an event kind; kinds added later read sensibly without code."""
    if kind in EventKind.values:
        return str(EventKind(kind).label)
    return kind.replace("_", " ").capitalize()


def _staff_name(event: QuoteEvent) -> str:
    actor = event.actor if event.actor_id is not None else None
    return (actor.full_name or actor.email) if actor is not None else ""


def _readable_payload(event: QuoteEvent) -> EventPayload | None:
    """The event's payload, or None for a kind this version does not know or data that is
    not its kind's: the timeline still lists such an event, by its kind's name."""
    try:
        return payload_of(event)
    except EventDataInvalid as error:
        if event.kind in EventKind.values:  # a newer version's kind is no defect
            logger.warning("%s", error.message)
        return None


def _entry(event: QuoteEvent, payload: EventPayload | None) -> TimelineEntry:
    email = event.recipient_email
    detail = ""
    match payload:
        case QuoteShared(resend=resend):
            label, who = ("Re-shared" if resend else "Shared"), email
        case MessagePosted(from_client=True):
            label, who = "Message from the client", email
        case MessagePosted():
            label, who = "Message to the client", _staff_name(event)
        case LinkRevoked():
            label, who = "Link revoked", email
        case ReminderSent():
            label, who = payload.description, email
        case OptionChanged():
            label, who, detail = kind_label(event.kind), email, payload.description
        case PaymentStatusChanged(status=status) if status:
            label = f"{kind_label(event.kind)}: {payload.status_words}"
            who = email or _staff_name(event)
        case _:
            # Views, downloads, opens and the outcome kinds (accepted, declined, changes
            # requested): the kind's own label and whoever it concerns.
            label, who = kind_label(event.kind), email or _staff_name(event)
    return TimelineEntry(
        event=event,
        label=label,
        who=who,
        revision_number=event.revision_number,
        detail=detail,
    )


def timeline_for_quote(quote: Quote, *, limit: int = TIMELINE_LIMIT) -> Timeline:
    """The latest `limit` events of the quote, oldest first, with display labels. One query.

    Opens that a view confirms are not listed (the view stands for them); opens that none
    confirms are returned apart as scanner opens. A view always follows its open, so every
    confirmation of a listed open is itself among the listed events. Time on sections is
    not listed (`UNLISTED_KINDS`); `earlier` counts such events too.
    """
    latest = list(
        QuoteEvent.objects.filter(quote_id=quote.pk, company_id=quote.company_id)
        .exclude(kind__in=UNLISTED_KINDS)
        .select_related("actor")
        .order_by("-sequence")[:limit]
    )
    latest.reverse()
    read = [(event, _readable_payload(event)) for event in latest]
    confirmed = {payload.open for _, payload in read if isinstance(payload, QuoteViewed)}
    entries: list[TimelineEntry] = []
    scanner_opens: list[TimelineEntry] = []
    for event, payload in read:
        if event.kind == EventKind.LINK_OPENED:
            if event.sequence not in confirmed:
                scanner_opens.append(_entry(event, payload))
            continue
        entries.append(_entry(event, payload))
    earlier = latest[0].sequence - 1 if latest else 0
    return Timeline(entries=entries, scanner_opens=scanner_opens, earlier=earlier)


@dataclass(frozen=True)
class RevisionViews:
    revision_number: int
    views: int


@dataclass(frozen=True)
class EngagementSummary:
    views: int
    unique_viewers: int
    pdf_downloads: int
    scanner_opens: int
    first_view: dt.datetime | None
    last_view: dt.datetime | None
    views_per_revision: list[RevisionViews]
    strong_signal: bool
    may_not_have_seen: bool
    # With may_not_have_seen: the live shares a rep can send again in one click.
    resend_shares: list[PortalShare] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_events(self) -> bool:
        return bool(self.counts)


def is_strong_signal(*, views: int, pdf_downloads: int) -> bool:
    return views >= STRONG_SIGNAL_MIN_VIEWS and pdf_downloads >= STRONG_SIGNAL_MIN_DOWNLOADS


def _live_shares(quote: Quote) -> list[PortalShare]:
    return list(
        PortalShare.objects.filter(
            quote_id=quote.pk, company_id=quote.company_id, revoked_at__isnull=True
        ).order_by("created_at", "pk")
    )


def engagement_summary(quote: Quote, now: dt.datetime) -> EngagementSummary:
    """Counts over the quote's whole log and the two signals. One grouped query whatever the
    number of events, and one more for the shares when it offers a resend.

    Views are QUOTE_VIEWED events; each confirms exactly one open (the portal counts at most
    one view per open), so the unconfirmed opens are the opens minus the views.
    """
    rows = (
        QuoteEvent.objects.filter(quote_id=quote.pk, company_id=quote.company_id)
        .values("kind", "revision_number", "recipient_email")
        .annotate(n=Count("pk"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by()
    )
    counts: Counter[str] = Counter()
    per_revision: Counter[int] = Counter()
    viewers: set[str] = set()
    first_view: dt.datetime | None = None
    last_view: dt.datetime | None = None
    for row in rows:
        counts[row["kind"]] += row["n"]
        if row["kind"] != EventKind.QUOTE_VIEWED:
            continue
        per_revision[row["revision_number"]] += row["n"]
        viewers.add(row["recipient_email"])
        first_view = row["first"] if first_view is None else min(first_view, row["first"])
        last_view = row["last"] if last_view is None else max(last_view, row["last"])
    views = counts[EventKind.QUOTE_VIEWED]
    downloads = counts[EventKind.PDF_DOWNLOADED]
    shared_at = quote.first_shared_at
    unseen = (
        views == 0
        and counts[EventKind.QUOTE_SHARED] > 0
        and shared_at is not None
        and now - shared_at >= UNSEEN_AFTER
    )
    return EngagementSummary(
        views=views,
        unique_viewers=len(viewers),
        pdf_downloads=downloads,
        scanner_opens=max(counts[EventKind.LINK_OPENED] - views, 0),
        first_view=first_view,
        last_view=last_view,
        views_per_revision=[
            RevisionViews(number, per_revision[number]) for number in sorted(per_revision)
        ],
        strong_signal=is_strong_signal(views=views, pdf_downloads=downloads),
        may_not_have_seen=unseen,
        resend_shares=_live_shares(quote) if unseen else [],
        counts=dict(counts),
    )
