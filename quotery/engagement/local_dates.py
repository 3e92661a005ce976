"""Where a company's time zone changes its UTC offset within a range.

The Engagement page counts views per local day as plain range counts over UTC instants
(`quotery.engagement.selectors.company.day_spans`); these segments say where each local day
begins and ends, daylight saving included, without converting every row in the database.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo


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
