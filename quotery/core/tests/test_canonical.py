"""Canonical JSON (SECURITY.md 15): sorted keys, no whitespace, UTF-8, no floats, money and
times as strings. The same value gives the same bytes, in any process and on any machine."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotery.core.canonical import canonical_hash, canonical_json, sha256_hex

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def test_security_15_keys_are_sorted_and_there_is_no_whitespace():
    value = {"b": 1, "a": {"d": [1, 2], "c": None}, "é": "ü"}
    assert canonical_json(value) == '{"a":{"c":null,"d":[1,2]},"b":1,"é":"ü"}'.encode()


def test_security_15_key_order_of_the_input_does_not_matter():
    assert canonical_json({"x": 1, "y": 2}) == canonical_json({"y": 2, "x": 1})


def test_security_15_decimals_are_fixed_point_strings():
    value = {
        "price": Decimal("1234.50"),
        "big": Decimal("1E+3"),
        "small": Decimal("1E-7"),
    }
    assert canonical_json(value) == b'{"big":"1000","price":"1234.50","small":"0.0000001"}'


def test_security_15_times_are_utc_iso_strings_and_dates_are_iso_dates():
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    value = {
        "at": dt.datetime(2026, 12, 1, 0, 0, tzinfo=auckland),
        "on": dt.date(2026, 11, 30),
    }
    assert canonical_json(value) == b'{"at":"2026-11-30T11:00:00Z","on":"2026-11-30"}'


@pytest.mark.parametrize(
    "value",
    [
        {"amount": 0.1},
        [1.0],
        {"nested": {"deeper": [Decimal("1"), 2.5]}},
        float("nan"),
    ],
)
def test_security_15_floats_are_refused_anywhere(value):
    with pytest.raises(TypeError, match="floats are not allowed"):
        canonical_json(value)


def test_security_15_naive_datetimes_non_string_keys_and_unknown_types_are_refused():
    with pytest.raises(TypeError, match="naive"):
        canonical_json({"at": dt.datetime(2026, 11, 30, 12, 0)})
    with pytest.raises(TypeError, match="keys must be strings"):
        canonical_json({1: "x"})
    with pytest.raises(TypeError, match="cannot be written"):
        canonical_json({"s": {1, 2}})


def test_security_15_booleans_stay_booleans_and_ints_stay_ints():
    assert canonical_json({"t": True, "f": False, "n": 7}) == b'{"f":false,"n":7,"t":true}'


def test_security_15_hash_is_sha256_of_the_canonical_bytes():
    value = {"b": Decimal("2.50"), "a": "x"}
    expected = hashlib.sha256(b'{"a":"x","b":"2.50"}').hexdigest()
    assert canonical_hash(value) == expected
    assert sha256_hex(canonical_json(value)) == expected


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.text(max_size=20)
    | st.decimals(allow_nan=False, allow_infinity=False, places=4),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(value=json_values)
def test_security_15_canonical_json_parses_back_and_is_a_fixed_point(value):
    # given any tree of canonical-able values
    raw = canonical_json(value)
    # then it is valid UTF-8 JSON with no float in it, and re-encoding what it parses to
    # gives the same bytes
    parsed = json.loads(raw.decode("utf-8"), parse_float=lambda s: pytest.fail(f"float {s}"))
    assert canonical_json(parsed) == raw


def test_security_15_same_hash_in_a_fresh_process_with_another_hash_seed():
    # given a value whose dict and set iteration orders depend on PYTHONHASHSEED
    value = {f"k{i}": {"amount": Decimal(i).scaleb(-2), "name": f"ü{i}"} for i in range(50)}
    here = canonical_hash(value)
    code = (
        "from decimal import Decimal;"
        "from quotery.core.canonical import canonical_hash;"
        "v={f'k{i}': {'amount': Decimal(i).scaleb(-2), 'name': f'ü{i}'} for i in range(50)};"
        "print(canonical_hash(v))"
    )
    for seed in ("1", "4242"):
        # when another interpreter computes it
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        # then the hash is the same
        assert result.stdout.strip() == here
