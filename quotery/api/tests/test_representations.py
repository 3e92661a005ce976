"""Times and dates the hot lists write as text read exactly as the API's JSON encoder writes
them for every other answer."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

from django.core.serializers.json import DjangoJSONEncoder
from hypothesis import given
from hypothesis import strategies as st

from quotery.api.representations import json_date, json_time

ZONES = st.sampled_from(
    [dt.UTC, zoneinfo.ZoneInfo("Europe/Berlin"), zoneinfo.ZoneInfo("Asia/Kolkata"), None]
)


def encoded(value: object) -> object:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@given(st.datetimes(timezones=ZONES))
def test_a_time_reads_as_the_encoder_writes_it(value: dt.datetime) -> None:
    assert json_time(value) == encoded(value)


@given(st.one_of(st.none(), st.dates()))
def test_a_date_reads_as_the_encoder_writes_it(value: dt.date | None) -> None:
    assert json_date(value) == encoded(value)


def test_utc_ends_in_z_and_milliseconds_are_kept() -> None:
    moment = dt.datetime(2026, 12, 7, 9, 30, 5, 123456, tzinfo=dt.UTC)
    assert json_time(moment) == "2026-12-07T09:30:05.123Z"
    assert json_time(moment.replace(microsecond=0)) == "2026-12-07T09:30:05Z"
