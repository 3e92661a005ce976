"""Reminders: the company's default schedule, a quote's own schedule, and each reminder slot
once it is taken (sent, or passed over because a later one was due too).

A slot names one reminder of one share: `s<send>:after:<days>` (no counted view `days`
after the share's `send`-th sending) or `v<valid-until>:before:<days>` (`days` before the
quote's validity ends). The (share, slot) pair is unique in the database, so a reminder
goes out once however many schedulers or workers race for it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from quotery.core.models import CompanyOwned

DEFAULT_AFTER_SHARE_DAYS = [3, 7]
DEFAULT_BEFORE_EXPIRY_DAYS = 3
DEFAULT_WORKING_DAYS = "12345"  # ISO weekdays: Monday to Friday
DEFAULT_WORK_STARTS = dt.time(9, 0)
DEFAULT_WORK_ENDS = dt.time(17, 0)


def default_after_share_days() -> list[int]:
    return list(DEFAULT_AFTER_SHARE_DAYS)


class ReminderPolicy(CompanyOwned):
    """The company's default schedule (Settings -> Reminders). A company without a row
    follows the defaults: 3 and 7 days after sharing, 3 days before expiry, weekdays
    09:00-17:00 in the company's time zone."""

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.CASCADE, related_name="reminder_policy"
    )
    enabled = models.BooleanField(default=True)
    after_share_days = models.JSONField(default=default_after_share_days)
    # 0: no reminder before expiry.
    before_expiry_days = models.PositiveSmallIntegerField(default=DEFAULT_BEFORE_EXPIRY_DAYS)
    working_days = models.CharField(max_length=7, default=DEFAULT_WORKING_DAYS)
    work_starts = models.TimeField(default=DEFAULT_WORK_STARTS)
    work_ends = models.TimeField(default=DEFAULT_WORK_ENDS)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reminders of company {self.company_id}"


class QuoteReminderMode(models.TextChoices):
    COMPANY = "company", "Follow the company schedule"
    CUSTOM = "custom", "Use a schedule for this quote"
    OFF = "off", "Send no reminders for this quote"


class QuoteReminderSchedule(CompanyOwned):
    """A quote's own schedule, set by the rep on the quote's page. No row: the company's."""

    quote = models.OneToOneField(
        "quotes.Quote", on_delete=models.CASCADE, related_name="reminder_schedule"
    )
    mode = models.CharField(
        max_length=10, choices=QuoteReminderMode.choices, default=QuoteReminderMode.COMPANY
    )
    after_share_days = models.JSONField(default=list)
    before_expiry_days = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Reminders of quote {self.quote_id}: {self.mode}"


class ReminderReason(models.TextChoices):
    NO_VIEW = "no_view", "Not viewed yet"
    BEFORE_EXPIRY = "before_expiry", "Validity running out"


class ReminderOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    # A later slot was due at the same time (the scheduler was down, or the schedule
    # changed): one reminder went out for both.
    PASSED_OVER = "passed_over", "Passed over"


class ReminderSlot(CompanyOwned):
    quote = models.ForeignKey("quotes.Quote", on_delete=models.CASCADE, related_name="+")
    share = models.ForeignKey(
        "sharing.PortalShare", on_delete=models.CASCADE, related_name="reminder_slots"
    )
    slot = models.CharField(max_length=40)
    reason = models.CharField(max_length=20, choices=ReminderReason.choices)
    days = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=ReminderOutcome.choices)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["share", "slot"], name="reminder_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.share_id} {self.slot} ({self.outcome})"
