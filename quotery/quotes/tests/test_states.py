"""The quote lifecycle: every (from, to) pair, and the services that move a quote along it."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest

from quotery.core.exceptions import IllegalTransition, QuoteLocked
from quotery.quotes.models import Quote, QuoteRevision, QuoteState, end_of_validity
from quotery.quotes.services.quotes import (
    _transition,
    quote_cancel,
    quote_expire_due,
    quote_mark_sent,
)
from quotery.quotes.states import (
    LOCKED_STATES,
    OPEN_STATES,
    TRANSITIONS,
    check_editable,
    check_transition,
    effective_state,
    is_past_validity,
)
from quotery.quotes.tests.conftest import force_state, quote_snapshot

S = QuoteState
UTC = dt.UTC

# DESIGN.md's lifecycle, written out by hand: row = from, column = to, "x" = allowed.
# Sent -> sent is a re-share; an expired quote can be shared again or asked to change but
# not accepted; once accepted, declined, closed or cancelled nothing but billing moves it.
LIFECYCLE = """
                   draft sent changes_requested accepted ready_for_billing closed declined expired cancelled
draft                .    x          .             .            .            .       .       .        x
sent                 .    x          x             x            .            .       x       x        x
changes_requested    .    x          .             x            .            .       x       x        x
accepted             .    .          .             .            x            x       .       .        .
ready_for_billing    .    .          .             .            .            x       .       .        .
closed               .    .          .             .            .            .       .       .        .
declined             .    .          .             .            .            .       .       .        .
expired              .    x          x             .            .            .       .       .        x
cancelled            .    .          .             .            .            .       .       .        .
"""  # noqa: E501


def lifecycle_table() -> dict[tuple[str, str], bool]:
    header, *rows = LIFECYCLE.strip().splitlines()
    targets = header.split()
    table = {}
    for row in rows:
        source, *marks = row.split()
        assert len(marks) == len(targets), row
        for target, mark in zip(targets, marks, strict=True):
            table[(source, target)] = mark == "x"
    return table


TABLE = lifecycle_table()
ALL_PAIRS = list(itertools.product(S.values, S.values))
LEGAL = [pair for pair in ALL_PAIRS if TABLE[pair]]
ILLEGAL = [pair for pair in ALL_PAIRS if not TABLE[pair]]


def test_the_written_table_covers_all_nine_states_both_ways():
    assert len(TABLE) == 81
    assert {source for source, _ in TABLE} == set(S.values)
    assert {target for _, target in TABLE} == set(S.values)


def test_the_code_allows_exactly_the_written_table():
    allowed_by_code = {(a, b) for a in TRANSITIONS for b in TRANSITIONS[a]}
    assert allowed_by_code == set(LEGAL)
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("current", "target"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_legal_transition_passes(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_illegal_transition_is_refused_with_a_clear_message(current, target):
    with pytest.raises(IllegalTransition) as caught:
        check_transition(current, target)
    expected = (
        f"A quote that is {S(current).label.lower()} cannot become {S(target).label.lower()}."
    )
    assert caught.value.message == expected
    assert caught.value.http_status == 409


@pytest.mark.parametrize("state", S.values)
def test_locked_states_refuse_editing(state):
    if state in LOCKED_STATES:
        with pytest.raises(QuoteLocked, match="can no longer be edited"):
            check_editable(state)
    else:
        check_editable(state)


# -- through the services ------------------------------------------------------------------

CAN_BE_SENT = {s for s in S.values if TABLE[(s, S.SENT)]}
CAN_BE_CANCELLED = {s for s in S.values if TABLE[(s, S.CANCELLED)]}


@pytest.mark.django_db
@pytest.mark.parametrize("state", S.values)
def test_quote_mark_sent_from_every_state(new_quote, rep, state):
    # given a quote in `state` that is still valid
    quote = force_state(new_quote(valid_until=dt.date(2099, 12, 31)), state)
    before = quote_snapshot(quote)
    if state in CAN_BE_SENT:
        # when it is shared, then it is sent with a revision the client will see
        revision = quote_mark_sent(quote=quote, user=rep)
        fresh = Quote.objects.get(pk=quote.pk)
        assert fresh.state == S.SENT
        assert fresh.revision_number == revision.number >= 1
        assert fresh.first_shared_at is not None
        assert quote.state == S.SENT  # the caller's object follows
    else:
        # when it is shared, then it is refused and nothing changed
        with pytest.raises(IllegalTransition, match=f"cannot become {S.SENT.label.lower()}"):
            quote_mark_sent(quote=quote, user=rep)
        assert quote_snapshot(quote) == before
        assert not QuoteRevision.objects.filter(quote=quote).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state", S.values)
def test_quote_cancel_from_every_state(new_quote, rep, state):
    quote = force_state(new_quote(), state)
    before = quote_snapshot(quote)
    if state in CAN_BE_CANCELLED:
        quote_cancel(quote=quote, user=rep)
        assert Quote.objects.get(pk=quote.pk).state == S.CANCELLED
    else:
        with pytest.raises(IllegalTransition, match="cannot become cancelled"):
            quote_cancel(quote=quote, user=rep)
        assert quote_snapshot(quote) == before


@pytest.mark.django_db
def test_an_expired_quote_past_its_validity_cannot_be_shared_again(new_quote, rep):
    quote = force_state(
        new_quote(valid_until=dt.date(2020, 1, 31), issue_date=dt.date(2020, 1, 1)), S.EXPIRED
    )
    before = quote_snapshot(quote)
    with pytest.raises(IllegalTransition, match="Move the valid-until date forward"):
        quote_mark_sent(quote=quote, user=rep)
    assert quote_snapshot(quote) == before


@pytest.mark.django_db
def test_stale_quote_object_cannot_move_a_quote_that_changed_underneath(new_quote, rep):
    # given two copies of the same draft; one of them cancels it
    quote = new_quote()
    stale = Quote.objects.get(pk=quote.pk)
    quote_cancel(quote=quote, user=rep)
    before = quote_snapshot(quote)
    # when the stale copy (still saying "draft") tries to share it
    with pytest.raises(IllegalTransition):
        quote_mark_sent(quote=stale, user=rep)
    # then nothing changed: still cancelled, no revision
    assert quote_snapshot(quote) == before
    assert not QuoteRevision.objects.filter(quote=quote).exists()


@pytest.mark.django_db
def test_compare_and_set_refuses_a_state_that_changed_since_it_was_read(new_quote, rep):
    # given a copy read while the quote was a draft, then the quote is cancelled
    quote = new_quote()
    stale = Quote.objects.get(pk=quote.pk)
    force_state(quote, S.CANCELLED)
    before = quote_snapshot(quote)
    # when the transition runs on the stale copy (draft -> sent is legal in itself)
    with pytest.raises(IllegalTransition, match="changed meanwhile and is now cancelled"):
        _transition(stale, S.SENT)
    # then the update matched no row and nothing changed, the copy included
    assert quote_snapshot(quote) == before
    assert stale.state == S.DRAFT


# -- expiry in the company's time zone -----------------------------------------------------

VALID_UNTIL = dt.date(2026, 11, 30)
ISSUED = dt.date(2026, 11, 2)
# End of 30 Nov 2026: Auckland is UTC+13 (daylight time), Los Angeles UTC-8 (standard time).
AUCKLAND_END = dt.datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
LOS_ANGELES_END = dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)


def test_end_of_validity_is_midnight_after_the_day_in_the_zone():
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    los_angeles = zoneinfo.ZoneInfo("America/Los_Angeles")
    assert end_of_validity(VALID_UNTIL, auckland) == AUCKLAND_END
    assert end_of_validity(VALID_UNTIL, los_angeles) == LOS_ANGELES_END
    assert not is_past_validity(VALID_UNTIL, auckland, AUCKLAND_END - SECOND)
    assert is_past_validity(VALID_UNTIL, auckland, AUCKLAND_END)


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_effective_state_reads_expired_once_the_day_is_over(state):
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    assert effective_state(state, VALID_UNTIL, zone, AUCKLAND_END - SECOND) == state
    assert effective_state(state, VALID_UNTIL, zone, AUCKLAND_END) == S.EXPIRED
    assert effective_state(S.ACCEPTED, VALID_UNTIL, zone, AUCKLAND_END) == S.ACCEPTED


@pytest.fixture
def two_zones(new_quote, rep, company, other_company):
    """A sent quote valid until 30 Nov 2026 in Auckland and one in Los Angeles."""
    from quotery.accounts.factories import member
    from quotery.accounts.models import Role
    from quotery.clients.factories import ClientFactory
    from quotery.quotes.services.quotes import quote_create
    from quotery.quotes.tests.conftest import quote_input

    company.time_zone = "Pacific/Auckland"
    company.save()
    other_company.time_zone = "America/Los_Angeles"
    other_company.save()
    auckland = new_quote(issue_date=ISSUED, valid_until=VALID_UNTIL)
    la_rep = member(other_company, Role.REP)
    los_angeles = quote_create(
        company=other_company,
        owner=la_rep,
        data=quote_input(
            ClientFactory(company=other_company), issue_date=ISSUED, valid_until=VALID_UNTIL
        ),
    )
    for quote in (auckland, los_angeles):
        force_state(quote, S.SENT)
    return auckland, los_angeles


def states(*quotes: Quote) -> list[str]:
    return [Quote.objects.get(pk=q.pk).state for q in quotes]


@pytest.mark.django_db
def test_expire_due_follows_each_company_time_zone(two_zones):
    auckland, los_angeles = two_zones
    # a second before the Auckland day ends: nothing expires
    assert quote_expire_due(now=AUCKLAND_END - SECOND) == 0
    assert states(auckland, los_angeles) == [S.SENT, S.SENT]
    # the Auckland day is over; in Los Angeles it is still the afternoon of 30 Nov
    assert quote_expire_due(now=AUCKLAND_END) == 1
    assert states(auckland, los_angeles) == [S.EXPIRED, S.SENT]
    # a second before the Los Angeles day ends
    assert quote_expire_due(now=LOS_ANGELES_END - SECOND) == 0
    assert states(los_angeles) == [S.SENT]
    # and at its end
    assert quote_expire_due(now=LOS_ANGELES_END) == 1
    assert states(auckland, los_angeles) == [S.EXPIRED, S.EXPIRED]
    # running it again changes nothing
    assert quote_expire_due(now=LOS_ANGELES_END + dt.timedelta(days=3)) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("state", [s for s in S.values if s not in OPEN_STATES])
def test_expire_due_leaves_quotes_that_are_not_waiting_for_the_client(two_zones, state):
    auckland, _ = two_zones
    force_state(auckland, state)
    before = quote_snapshot(auckland)
    assert quote_expire_due(now=LOS_ANGELES_END + dt.timedelta(days=1)) == 1  # only the LA one
    assert quote_snapshot(auckland) == before


@pytest.mark.django_db
def test_changes_requested_quotes_expire_too(two_zones):
    auckland, _ = two_zones
    force_state(auckland, S.CHANGES_REQUESTED)
    quote_expire_due(now=AUCKLAND_END)
    assert states(auckland) == [S.EXPIRED]
