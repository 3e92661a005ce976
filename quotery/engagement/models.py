"""The append-only engagement log: one hash-chained row per thing that happened to a quote.

Rows are written only through `quotery.engagement.events`; nothing updates or deletes them.
Each row's hash covers the previous row's hash and the canonical JSON of its own fields
(SECURITY.md 16), so an edited, inserted or deleted row breaks the chain where it happened.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from quotery.core.models import CompanyOwned

GENESIS_HASH = "0" * 64


class EventKind(models.TextChoices):
    QUOTE_SHARED = "quote_shared", "Shared"
    LINK_REVOKED = "link_revoked", "Link revoked"
    # A fetch of the client page; it becomes a view only when the page's script confirms a
    # visible browser. Unconfirmed opens are link scanners and mail previews.
    LINK_OPENED = "link_opened", "Opened by a link scanner or preview"
    QUOTE_VIEWED = "quote_viewed", "Viewed"
    PDF_DOWNLOADED = "pdf_downloaded", "PDF downloaded"
    MESSAGE_POSTED = "message_posted", "Message"
    QUOTE_ACCEPTED = "quote_accepted", "Accepted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    QUOTE_DECLINED = "quote_declined", "Declined"
    PAYMENT_STATUS_CHANGED = "payment_status_changed", "Payment status changed"
    # A reminder email went to a recipient (no counted view yet, or validity running out).
    REMINDER_SENT = "reminder_sent", "Reminder sent"
    # The quote's valid-until day ended before the client answered.
    QUOTE_EXPIRED = "quote_expired", "Expired"
    # Seconds a counted view's page showed each part of the quote (its sections, the totals,
    # the notes) in a visible tab: one event per batch the page sent, holding only the
    # seconds added since the view's previous batch (quotery.portal.services.attention).
    SECTION_TIME = "attention", "Time on sections"
    # The client changed an option: added or removed an optional line, chose another line
    # of a choose-one section, or changed an adjustable quantity.
    OPTION_CHANGED = "option_changed", "Option changed"


class QuoteEvent(CompanyOwned):
    """Every page view writes one of these, so it carries no index it does not use: the
    company, quote and actor columns are covered by the composite indexes and constraints
    below (or, for the actor, never searched)."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    quote = models.ForeignKey(
        "quotes.Quote", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    share = models.ForeignKey(
        "sharing.PortalShare", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    recipient_email = models.EmailField(max_length=254, blank=True)
    revision_number = models.PositiveIntegerField(default=0)
    user_agent = models.CharField(max_length=400, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # For a view: the sequence of the open it confirms (the same as data["open"], which the
    # hash covers). Indexed and unique per quote, so the database itself allows one view per
    # open, and a beacon finds an earlier confirmation with one index lookup.
    confirmed_open = models.PositiveIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["quote_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "sequence"], name="event_sequence_unique"),
            models.UniqueConstraint(
                fields=["quote", "confirmed_open"], name="event_one_view_per_open"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "occurred_at"]),
            # Covers the Engagement page's grouped counts (kind, time, quote) so PostgreSQL
            # answers them from the index alone.
            models.Index(
                fields=["company", "kind", "occurred_at", "quote"], name="event_kind_time_quote"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}#{self.sequence} {self.kind}"

    def canonical_fields(self) -> dict[str, Any]:
        """What the hash covers. Ids, not names, so renaming a user changes no hash."""
        return {
            "quote": self.quote_id,
            "company": self.company_id,
            "sequence": self.sequence,
            "kind": self.kind,
            "occurred_at": self.occurred_at,
            "share": self.share_id,
            "actor": self.actor_id,
            "recipient_email": self.recipient_email,
            "revision_number": self.revision_number,
            "user_agent": self.user_agent,
            "ip": self.ip,
            "data": self.data,
        }


class PendingOpen(models.Model):
    """An open of the client page (a GET), recorded by one short insert and not yet chained.

    The page's GET writes this row instead of appending to the chain, so it takes neither
    the quote's row lock nor the chain head. The row becomes a LINK_OPENED event with the
    same facts (its payload naming this row's id) and is deleted in the same transaction
    when the open's view is counted (the beacon chains the quote's pending opens before the
    view) or when the quote's log is read (the timeline, the Engagement page, `manage.py
    fold_pending_opens`): `quotery.engagement.chain.pending_opens_fold`. Until then no hash
    covers it: see docs/evidence.md.

    No foreign key constraints in the database (Django still cascades and protects): on
    PostgreSQL checking one would lock the quote's row in KEY SHARE mode, so every page view
    would wait for whichever transaction holds the quote's row lock, a beacon's included,
    until it commits.
    """

    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    quote = models.ForeignKey(
        "quotes.Quote", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    share = models.ForeignKey(
        "sharing.PortalShare",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    occurred_at = models.DateTimeField()
    revision_number = models.PositiveIntegerField()
    user_agent = models.CharField(max_length=400, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.quote_id} open {self.pk} (not chained yet)"


class _QuoteKindRow(models.Model):
    """A rollup row of one quote and one event kind."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    quote = models.ForeignKey(
        "quotes.Quote", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)

    class Meta:
        abstract = True


class EventRollup(_QuoteKindRow):
    """How many events of one kind a quote had in one hour (UTC), and when the first of
    them happened: what the Engagement page counts, without reading a million events.

    Written only by `quotery.engagement.rollups`, in the transaction that appends the
    events (`quotery.engagement.chain.append_events`), by an upsert that adds to the count;
    so rollups and events always agree (`manage.py verify_rollups` checks it). `first_at`
    keeps the first moment exactly, for the delays the page shows (share to first view,
    share to decision)."""

    hour = models.DateTimeField()
    count = models.PositiveIntegerField()
    first_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "kind", "hour"], name="rollup_quote_kind_hour"
            ),
        ]
        indexes = [
            # The page's range counts and per-quote sums, answered from the index alone.
            models.Index(
                fields=["company", "kind", "hour", "quote", "count", "first_at"],
                name="rollup_company_kind_hour",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.kind} {self.hour:%Y-%m-%d %H}h: {self.count}"


class CompanyEventRollup(models.Model):
    """How many events of one kind the company's quotes had in one UTC hour: the
    `EventRollup`s of that hour added over the company's quotes, so the whole company's
    totals and views per day read a few thousand rows for any range. Kept with them
    (`quotery.engagement.rollups`)."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "hour"], name="company_rollup_kind_hour"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.kind} {self.hour:%Y-%m-%d %H}h: {self.count}"


# The kinds a quote's rollup row counts (`QuoteRollup`), each with the prefix of its columns:
# what the Engagement page's per-quote figures need.
QUOTE_ROLLUP_KINDS: dict[str, str] = {
    EventKind.QUOTE_SHARED: "shared",
    EventKind.QUOTE_VIEWED: "viewed",
    EventKind.PDF_DOWNLOADED: "downloaded",
    EventKind.QUOTE_ACCEPTED: "accepted",
    EventKind.QUOTE_DECLINED: "declined",
}


class QuoteRollup(models.Model):
    """All of a quote's shares, views, downloads, acceptances and declines in one row: per
    kind how many, the first and the last moment (none yet: 0 and no moments), and the
    first and last moment of any of them. The Engagement page reads a quote whose events of
    a kind all fall inside its range from this row alone, without grouping; only the kinds
    with events on both sides of a range end read their hourly `EventRollup`s. A quote with
    none of these events has no row. Kept with the events (`quotery.engagement.rollups`)."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    quote = models.ForeignKey(
        "quotes.Quote", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    shared_count = models.PositiveIntegerField(default=0)
    shared_first = models.DateTimeField(null=True, blank=True)
    shared_last = models.DateTimeField(null=True, blank=True)
    viewed_count = models.PositiveIntegerField(default=0)
    viewed_first = models.DateTimeField(null=True, blank=True)
    viewed_last = models.DateTimeField(null=True, blank=True)
    downloaded_count = models.PositiveIntegerField(default=0)
    downloaded_first = models.DateTimeField(null=True, blank=True)
    downloaded_last = models.DateTimeField(null=True, blank=True)
    accepted_count = models.PositiveIntegerField(default=0)
    accepted_first = models.DateTimeField(null=True, blank=True)
    accepted_last = models.DateTimeField(null=True, blank=True)
    declined_count = models.PositiveIntegerField(default=0)
    declined_first = models.DateTimeField(null=True, blank=True)
    declined_last = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quote"], name="quote_rollup_quote"),
        ]
        indexes = [
            # The page's range: quotes with an event after its start (and before its end).
            models.Index(fields=["company", "last_at", "first_at"], name="quote_rollup_range"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}: {self.first_at} - {self.last_at}"
