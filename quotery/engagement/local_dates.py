"""Day buckets in a company's time zone, computed inside the database.

PostgreSQL converts natively (`AT TIME ZONE`). On SQLite, Django's own conversion calls a
Python function once per row; over a million events that alone takes most of a second. So
on SQLite the range is cut where the zone's UTC offset changes (daylight saving: at most a
few times a year) and each piece shifts the stored UTC text with SQLite's native `date()`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateField, Expression, Func
from django.db.models.functions import TruncDate
from django.db.models.sql.compiler import SQLCompiler


def offset_segments(
    zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.timedelta]]:
    """[(from_utc, offset), ...]: from each instant on (until the next one) the zone's UTC
    offset is `offset`. Finds the changes within [start, end) to the minute."""

    def offset_at(moment: dt.datetime) -> dt.timedelta:
        value = moment.astimezone(zone).utcoffset()
        return value if value is not None else dt.timedelta(0)

    start = start.astimezone(dt.UTC)
    end = end.astimezone(dt.UTC)
    segments = [(start, offset_at(start))]
    probe = start
    step = dt.timedelta(hours=6)  # zones never change offset twice within six hours
    while probe < end:
        following = min(probe + step, end)
        if offset_at(following) != segments[-1][1]:
            low, high = probe, following  # the change happens in (low, high]
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                if offset_at(middle) == segments[-1][1]:
                    low = middle
                else:
                    high = middle
            change = high.replace(second=0, microsecond=0)
            if offset_at(change) == segments[-1][1]:
                change += dt.timedelta(minutes=1)
            segments.append((change, offset_at(change)))
        probe = following
    return segments


class LocalDate(Func):
    """The local calendar date of a datetime column in `zone`, for rows within [start, end)."""

    output_field = DateField()

    def __init__(
        self, expression: Any, *, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
    ) -> None:
        super().__init__(expression)
        self.zone = zone
        self.start = start
        self.end = end

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        expression: Expression = self.get_source_expressions()[0]
        native = TruncDate(expression, tzinfo=self.zone)
        sql, params = compiler.compile(native)
        return sql, tuple(params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column_sql, column_params = compiler.compile(self.get_source_expressions()[0])
        segments = offset_segments(self.zone, self.start, self.end)

        def shifted(offset: dt.timedelta) -> tuple[str, list[Any]]:
            minutes = int(offset.total_seconds() // 60)
            return f"date({column_sql}, %s)", [*column_params, f"{minutes:+d} minutes"]

        if len(segments) == 1:
            sql, only_params = shifted(segments[0][1])
            return sql, tuple(only_params)
        parts: list[str] = ["CASE"]
        params: list[Any] = []
        for (_, offset), (next_start, _) in itertools.pairwise(segments):
            then_sql, then_params = shifted(offset)
            parts.append(f"WHEN {column_sql} < %s THEN {then_sql}")
            params += [*column_params, connection.ops.adapt_datetimefield_value(next_start)]
            params += then_params
        else_sql, else_params = shifted(segments[-1][1])
        parts.append(f"ELSE {else_sql} END")
        params += else_params
        return " ".join(parts), tuple(params)
