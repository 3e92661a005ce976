"""Where a time zone changes its UTC offset within a range (quotery.engagement.local_dates)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from quotery.engagement.local_dates import offset_segments

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def test_offset_segments_find_each_change_to_the_minute():
    start = dt.datetime(2026, 1, 1, tzinfo=BERLIN)
    end = dt.datetime(2027, 1, 1, tzinfo=BERLIN)
    segments = offset_segments(BERLIN, start, end)
    assert [(moment.astimezone(UTC), offset) for moment, offset in segments] == [
        (dt.datetime(2025, 12, 31, 23, tzinfo=UTC), dt.timedelta(hours=1)),
        (dt.datetime(2026, 3, 29, 1, tzinfo=UTC), dt.timedelta(hours=2)),
        (dt.datetime(2026, 10, 25, 1, tzinfo=UTC), dt.timedelta(hours=1)),
    ]
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    assert offset_segments(kolkata, start, end) == [
        (start.astimezone(UTC), dt.timedelta(hours=5, minutes=30))
    ]
