"""Who sees which quotes: scoped to the company always, and by role."""

from __future__ import annotations

import pytest
from django.http import Http404

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.clients.factories import ClientFactory
from quotery.quotes.factories import make_quote
from quotery.quotes.models import DeliveryNote, Quote, QuoteState
from quotery.quotes.selectors import (
    QuoteFilters,
    delivery_note_page,
    delivery_notes_visible_to,
    quote_detail,
    quote_list,
    quote_owners,
    quotes_editable_by,
    quotes_visible_to,
)
from quotery.quotes.tests.conftest import force_state

pytestmark = pytest.mark.django_db

S = QuoteState


@pytest.fixture
def world(company, other_company, rep, manager, admin_user, finance):
    """Our company: two reps with a quote in every state each; another company: the same."""
    second_rep = member(company, Role.REP)
    foreign_rep = member(other_company, Role.REP)
    client = ClientFactory(company=company)
    foreign_client = ClientFactory(company=other_company)
    quotes: dict[str, list[Quote]] = {"rep": [], "second_rep": [], "foreign": []}
    for state in S.values:
        quotes["rep"].append(
            force_state(make_quote(owner=rep, client=client, lines_per_section=1), state)
        )
        quotes["second_rep"].append(
            force_state(make_quote(owner=second_rep, client=client, lines_per_section=1), state)
        )
        quotes["foreign"].append(
            force_state(
                make_quote(owner=foreign_rep, client=foreign_client, lines_per_section=1), state
            )
        )
    return quotes


def pks(quotes) -> set[int]:
    return {q.pk for q in quotes}


def test_rep_sees_only_their_own_quotes(world, rep):
    assert pks(quotes_visible_to(rep.membership)) == pks(world["rep"])


@pytest.mark.parametrize("who", ["manager", "admin_user"])
def test_manager_and_admin_see_all_of_the_company(world, who, request):
    user = request.getfixturevalue(who)
    assert pks(quotes_visible_to(user.membership)) == pks(world["rep"] + world["second_rep"])


def test_finance_sees_only_accepted_ready_and_closed(world, finance):
    visible = list(quotes_visible_to(finance.membership))
    assert {q.state for q in visible} == {S.ACCEPTED, S.READY_FOR_BILLING, S.CLOSED}
    assert pks(visible) == {
        q.pk
        for q in world["rep"] + world["second_rep"]
        if q.state in {S.ACCEPTED, S.READY_FOR_BILLING, S.CLOSED}
    }


@pytest.mark.parametrize("who", ["rep", "manager", "admin_user", "finance"])
def test_nobody_sees_another_company(world, who, request):
    membership = request.getfixturevalue(who).membership
    foreign = pks(world["foreign"])
    assert not pks(quotes_visible_to(membership)) & foreign
    assert not pks(quote_list(membership=membership, filters=QuoteFilters())) & foreign
    for quote in world["foreign"]:
        with pytest.raises(Http404):
            quote_detail(membership=membership, pk=quote.pk)


def test_finance_may_edit_nothing(world, finance):
    assert list(quotes_editable_by(finance.membership)) == []
    accepted = next(q for q in world["rep"] if q.state == S.ACCEPTED)
    with pytest.raises(Http404):
        quote_detail(membership=finance.membership, pk=accepted.pk, for_edit=True)


def test_rep_cannot_open_another_reps_quote(world, rep):
    with pytest.raises(Http404):
        quote_detail(membership=rep.membership, pk=world["second_rep"][0].pk)


def test_list_filters_stay_inside_the_visible_set(world, rep, manager, other_company):
    foreign_owner = world["foreign"][0].owner
    # filtering by another company's owner shows nothing, even to a manager
    by_foreign_owner = quote_list(
        membership=manager.membership, filters=QuoteFilters(owner_id=foreign_owner.pk)
    )
    assert list(by_foreign_owner) == []
    # a rep filtering by a colleague still sees only their own
    second_rep = world["second_rep"][0].owner
    assert (
        list(quote_list(membership=rep.membership, filters=QuoteFilters(owner_id=second_rep.pk)))
        == []
    )
    # searching for another company's number finds only our own quote with that number
    number = world["foreign"][0].number
    found = quote_list(membership=manager.membership, filters=QuoteFilters(search=number))
    assert pks(found) <= pks(world["rep"] + world["second_rep"])
    # the state filter
    sent = quote_list(membership=manager.membership, filters=QuoteFilters(state=S.SENT))
    assert {q.state for q in sent} == {S.SENT} and len(sent) == 2


def test_owner_choices_are_the_company_members_for_managers_only(world, rep, manager):
    owners = quote_owners(membership=manager.membership)
    assert {u.membership.company_id for u in owners} == {manager.membership.company_id}
    assert quote_owners(membership=rep.membership) == []


def test_delivery_notes_follow_quote_visibility(world, rep, manager, finance):
    def note_for(quote):
        return DeliveryNote.objects.create(
            company=quote.company, quote=quote, number=f"D-{quote.pk}"
        )

    own = note_for(world["rep"][3])  # accepted
    colleague = note_for(world["second_rep"][3])
    foreign = note_for(world["foreign"][3])
    assert pks(delivery_notes_visible_to(membership=rep.membership)) == {own.pk}
    assert pks(delivery_notes_visible_to(membership=manager.membership)) == {own.pk, colleague.pk}
    assert pks(delivery_notes_visible_to(membership=finance.membership)) == {own.pk, colleague.pk}
    for membership in (rep.membership, manager.membership, finance.membership):
        with pytest.raises(Http404):
            delivery_note_page(membership=membership, pk=foreign.pk)
    with pytest.raises(Http404):
        delivery_note_page(membership=rep.membership, pk=colleague.pk)
