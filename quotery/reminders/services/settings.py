"""Writing the reminder schedules: the company's default (admins, Settings -> Reminders)
and a quote's own (its editors, on the quote's page). Bad input raises ValidationFailed
with every problem at once, keyed by field, and writes nothing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from quotery.accounts.models import Company, User
from quotery.core.exceptions import ValidationFailed
from quotery.quotes.models import Quote
from quotery.reminders.models import QuoteReminderMode, QuoteReminderSchedule, ReminderPolicy

MAX_AFTER_SHARE_DAYS = 90
MAX_STEPS = 5
MAX_BEFORE_EXPIRY_DAYS = 60
_DAY_LIST = re.compile(r"\A\s*\d{1,3}(\s*[,;\s]\s*\d{1,3})*\s*\Z")

FieldErrors = dict[str, list[str]]


def days_list_parse(text: str, errors: FieldErrors, field: str) -> list[int]:
    """'3, 7' -> [3, 7]: whole days after sharing, each from 1 to 90, at most five, in
    order; "" -> none. A problem goes into `errors[field]` in words a rep understands."""
    if not text.strip():
        return []
    if not _DAY_LIST.match(text):
        errors[field] = ["Write whole numbers of days separated by commas, like 3, 7."]
        return []
    days = sorted({int(part) for part in re.split(r"[,;\s]+", text.strip())})
    if any(day < 1 or day > MAX_AFTER_SHARE_DAYS for day in days):
        errors[field] = [f"Each number of days must be between 1 and {MAX_AFTER_SHARE_DAYS}."]
    elif len(days) > MAX_STEPS:
        errors[field] = [f"At most {MAX_STEPS} reminders after sharing."]
    return days


def days_before_parse(text: str, errors: FieldErrors, field: str) -> int:
    """'3' -> 3; "" or '0' -> 0 (no reminder before expiry)."""
    text = text.strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > MAX_BEFORE_EXPIRY_DAYS:
        errors[field] = [f"Write a whole number of days from 0 (none) to {MAX_BEFORE_EXPIRY_DAYS}."]
        return 0
    return int(text)


@dataclass(frozen=True)
class PolicyInput:
    enabled: bool
    after_share_days: str
    before_expiry_days: str
    working_days: list[str]  # ISO weekday numbers as text, "1" to "7"
    work_starts: dt.time | None  # None: missing or not a time
    work_ends: dt.time | None


def reminder_policy_update(*, company: Company, data: PolicyInput) -> ReminderPolicy:
    """Saves the company's default schedule. All or nothing."""
    errors: FieldErrors = {}
    after = days_list_parse(data.after_share_days, errors, "after_share_days")
    before = days_before_parse(data.before_expiry_days, errors, "before_expiry_days")
    days = sorted(set(data.working_days))
    if not days:
        errors["working_days"] = ["Pick at least one working day."]
    elif any(day not in {"1", "2", "3", "4", "5", "6", "7"} for day in days):
        errors["working_days"] = ["Pick days from the list."]
    if data.work_starts is None:
        errors["work_starts"] = ["Enter the time the working day starts, like 09:00."]
    if data.work_ends is None:
        errors["work_ends"] = ["Enter the time the working day ends, like 17:00."]
    elif data.work_starts is not None and data.work_ends <= data.work_starts:
        errors["work_ends"] = ["The working day must end after it starts."]
    if errors:
        raise ValidationFailed("Nothing was saved: some settings need a look.", field_errors=errors)
    assert data.work_starts is not None and data.work_ends is not None
    with transaction.atomic():
        policy, _ = ReminderPolicy.objects.select_for_update().get_or_create(company=company)
        policy.enabled = data.enabled
        policy.after_share_days = after
        policy.before_expiry_days = before
        policy.working_days = "".join(days)
        policy.work_starts = data.work_starts
        policy.work_ends = data.work_ends
        policy.updated_at = timezone.now()
        policy.save()
    return policy


def quote_reminders_set(
    *, quote: Quote, user: User, mode: str, after_share_days: str, before_expiry_days: str
) -> QuoteReminderSchedule:
    """Sets the quote's own schedule: the company's, its own days, or none. The caller has
    checked that `user` may edit `quote`. All or nothing."""
    errors: FieldErrors = {}
    if mode not in QuoteReminderMode.values:
        errors["mode"] = ["Pick one of the choices."]
    after, before = [], 0
    if mode == QuoteReminderMode.CUSTOM:
        after = days_list_parse(after_share_days, errors, "after_share_days")
        before = days_before_parse(before_expiry_days, errors, "before_expiry_days")
        if not errors and not after and not before:
            errors["after_share_days"] = [
                "Give at least one reminder, or choose to send no reminders."
            ]
    if errors:
        raise ValidationFailed(
            "The reminders were not changed. Check the fields below.", field_errors=errors
        )
    with transaction.atomic():
        schedule, _ = QuoteReminderSchedule.objects.select_for_update().get_or_create(
            quote=quote, defaults={"company_id": quote.company_id}
        )
        schedule.mode = mode
        schedule.after_share_days = after
        schedule.before_expiry_days = before
        schedule.updated_at = timezone.now()
        schedule.updated_by = user
        schedule.save()
    return schedule
