"""The rules of a client page's attention batch: what the page may report and how much.

The page (static/js/attention.js) measures how long each part of the quote (its sections,
the totals, the notes) was at least half on screen in a visible tab, and sends the whole
seconds so far for its view, as JSON: {"section:1": 12.5, "totals": 3, ...}. Sending the
running totals, not the seconds since the last batch, means a batch lost on the way (a
closed tab, a refused flood) loses nothing: the next one carries it. The server stores only
what the view's earlier batches do not hold yet (`event_section_time`).

A batch is refused whole, with a plain sentence and nothing stored, when it is not a JSON
object of known parts and finite non-negative numbers, or when a part reports more seconds
than the view's page has existed (from its open to now, plus a little slack for the two
clocks' rounding).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from quotery.core.exceptions import ValidationFailed
from quotery.engagement.payloads import (
    ATTENTION_NOTES,
    ATTENTION_TOTALS,
    SECTION_KEY_PREFIX,
)

# A batch of a quote with many sections is a few kilobytes; anything larger is not ours.
MAX_BODY_BYTES = 8192
MAX_BATCH_CHARS = 6000
# The page starts counting when it is served; the server dates the open when the request
# arrives. Rounding on both sides is covered by this much.
SLACK_SECONDS = 2.0

NOT_JSON = "The attention batch must be a JSON object of parts and seconds; nothing was stored."
TOO_LARGE = "The attention batch is too large; nothing was stored."


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number of seconds")


def parse_batch(text: str) -> dict[str, float]:
    """The batch's parts and seconds. ValidationFailed for anything but a JSON object of
    finite, non-negative numbers (no NaN or Infinity, no strings, no booleans)."""
    if len(text) > MAX_BATCH_CHARS:
        raise ValidationFailed(TOO_LARGE)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:  # malformed JSON, NaN, an int of thousands of digits
        raise ValidationFailed(NOT_JSON) from error
    if not isinstance(data, dict) or not data:
        raise ValidationFailed(NOT_JSON)
    batch: dict[str, float] = {}
    for key, value in data.items():
        if type(value) not in (int, float):
            raise ValidationFailed(
                f"The seconds of {key[:40]!r} must be a number; nothing was stored."
            )
        seconds = float(value)
        if not math.isfinite(seconds) or seconds < 0:
            raise ValidationFailed(
                f"The seconds of {key[:40]!r} must be zero or more; nothing was stored."
            )
        batch[key] = seconds
    return batch


def known_parts(content: Mapping[str, Any]) -> frozenset[str]:
    """The parts a revision's page marks for measuring: each section by its position
    (1-based), the totals, and the notes when it has any."""
    parts = {f"{SECTION_KEY_PREFIX}{n}" for n in range(1, len(content.get("sections", [])) + 1)}
    parts.add(ATTENTION_TOTALS)
    if content.get("notes"):
        parts.add(ATTENTION_NOTES)
    return frozenset(parts)


def known_last(last: str, *, known: frozenset[str]) -> str | None:
    """The part the page says came on screen last: None when it says none, ValidationFailed
    for a part the page does not have."""
    if not last:
        return None
    if last not in known:
        raise ValidationFailed(f"{last[:40]!r} is not a part of this quote; nothing was stored.")
    return last


def bounded_seconds(
    batch: Mapping[str, float], *, known: frozenset[str], span_seconds: float
) -> dict[str, int]:
    """The batch as whole seconds per part, once every part is one of `known` and none
    reports more than `span_seconds` (how long the view's page has existed) plus the slack.
    ValidationFailed names the first part that breaks a rule; parts at zero are left out."""
    unknown = sorted(key for key in batch if key not in known)
    if unknown:
        raise ValidationFailed(
            f"{unknown[0][:40]!r} is not a part of this quote; nothing was stored."
        )
    limit = max(span_seconds, 0.0) + SLACK_SECONDS
    for key, seconds in batch.items():
        if seconds > limit:
            raise ValidationFailed(
                f"{key!r} reports more than the {limit:.0f} seconds since the page was "
                "opened; nothing was stored."
            )
    return {key: int(seconds) for key, seconds in sorted(batch.items()) if int(seconds) > 0}
