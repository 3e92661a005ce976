"""The quote lifecycle. States change only through services, which ask this module first."""

from __future__ import annotations

import datetime as dt

from quotery.core.exceptions import IllegalTransition, QuoteLocked
from quotery.quotes.models import QuoteState, end_of_validity

S = QuoteState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SENT, S.CANCELLED}),
    S.SENT: frozenset(
        {S.SENT, S.CHANGES_REQUESTED, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}
    ),
    S.CHANGES_REQUESTED: frozenset({S.SENT, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.EXPIRED: frozenset({S.SENT, S.CHANGES_REQUESTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.READY_FOR_BILLING, S.CLOSED}),
    S.READY_FOR_BILLING: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.DECLINED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Once a client has said yes or no (or the rep withdrew the quote) its content is final.
LOCKED_STATES = frozenset({S.ACCEPTED, S.READY_FOR_BILLING, S.CLOSED, S.DECLINED, S.CANCELLED})

# The client said yes: what follows is billing and delivery.
ACCEPTED_STATES = frozenset({S.ACCEPTED, S.READY_FOR_BILLING, S.CLOSED})

# States in which the quote waits for the client and so can run past its validity.
OPEN_STATES = frozenset({S.SENT, S.CHANGES_REQUESTED})


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(
            f"A quote that is {S(current).label.lower()} cannot become {S(target).label.lower()}."
        )


def check_editable(state: str) -> None:
    if state in LOCKED_STATES:
        raise QuoteLocked(
            f"This quote is {S(state).label.lower()} and can no longer be edited. "
            "Duplicate it to make a new quote."
        )


def is_past_validity(valid_until: dt.date, zone: dt.tzinfo, now: dt.datetime) -> bool:
    return now >= end_of_validity(valid_until, zone)


def effective_state(state: str, valid_until: dt.date, zone: dt.tzinfo, now: dt.datetime) -> str:
    """The state to show: an open quote past its valid-until day reads as expired at once,
    before the periodic expiry task has written it down."""
    if state in OPEN_STATES and is_past_validity(valid_until, zone, now):
        return S.EXPIRED
    return state
