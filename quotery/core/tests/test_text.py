"""The one rule for typed names and messages (SECURITY.md 21): what passes, what is refused,
what is dropped quietly."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotery.core.text import (
    BIDI_CONTROLS,
    has_control_characters,
    message_has_control_characters,
    message_text,
    name_problem,
)

ONE_LINE = "Your name must be one line, without invisible control characters. Please type it again."
INVISIBLE = "Type your name with at least one letter."


def test_security_21_every_bidi_control_is_known():
    # the embeddings and overrides, the isolates, and the three marks (UAX #9)
    assert {
        "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
        "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200e", "\u200f", "\u061c",
    } == BIDI_CONTROLS  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ångström",
        "Jose\u0301 Nun\u0303ez",  # combining accents
        "Анна Петрова",
        "محمد العلي",
        "فاطمه\u200cزهرا",  # ZWNJ inside a Persian name
        "דוד כהן",
        "अनुष्का शर्मा",
        "李小龍",
        "김민준",
        "Ada \U0001f469\u200d\U0001f4bb",  # ZWJ inside an emoji
        "O'Brien-Smith Jr.",
        "007",
    ],
)
def test_security_21_names_of_every_script_pass(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "\u200b\u200b\u200b",
        "\u200d",
        "\u200c",
        "\u0301",
        "\ufeff",
        "\u00ad",
        "-",
        "👩\u200d💻",
        "\u3164\u3164",
        "\uffa0",
        "\u2800",
    ],
    ids=[
        "zwsp",
        "zwj",
        "zwnj",
        "combining mark",
        "bom",
        "soft hyphen",
        "dash",
        "emoji only",
        "hangul filler",
        "halfwidth hangul filler",
        "braille blank",
    ],
)
def test_security_21_a_name_without_a_letter_or_digit_is_refused(name):
    assert name_problem(name) == INVISIBLE


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_security_21_a_bidi_control_in_a_name_is_refused(control):
    assert name_problem(f"Anna{control}Berg") == ONE_LINE


@pytest.mark.parametrize(
    "name",
    [
        "Anna\x00",
        "Anna\nBerg",
        "Anna\rBerg",
        "Anna\x85",
        "Anna\u2028",
        "Anna\x1b[31m",
        "Anna\ud800",
    ],
    ids=["nul", "lf", "cr", "nel", "line separator", "escape", "lone surrogate"],
)
def test_security_21_a_control_character_in_a_name_is_refused(name):
    assert name_problem(name) == ONE_LINE


def test_the_message_names_whose_name_it_is():
    assert name_problem("\u200b", whose="the client's") == (
        "Type the client's name with at least one letter."
    )
    assert name_problem("A\u202e", whose="the client's") == (
        "The client's name must be one line, without invisible control characters. "
        "Please type it again."
    )


def test_security_21_a_message_loses_its_bidi_controls_and_keeps_its_joiners():
    typed = (
        "\u202eHello\u202c \u200fthere\u061c,\r\nمی\u200cخواهم \U0001f469\u200d\U0001f4bb\u2029bye "
    )
    assert message_text(typed) == "Hello there,\nمی\u200cخواهم \U0001f469\u200d\U0001f4bb\nbye"


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Line one\nline two\twith a tab", False),
        ("NUL \x00", True),
        ("bell \x07", True),
        ("C1 \x9b", True),
        ("lone \udfff", True),
    ],
)
def test_security_21_a_message_refuses_only_controls_that_are_not_line_breaks(text, refused):
    assert message_has_control_characters(message_text(text)) is refused


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_security_21_whatever_is_typed_a_stored_message_has_no_bidi_control(text):
    assert not BIDI_CONTROLS & set(message_text(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_security_21_a_name_that_passes_shows_a_letter_and_holds_no_control(name):
    if name_problem(name) is None:
        assert any(unicodedata.category(ch)[0] in "LN" for ch in name)
        assert not has_control_characters(name)
