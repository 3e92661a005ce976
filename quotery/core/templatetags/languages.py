"""Dates as the active language writes them: {{ day|long_date }} -> "7 December 2026",
"7. Dezember 2026". Moments are shown in the current time zone, as Django's `date` does."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from quotery.core import languages

register = template.Library()


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def long_date(value: dt.date | dt.datetime | None) -> str:
    return languages.long_date(_local(value)) if value else ""


@register.filter
def long_datetime(value: dt.datetime | None) -> str:
    return languages.long_datetime(timezone.localtime(value)) if value else ""


@register.filter
def short_datetime(value: dt.datetime | None) -> str:
    return languages.short_datetime(timezone.localtime(value)) if value else ""
