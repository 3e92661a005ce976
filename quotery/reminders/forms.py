"""HTTP input for reminders and Extend validity. The rules and their messages live in the
services; these forms only parse, so a message is the same from the page or a test."""

from __future__ import annotations

import datetime as dt

from django import forms

from quotery.core.forms import PassedOnTextField
from quotery.reminders.models import QuoteReminderMode, QuoteReminderSchedule, ReminderPolicy
from quotery.reminders.schedule import WEEKDAY_NAMES
from quotery.reminders.services.settings import PolicyInput

WEEKDAY_CHOICES = [(str(number), name) for number, name in enumerate(WEEKDAY_NAMES, start=1)]


def days_text(days: list[int]) -> str:
    return ", ".join(str(day) for day in days)


def _time(text: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


class PassedOnChoices(forms.MultipleChoiceField):
    """Checkboxes whose values a service judges (and words the error for)."""

    def valid_value(self, value: str) -> bool:
        return True


class ReminderPolicyForm(forms.Form):
    enabled = forms.BooleanField(
        required=False,
        label="Send reminders to clients",
        help_text="Quotes follow this schedule unless the rep changes it on the quote's page.",
    )
    after_share_days = PassedOnTextField(
        label="Remind when not viewed, days after sharing",
        help_text="Whole days separated by commas, like 3, 7. Only a view the client's "
        "browser confirmed counts: link scanners and your own previews do not. Empty: none.",
    )
    before_expiry_days = PassedOnTextField(
        label="Remind before expiry, days before",
        help_text="One number of days, like 3; 0 or empty for none.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    working_days = PassedOnChoices(
        choices=WEEKDAY_CHOICES,
        required=False,
        label="Working days",
        widget=forms.CheckboxSelectMultiple,
    )
    work_starts = PassedOnTextField(
        label="Working day starts", widget=forms.TimeInput(attrs={"type": "time"})
    )
    work_ends = PassedOnTextField(
        label="Working day ends", widget=forms.TimeInput(attrs={"type": "time"})
    )

    @classmethod
    def for_policy(cls, policy: ReminderPolicy) -> ReminderPolicyForm:
        return cls(
            initial={
                "enabled": policy.enabled,
                "after_share_days": days_text(policy.after_share_days),
                "before_expiry_days": str(policy.before_expiry_days),
                "working_days": list(policy.working_days),
                "work_starts": f"{policy.work_starts:%H:%M}",
                "work_ends": f"{policy.work_ends:%H:%M}",
            }
        )

    def policy_input(self) -> PolicyInput:
        data = self.cleaned_data
        return PolicyInput(
            enabled=bool(data.get("enabled")),
            after_share_days=data.get("after_share_days", ""),
            before_expiry_days=data.get("before_expiry_days", ""),
            working_days=[str(day) for day in data.get("working_days", [])],
            work_starts=_time(data.get("work_starts", "")),
            work_ends=_time(data.get("work_ends", "")),
        )


class QuoteRemindersForm(forms.Form):
    mode = PassedOnTextField(label="Reminders for this quote")
    after_share_days = PassedOnTextField(
        label="Remind when not viewed, days after sharing",
        help_text="Like 3, 7.",
    )
    before_expiry_days = PassedOnTextField(
        label="Remind before expiry, days before",
        help_text="0 or empty for none.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    MODES = QuoteReminderMode.choices

    @classmethod
    def for_schedule(
        cls, own: QuoteReminderSchedule | None, policy: ReminderPolicy
    ) -> QuoteRemindersForm:
        custom = own is not None and own.mode == QuoteReminderMode.CUSTOM
        source_after = own.after_share_days if custom and own else policy.after_share_days
        before = own.before_expiry_days if custom and own else policy.before_expiry_days
        return cls(
            initial={
                "mode": own.mode if own else QuoteReminderMode.COMPANY,
                "after_share_days": days_text(source_after),
                "before_expiry_days": str(before),
            }
        )


class ExtendValidityForm(forms.Form):
    valid_until = PassedOnTextField(
        label="New valid-until date", widget=forms.DateInput(attrs={"type": "date"})
    )

    def date(self) -> dt.date | None:
        text = self.cleaned_data.get("valid_until", "").strip()
        try:
            return dt.date.fromisoformat(text) if text else None
        except ValueError:
            return None
