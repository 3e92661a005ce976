from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from quotery.core.fields import ExactDecimalField
from quotery.core.models import CompanyOwned, Timestamped
from quotery.core.money import deposit_amount

ZERO = Decimal(0)
# The head of a chain with no events yet: no previous hash (quotery.engagement.models'
# GENESIS_HASH; repeated here because quotes sits below engagement).
EMPTY_CHAIN_HASH = "0" * 64
# Written only by quotery.engagement.chain, never by a quote's save().
CHAIN_HEAD_FIELDS = frozenset({"chain_length", "chain_hash", "chain_signature"})


class QuoteState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACCEPTED = "accepted", "Accepted"
    READY_FOR_BILLING = "ready_for_billing", "Ready for billing"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


class NumberSequence(CompanyOwned):
    """Per-company, per-year counters for human document numbers (Q-2026-0001)."""

    kind = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "year"], name="number_sequence_unique"
            )
        ]


def money_field(**kwargs: object) -> ExactDecimalField:
    return ExactDecimalField(max_digits=18, decimal_places=3, default=ZERO, **kwargs)  # type: ignore[arg-type]


class Quote(CompanyOwned, Timestamped):
    number = models.CharField(max_length=20)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="quotes")
    contact = models.ForeignKey(
        "clients.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_quotes"
    )
    title = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    issue_date = models.DateField()
    valid_until = models.DateField()
    notes = models.TextField("Notes for the client", max_length=5000, blank=True)
    internal_notes = models.TextField(max_length=5000, blank=True)
    state = models.CharField(
        max_length=20, choices=QuoteState.choices, default=QuoteState.DRAFT, db_index=True
    )
    # 0 until the quote is first shared; then the number of the latest revision.
    revision_number = models.PositiveIntegerField(default=0)
    first_shared_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    line_count = models.PositiveIntegerField(default=0)
    subtotal = money_field()
    discount_total = money_field()
    tax_total = money_field()
    total = money_field()
    # The share of the total the client pays on acceptance (0: no deposit). Part of what the
    # client sees, so of the revision's content and of the consent text they agree to.
    deposit_percent = ExactDecimalField(
        "Deposit %",
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )
    # The head of the quote's event chain (SECURITY.md 28): how many events it has, the last
    # one's hash, and an HMAC of both under the server secret. Moved by compare-and-set in
    # the transaction of every append (quotery.engagement.chain), so deleting events from
    # the end no longer leaves a chain that agrees with its head.
    chain_length = models.PositiveIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default=EMPTY_CHAIN_HASH)
    chain_signature = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="quote_number_unique")
        ]
        indexes = [
            models.Index(fields=["company", "state"]),
            models.Index(fields=["company", "owner"]),
            models.Index(fields=["company", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, **kwargs: Any) -> None:
        """Never writes the chain head: a full save of a quote read before an event was
        appended would put the old head back, and the next append would fork the chain."""
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname not in deferred
                and field.name not in CHAIN_HEAD_FIELDS
            ]
        super().save(**kwargs)

    @property
    def has_been_shared(self) -> bool:
        return self.revision_number > 0

    @property
    def deposit(self) -> Decimal | None:
        """What the deposit comes to on the stored total; None without a deposit."""
        if not self.deposit_percent:
            return None
        return deposit_amount(self.total, self.deposit_percent, self.currency)


class Section(CompanyOwned):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    # The client picks exactly one of the section's lines; the one whose
    # `included_by_default` is set starts chosen (quotery.quotes.options).
    choose_one = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.title


class Line(CompanyOwned):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sku = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=500)
    quantity = ExactDecimalField(max_digits=14, decimal_places=3)
    unit_price = ExactDecimalField(max_digits=14, decimal_places=4)
    discount_percent = ExactDecimalField(
        max_digits=6,
        decimal_places=3,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )
    tax_rate = ExactDecimalField(max_digits=6, decimal_places=3, default=ZERO)
    net_amount = money_field()
    # Options the client chooses (quotery.quotes.options). An optional line may be added or
    # removed by the client; `included_by_default` says whether it starts included, and in
    # a choose-one section marks the line chosen at first. With both bounds set, the client
    # may change the quantity between them; `quantity` is where it starts.
    optional = models.BooleanField(default=False)
    included_by_default = models.BooleanField(default=False)
    min_quantity = ExactDecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    max_quantity = ExactDecimalField(max_digits=14, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.description


class QuoteRevision(CompanyOwned):
    """What the client was shown: canonical JSON of the client-visible content and its SHA-256."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.TextField()
    content_hash = models.CharField(max_length=64)
    total = money_field()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.quote.number} r{self.number}"


class DeliveryNoteState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
    SHIPPED = "shipped", "Shipped"
    CANCELLED = "cancelled", "Cancelled"


# A note still being shipped: what it reserves is held for it.
OPEN_DELIVERY_STATES = (DeliveryNoteState.DRAFT, DeliveryNoteState.PARTIALLY_SHIPPED)


class DeliveryNote(CompanyOwned):
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="delivery_notes")
    number = models.CharField(max_length=20)
    state = models.CharField(
        max_length=20, choices=DeliveryNoteState.choices, default=DeliveryNoteState.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The first and the latest shipment (quotery.quotes.services.delivery_notes).
    first_shipped_at = models.DateTimeField(null=True, blank=True)
    last_shipped_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="delivery_number_unique"),
            # One acceptance, one delivery note (SECURITY.md 18); a cancelled one stays as
            # history and does not count.
            models.UniqueConstraint(
                fields=["quote"],
                condition=~models.Q(state="cancelled"),
                name="delivery_note_one_open_per_quote",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.state == DeliveryNoteState.DRAFT

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_DELIVERY_STATES

    @property
    def delivery_status(self) -> str:
        """What the quote says about its delivery: Not shipped, Partially shipped, Shipped."""
        if self.state == DeliveryNoteState.DRAFT:
            return "Not shipped"
        return self.get_state_display()


class DeliveryNoteLine(CompanyOwned):
    note = models.ForeignKey(DeliveryNote, on_delete=models.CASCADE, related_name="lines")
    # The accepted quote line this delivers (accepted quotes no longer change).
    quote_line = models.ForeignKey(
        Line, on_delete=models.SET_NULL, null=True, blank=True, related_name="delivery_lines"
    )
    position = models.PositiveIntegerField()
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sku = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=500)
    quantity = ExactDecimalField(max_digits=14, decimal_places=3)
    reserved_quantity = ExactDecimalField(max_digits=14, decimal_places=3, default=ZERO)
    backorder_quantity = ExactDecimalField(max_digits=14, decimal_places=3, default=ZERO)
    # What left with a shipment. Shipping moves a quantity from reserved to shipped, so
    # reserved + backordered + shipped = quantity on every line of a product that tracks
    # stock; a line that reserves nothing (a service, free text) ships up to its quantity.
    shipped_quantity = ExactDecimalField(max_digits=14, decimal_places=3, default=ZERO)

    class Meta:
        ordering = ["position"]

    @property
    def to_ship(self) -> Decimal:
        """What a shipment may still take from this line: its reservation, or for a line
        that reserves nothing, what is not shipped yet. Backordered units are never
        shippable: there was no stock for them."""
        return self.quantity - self.shipped_quantity - self.backorder_quantity


def end_of_validity(valid_until: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The instant a quote expires: the end of its valid-until day in the company's zone."""
    next_midnight = dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(), zone)
    return next_midnight.astimezone(dt.UTC)
