"""What clients looked at (quotery.engagement.selectors.attention): time per part and the
options tried, per revision of a quote and across the company's quotes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors.attention import (
    company_attention,
    part_title,
    quote_attention,
    seconds_text,
)
from quotery.engagement.selectors.company.scope import DateRange
from quotery.engagement.selectors.quote import timeline_for_quote
from quotery.engagement.tests.attention_events import option_changed, time_on
from quotery.engagement.tests.conftest import share_again, shared, visit
from quotery.quotes.models import Quote, Section
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (45, "45 s"), (60, "1 min 00 s"), (125, "2 min 05 s"), (3725, "1 h 02 min")],
)
def test_seconds_read_as_people_say_them(seconds, text):
    assert seconds_text(seconds) == text


def test_parts_are_named_by_their_sections_title():
    titles = ["Desks", "  "]
    assert part_title("section:1", titles) == "Desks"
    assert part_title("section:2", titles) == "Section 2"  # a blank title
    assert part_title("section:3", titles) == "Section 3"  # not in the revision
    assert part_title("totals", titles) == "Totals"
    assert part_title("notes", titles) == "Notes"


def titled_share(rep, titles: list[str], email: str = "anna@client.test") -> PortalShare:
    """A quote whose sections have these titles, shared."""
    share = shared(rep, email=email, sections=len(titles))
    quote = Quote.objects.get(pk=share.quote_id)
    for section, title in zip(quote.sections.order_by("position"), titles, strict=True):
        Section.objects.filter(pk=section.pk).update(title=title)
    return share_again(share, rep, email)


def test_a_quotes_time_per_part_adds_its_views_batches_in_page_order(rep):
    # given a counted view whose page sent two batches of running totals
    with time_machine.travel(START, tick=False) as clock:
        share = titled_share(rep, ["Desks", "Chairs", "Installation"])
        visit(share)
        clock.shift(60)
        time_on(share, {"section:2": 30, "totals": 10}, last="section:2")
        clock.shift(60)
        time_on(share, {"section:2": 90, "section:1": 15, "totals": 10}, last="section:1")

    # when the rep's page reads it
    attention = quote_attention(Quote.objects.get(pk=share.quote_id))

    # then one revision lists the parts in page order with their times and bars
    (revision,) = attention.revisions
    rows = [(p.title, p.seconds, p.time_text, p.percent) for p in revision.parts]
    assert rows == [
        ("Desks", 15, "15 s", 17),
        ("Chairs", 90, "1 min 30 s", 100),
        ("Totals", 10, "10 s", 11),
    ]
    assert revision.last_looked_at == "Desks"
    assert attention.most_time_on is not None and attention.most_time_on.title == "Chairs"
    assert verify_quote_chain(share.quote_id).ok


def test_each_revision_keeps_its_own_times_and_options_newest_first(rep):
    share = titled_share(rep, ["Desks", "Chairs"])
    visit(share)
    time_on(share, {"section:1": 20})
    option_changed(share, change="added", line="Extended warranty")
    # the rep edits the quote and shares it again: revision 3 (the retitle made revision 2)
    quote = Quote.objects.get(pk=share.quote_id)
    first_section = quote.sections.order_by("position").first()
    assert first_section is not None
    Section.objects.filter(pk=first_section.pk).update(title="Standing desks")
    share = share_again(share, rep)
    visit(share)
    time_on(share, {"section:1": 40})
    option_changed(share, change="chose", line="Oak", replaced="Walnut")
    option_changed(share, change="quantity", line="Desk", previous="8", to="12")

    attention = quote_attention(Quote.objects.get(pk=share.quote_id))

    assert [r.revision_number for r in attention.revisions] == [3, 2]
    newest, older = attention.revisions
    assert [(p.title, p.seconds) for p in newest.parts] == [("Standing desks", 40)]
    assert newest.options == ["chose Oak over Walnut", "Desk: quantity 8 -> 12"]
    assert [(p.title, p.seconds) for p in older.parts] == [("Desks", 20)]
    assert older.options == ["added Extended warranty"]
    assert older.last_looked_at is None


def test_options_alone_make_a_revision_without_times(rep):
    share = shared(rep)
    option_changed(share, change="removed", line="Delivery")

    (revision,) = quote_attention(Quote.objects.get(pk=share.quote_id)).revisions

    assert revision.parts == [] and revision.options == ["removed Delivery"]
    assert quote_attention(Quote.objects.get(pk=share.quote_id)).most_time_on is None


def test_a_quote_without_attention_has_nothing_to_show(rep):
    share = shared(rep)
    visit(share)
    assert quote_attention(Quote.objects.get(pk=share.quote_id)).revisions == []


def test_the_timeline_lists_option_changes_folded_and_never_time_on_sections(rep):
    share = shared(rep)
    visit(share)
    time_on(share, {"totals": 5})
    option_changed(share, change="added", line="Extended warranty")
    option_changed(share, change="chose", line="Oak", replaced="Walnut")
    option_changed(share, change="quantity", line="Desk", previous="8", to="12")
    time_on(share, {"totals": 9})

    timeline = timeline_for_quote(Quote.objects.get(pk=share.quote_id))

    assert EventKind.SECTION_TIME not in {entry.kind for entry in timeline.entries}
    options = [item for item in timeline.items if item.kind == EventKind.OPTION_CHANGED]
    assert len(options) == 1 and options[0].count == 3
    assert [entry.detail for entry in options[0].entries] == [
        "added Extended warranty",
        "chose Oak over Walnut",
        "Desk: quantity 8 -> 12",
    ]
    assert options[0].label == "Option changed"


# ---------------------------------------------------------------------------------------
# Across the company's quotes


def june(membership_user) -> DateRange:
    return DateRange(
        dt.date(2026, 6, 1), dt.date(2026, 6, 30), membership_user.membership.company.zone
    )


def test_sections_that_hold_attention_add_up_by_title_across_quotes(rep, manager):
    with time_machine.travel(START, tick=False) as clock:
        first = titled_share(rep, ["Desks", "Chairs", "Lighting"])
        second = titled_share(rep, ["Chairs", "Desks"], email="bob@client.test")
        visit(first)
        visit(second)
        clock.shift(600)
        time_on(first, {"section:1": 100, "section:2": 50, "section:3": 10, "totals": 500})
        time_on(second, {"section:1": 70, "section:2": 20, "notes": 300})

    figures = company_attention(membership=manager.membership, date_range=june(manager))

    # the totals and notes are every quote's: only sections are compared; ties by name
    assert [(row.title, row.seconds, row.quotes) for row in figures.sections] == [
        ("Chairs", 120, 2),
        ("Desks", 120, 2),
        ("Lighting", 10, 1),
    ]


def test_options_most_often_added_and_removed_top_five_each(rep, manager):
    with time_machine.travel(START, tick=False):
        share = shared(rep)
        for line, times in [("A", 1), ("B", 6), ("C", 3), ("D", 2), ("E", 5), ("F", 4)]:
            for _ in range(times):
                option_changed(share, change="added", line=line)
        option_changed(share, change="removed", line="Delivery")
        option_changed(share, change="removed", line="Delivery")
        option_changed(share, change="removed", line="Assembly")
        option_changed(share, change="chose", line="Oak", replaced="Walnut")
        option_changed(share, change="quantity", line="Desk", previous="1", to="2")

    figures = company_attention(membership=manager.membership, date_range=june(manager))

    assert [(row.line, row.count) for row in figures.added] == [
        ("B", 6),
        ("E", 5),
        ("F", 4),
        ("C", 3),
        ("D", 2),
    ]
    assert [(row.line, row.count) for row in figures.removed] == [("Delivery", 2), ("Assembly", 1)]


def test_the_company_figures_keep_to_the_range_the_reader_and_the_company(
    rep, manager, company, other_company
):
    colleague = member(company, Role.REP)
    stranger = member(other_company, Role.MANAGER)
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        before = shared(rep)
        option_changed(before, change="added", line="Before the range")
    with time_machine.travel(START, tick=False):
        mine = shared(rep)
        option_changed(mine, change="added", line="Mine")
        theirs = shared(colleague, email="carl@client.test")
        option_changed(theirs, change="added", line="Colleague's")
        foreign = shared(stranger, email="dora@client.test")
        option_changed(foreign, change="added", line="Another company's")

    as_manager = company_attention(membership=manager.membership, date_range=june(manager))
    as_rep = company_attention(membership=rep.membership, date_range=june(rep))

    assert {row.line for row in as_manager.added} == {"Mine", "Colleague's"}
    assert {row.line for row in as_rep.added} == {"Mine"}


def test_the_company_figures_read_only_the_two_kinds_by_the_kind_and_time_index(
    rep, manager, django_assert_max_num_queries
):
    with time_machine.travel(START, tick=False) as clock:
        share = titled_share(rep, ["Desks"])
        for _ in range(3):
            visit(share)
            clock.shift(30)
            time_on(share, {"section:1": 20})
        option_changed(share, change="added", line="Warranty")

    with django_assert_max_num_queries(3) as queries:
        company_attention(membership=manager.membership, date_range=june(manager))

    event_queries = [q["sql"] for q in queries.captured_queries if "quoteevent" in q["sql"]]
    assert len(event_queries) == 2
    assert all('"kind" = ' in sql and '"occurred_at" >= ' in sql for sql in event_queries)
    assert QuoteEvent.objects.filter(kind=EventKind.QUOTE_VIEWED).count() == 3


def test_a_row_written_around_the_app_is_skipped_not_a_500(login, rep, manager):
    # given time on sections, and rows of the kind edited in the database into other shapes
    with time_machine.travel(START, tick=False) as clock:
        share = titled_share(rep, ["Desks", "Chairs"])
        visit(share)
        clock.shift(120)
        good = time_on(share, {"section:1": 40})
        odd = [time_on(share, {"section:1": 40 + n, "section:2": n}) for n in (1, 2, 3)]
    tampered = [
        {"view": 1, "sections": {"section:2": "NaN", "section:1": 1.5}},
        {"view": 1, "sections": ["section:2", 9]},
        {"view": 1, "sections": {"section:2": 10**20}},
    ]
    for event, data in zip(odd, tampered, strict=True):
        QuoteEvent.objects.filter(pk=event.pk).update(data=data)

    # when the figures are read
    figures = company_attention(membership=manager.membership, date_range=june(manager))
    (revision,) = quote_attention(Quote.objects.get(pk=share.quote_id)).revisions

    # then the rows that are not their kind's are left out
    assert [(row.title, row.seconds) for row in figures.sections] == [("Desks", 40)]
    assert [(part.title, part.seconds) for part in revision.parts] == [("Desks", 40)]
    assert good.data["sections"] == {"section:1": 40}
