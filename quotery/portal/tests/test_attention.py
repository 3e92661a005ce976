"""The rules of an attention batch (quotery.portal.attention): what a page may report."""

from __future__ import annotations

import pytest

from quotery.core.exceptions import ValidationFailed
from quotery.engagement.payloads import is_attention_key
from quotery.portal.attention import (
    SLACK_SECONDS,
    bounded_seconds,
    known_last,
    known_parts,
    parse_batch,
)

TWO_SECTIONS = frozenset({"section:1", "section:2", "totals", "notes"})


def test_a_batch_is_a_json_object_of_numbers():
    assert parse_batch('{"section:1": 12.5, "totals": 3, "notes": 0}') == {
        "section:1": 12.5,
        "totals": 3.0,
        "notes": 0.0,
    }


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        "{}",
        "12",
        '"section:1"',
        '{"section:1": NaN}',
        '{"section:1": Infinity}',
        '{"section:1": -Infinity}',
        '{"section:1": "12"}',
        '{"section:1": null}',
        '{"section:1": false}',
        '{"section:1": [1]}',
        '{"section:1": -0.5}',
        '{"section:1": 1' + "0" * 5000 + "}",
        '{"section:1": 1e400}',
        "{" + '"a": 1, ' * 1000 + '"b": 1}',
    ],
)
def test_anything_else_is_refused(text):
    with pytest.raises(ValidationFailed):
        parse_batch(text)


def test_known_parts_are_the_revisions_sections_the_totals_and_notes_when_it_has_some():
    content = {"sections": [{"title": "A"}, {"title": "B"}], "notes": "Delivery in May."}
    assert known_parts(content) == TWO_SECTIONS
    assert known_parts({"sections": [], "notes": ""}) == frozenset({"totals"})


def test_seconds_are_whole_and_parts_at_zero_are_left_out():
    assert bounded_seconds(
        {"section:2": 9.99, "totals": 0.4, "section:1": 60}, known=TWO_SECTIONS, span_seconds=60
    ) == {"section:1": 60, "section:2": 9}


def test_a_part_may_report_the_span_plus_the_slack_and_no_more():
    span = 100.0
    assert bounded_seconds({"totals": span + SLACK_SECONDS}, known=TWO_SECTIONS, span_seconds=span)
    with pytest.raises(ValidationFailed, match="since the page was opened"):
        bounded_seconds(
            {"totals": span + SLACK_SECONDS + 0.5}, known=TWO_SECTIONS, span_seconds=span
        )


def test_several_parts_may_each_fill_the_span_they_share_the_screen():
    # a short quote shows every part at once: each may have been on screen the whole time
    assert bounded_seconds(
        {"section:1": 50, "section:2": 50, "totals": 50}, known=TWO_SECTIONS, span_seconds=50
    ) == {"section:1": 50, "section:2": 50, "totals": 50}


def test_a_span_before_the_open_allows_only_the_slack():
    assert bounded_seconds({"totals": 2}, known=TWO_SECTIONS, span_seconds=-5) == {"totals": 2}
    with pytest.raises(ValidationFailed):
        bounded_seconds({"totals": 3}, known=TWO_SECTIONS, span_seconds=-5)


@pytest.mark.parametrize("part", ["section:3", "section:0", "Section:1", "footer", ""])
def test_a_part_the_quote_does_not_have_is_refused(part):
    with pytest.raises(ValidationFailed, match="not a part of this quote"):
        bounded_seconds({part: 1, "totals": 1}, known=TWO_SECTIONS, span_seconds=60)


def test_the_last_part_is_a_known_part_or_none():
    assert known_last("", known=TWO_SECTIONS) is None
    assert known_last("section:2", known=TWO_SECTIONS) == "section:2"
    with pytest.raises(ValidationFailed):
        known_last("section:7", known=TWO_SECTIONS)


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("section:1", True),
        ("section:12", True),
        ("totals", True),
        ("notes", True),
        ("section:0", False),
        ("section:01", False),
        ("section:", False),
        ("section:-1", False),
        ("section:١", False),  # an Arabic-Indic digit is a digit, not ours
        ("section:12345", False),
        ("Totals", False),
        (3, False),
    ],
)
def test_the_shape_of_a_part_key(key, ok):
    assert is_attention_key(key) is ok
