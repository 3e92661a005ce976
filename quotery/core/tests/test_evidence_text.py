"""Evidence in words a person reads: short references and browser names, for any input."""

from __future__ import annotations

import pytest

from quotery.core.evidence_text import describe_user_agent, short_reference

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Safari/605.1.15"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3f9ac21b77d0" + "e" * 52, "3F9A·C21B·77D0"),
        ("ABCDEF0123456789", "ABCD·EF01·2345"),
        ("abc", "ABC"),
        ("3f9ac", "3F9A·C"),
        ("", ""),
        (None, ""),
        ("  3f9a c21b\n77d0 99", "3F9A·C21B·77D0"),  # a copy with spaces reads the same
        ("Y_vpPWscsc5lprx4-aGsaQ", "Y_vp·PWsc·sc5l"),  # not hex: shortened, case kept
        ("<script>alert(1)</script>", "<scr·ipt>·aler"),  # escaped where it is shown
    ],
)
def test_a_hash_becomes_a_short_grouped_reference(value, expected):
    assert short_reference(value) == expected


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        ("Mozilla/5.0 (iPhone) Safari/605.1", "Safari on iPhone"),
        (SAFARI_MAC, "Safari on macOS"),
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (CHROME_ANDROID, "Chrome on Android"),
        ("curl/8.4.0", "curl"),
        ("", "Not recorded"),
        ("   ", "Not recorded"),
        (None, "Not recorded"),
    ],
)
def test_a_user_agent_is_named_the_way_people_say_it(user_agent, expected):
    assert describe_user_agent(user_agent) == expected


@pytest.mark.parametrize(
    "garbage",
    [
        "x" * 100_000,
        "\x00\x01\x02<script>alert(1)</script>",
        "Mozilla/5.0 (" * 500,
        "()()()(((((;;;;;))))",
        "\u202eevil\u202c",
        "🙂" * 300,
        "Mozilla/5.0 (Windows NT 10.0) " + "Chrome/" + "9" * 5000,
    ],
)
def test_a_hostile_or_garbled_user_agent_is_described_without_failing(garbage):
    described = describe_user_agent(garbage)
    assert described
    assert len(described) <= 100
    assert described.isprintable()


def test_a_name_captured_from_the_user_agent_is_kept_short_and_printable():
    described = describe_user_agent("Mozilla/5.0 (Windows NT 10.0) Firefox/1.0 " + "A" * 300)
    assert described == "Firefox on Windows"
    long_family = describe_user_agent("Opera/9.80 (" + "\u0007Linux" * 50 + ")")
    assert long_family.isprintable() and len(long_family) <= 100
