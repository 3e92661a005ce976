"""The Engagement page's date range: two optional dates, checked with clear messages."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms

from quotery.engagement.selectors import DateRange

DEFAULT_DAYS = 30
MAX_DAYS = 366


EARLIEST = dt.date(2000, 1, 1)


def _date_field(label: str, noun: str, example: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": f"Enter the {noun} as a date like {example}."},
    )


class DateRangeForm(forms.Form):
    """`from` and `to` (a Python keyword, hence fields added in __init__), both optional:
    the default is the last 30 days up to today in the company's time zone."""

    def __init__(self, *args: Any, today: dt.date, zone: zoneinfo.ZoneInfo, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["from"] = _date_field("From", "first day", "2026-11-02")
        self.fields["to"] = _date_field("To", "last day", "2026-11-30")
        self.today = today
        self.zone = zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        latest = self.today + dt.timedelta(days=MAX_DAYS)
        for name in ("from", "to"):
            value = cleaned.get(name)
            if value is not None and not EARLIEST <= value <= latest:
                self.add_error(
                    name,
                    f"Pick a day between {EARLIEST:%-d %b %Y} and {latest:%-d %b %Y}.",
                )
        if self.errors:
            return cleaned
        last: dt.date = cleaned.get("to") or self.today
        first: dt.date = cleaned.get("from") or last - dt.timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise forms.ValidationError(
                f"The first day ({first:%-d %b %Y}) is after the last day ({last:%-d %b %Y}). "
                "Swap them or pick other dates."
            )
        days = (last - first).days + 1
        if days > MAX_DAYS:
            raise forms.ValidationError(
                f"Choose at most {MAX_DAYS} days; {first:%-d %b %Y} to {last:%-d %b %Y} "
                f"is {days} days."
            )
        cleaned["range"] = DateRange(first=first, last=last, zone=self.zone)
        return cleaned

    @property
    def date_range(self) -> DateRange:
        value: DateRange = self.cleaned_data["range"]
        return value
