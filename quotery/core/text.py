"""What text a person types may hold: one rule for names (and other one-line values that end
up in headers and emails) and one for messages, used by every input check.

Names are refused when something in them would not show as typed (a control character, a
bidi control, nothing visible at all): the person is asked to type it again. Messages keep
what the person meant: line endings are made one kind, bidi controls are dropped quietly,
and only other control characters are refused.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# Unicode's bidirectional formatting characters (UAX #9): the embeddings and overrides
# (U+202A-U+202E), the isolates (U+2066-U+2069) and the marks (LRM U+200E, RLM U+200F,
# ALM U+061C). They reorder or re-attach what follows ("Anna\u202eevil"), never show
# themselves, and a name or message reads the same to its reader without them.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Letters to Unicode that show nothing: the Hangul fillers. A name of them looks empty.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
# Everything that shows nothing although Unicode calls it a letter or a symbol: the Hangul
# fillers and the blank Braille pattern.
BLANK_GLYPHS = BLANK_LETTERS | frozenset("\u2800")
# Everything a message may hold between its words that is not printed: line breaks, tabs.
MESSAGE_CONTROLS = frozenset("\n\t")
# NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: other software's line breaks.
_OTHER_LINE_BREAKS = str.maketrans({"\u0085": "\n", "\u2028": "\n", "\u2029": "\n"})
_WITHOUT_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS))


# A local part Python's email package writes and reads back unchanged: RFC 5322's dot-atom.
# Quoted local parts ("a,b"@example.com, which Django's validate_email accepts) lose their
# quotes when a long header is folded and turn into other addresses; "=?" reads as an
# encoded word.
DOT_ATOM = re.compile(r"\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
EMAIL_MAX = 254


# Control characters, and halves of a UTF-16 pair that no encoder (nor database) takes alone.
_CONTROLS = frozenset({"Cc", "Cs"})
_ONE_LINE_REFUSED = _CONTROLS | {"Zl", "Zp"}


def has_control_characters(text: str) -> bool:
    """Line breaks (also NEL, U+2028 and U+2029), NUL, the other C0 and C1 control characters,
    lone surrogates and bidi controls: never in a one-line value. Line breaks are how header
    injection starts, and Python's email refuses them in headers."""
    return any(unicodedata.category(ch) in _ONE_LINE_REFUSED or ch in BIDI_CONTROLS for ch in text)


def has_letter_or_digit(text: str) -> bool:
    """Whether something in `text` shows as a letter or a digit, in any script (marks,
    joiners, spaces and the Hangul fillers alone show nothing)."""
    return any(unicodedata.category(ch)[0] in {"L", "N"} and ch not in BLANK_LETTERS for ch in text)


def name_problem(name: str, *, whose: str = "your") -> str | None:
    """What keeps a typed name (a signer, a recipient, a client, a contact, a member) from
    showing as it was typed, in words for the person typing it; None when nothing does.
    `whose` begins the sentence ("your", "the client's"). An empty or over-long name is
    the caller's to word, as its limits differ.

    Names of every script pass, with combining marks, ZWJ inside emoji and ZWNJ inside
    Persian words. Refused: a line break, a control character or a bidi control anywhere,
    and a name without a letter or a digit (zero-width spaces only, say).
    """
    if has_control_characters(name):
        if whose == "your":  # the client's own, in their language
            return _(
                "Your name must be one line, without invisible control characters. Please "
                "type it again."
            )
        return (
            f"{whose.capitalize()} name must be one line, without invisible control "
            "characters. Please type it again."
        )
    if not has_letter_or_digit(name):
        if whose == "your":
            return _("Type your name with at least one letter.")
        return f"Type {whose} name with at least one letter."
    return None


def message_text(text: str) -> str:
    """A typed message as it is stored and counted: every kind of line ending as \\n, bidi
    controls dropped, outer whitespace gone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_OTHER_LINE_BREAKS)
    return text.translate(_WITHOUT_BIDI).strip()


def message_has_control_characters(text: str) -> bool:
    """Whether a message (after `message_text`) holds a control character that is neither a
    line break nor a tab (NUL first, which PostgreSQL cannot even store), or a lone
    surrogate."""
    return any(unicodedata.category(ch) in _CONTROLS and ch not in MESSAGE_CONTROLS for ch in text)


def is_mailable_address(address: str) -> bool:
    """Whether `address` (as typed, surrounding spaces allowed) is one email address Quotery
    can send to and name in a header: what Django's validate_email accepts, at most 254
    characters, no control character, a plain (dot-atom) local part without "=?"."""
    address = address.strip()
    if len(address) > EMAIL_MAX or has_control_characters(address):
        return False
    try:
        validate_email(address)
    except ValidationError:
        return False
    local_part = address.rpartition("@")[0]
    return bool(DOT_ATOM.match(local_part)) and "=?" not in local_part
