"""Quote services: create, update, numbering, validation, locking and revisions.

Every failure test checks that nothing was written (row counts and a snapshot of the quote).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role
from quotery.catalog.factories import ProductFactory
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.core.exceptions import QuoteLocked, ValidationFailed
from quotery.quotes.inputs import LineInput, NewClientInput, QuoteInput
from quotery.quotes.models import Line, Quote, QuoteRevision, QuoteState, Section
from quotery.quotes.services.quotes import (
    quote_cancel,
    quote_create,
    quote_duplicate,
    quote_mark_sent,
    quote_update,
)
from quotery.quotes.states import LOCKED_STATES
from quotery.quotes.tests.conftest import (
    force_state,
    issue_today,
    quote_input,
    quote_snapshot,
    row_counts,
)
from quotery.quotes.totals import quote_totals

pytestmark = pytest.mark.django_db


# -- create ----------------------------------------------------------------------------------


def test_quote_create_stores_header_sections_lines_and_totals(company, rep, acme, acme_contact):
    data = quote_input(acme, acme_contact)
    quote = quote_create(company=company, owner=rep, data=data)
    fresh = Quote.objects.get(pk=quote.pk)
    assert fresh.state == QuoteState.DRAFT
    assert fresh.owner == rep and fresh.company == company
    assert (fresh.client, fresh.contact) == (acme, acme_contact)
    assert fresh.revision_number == 0 and fresh.first_shared_at is None
    assert list(fresh.sections.values_list("position", "title")) == [
        (0, "Section 1"),
        (1, "Section 2"),
    ]
    lines = list(Line.objects.filter(quote=quote).order_by("section__position", "position"))
    assert [line.description for line in lines] == ["Standing desk", "Desk lamp", "Installation"]
    assert all(line.company_id == company.pk for line in lines)
    # totals read back equal the pure computation on the same input
    expected = quote_totals(data.all_lines(), "EUR")
    assert [line.net_amount for line in lines] == [a.net for a in expected.lines]
    assert (fresh.subtotal, fresh.discount_total, fresh.tax_total, fresh.total) == (
        expected.subtotal,
        expected.discount_total,
        expected.tax_total,
        expected.total,
    )
    assert fresh.line_count == 3
    # 4 × 499 −10 % = 1796.40; 4 × 39.90 = 159.60; 6.5 × 65 = 422.50
    # tax 20 % of 1956.00 = 391.20; 7 % of 422.50 = 29.575 -> 29.58
    assert fresh.total == Decimal("2378.50") + Decimal("420.78")


@pytest.mark.parametrize(
    ("currency", "price", "expected_total"),
    [
        ("JPY", Decimal("333.5"), Decimal("1001")),  # 3 × 333.5 = 1000.5 -> 1001
        ("KWD", Decimal("1.2345"), Decimal("3.704")),  # 3 × 1.2345 = 3.7035 -> 3.704
        ("EUR", Decimal("0.115"), Decimal("0.35")),  # 0.345 -> 0.35
    ],
)
def test_totals_read_back_exactly_in_every_currency(
    company, rep, acme, currency, price, expected_total
):
    data = quote_input(
        acme, currency=currency, lines=[[LineInput("x", Decimal(3), price, Decimal(0), Decimal(0))]]
    )
    quote = quote_create(company=company, owner=rep, data=data)
    fresh = Quote.objects.get(pk=quote.pk)
    assert fresh.total == expected_total
    assert f"{fresh.total:f}" == f"{expected_total.quantize(Decimal('0.001')):f}"
    line = Line.objects.get(quote=quote)
    assert line.unit_price == price and line.quantity == Decimal(3)


db_lines = st.builds(
    LineInput,
    description=st.just("x"),
    quantity=st.integers(min_value=1, max_value=10**7).map(lambda n: Decimal(n).scaleb(-3)),
    unit_price=st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n).scaleb(-4)),
    discount_percent=st.integers(min_value=0, max_value=100_000).map(
        lambda n: Decimal(n).scaleb(-3)
    ),
    tax_rate=st.sampled_from([Decimal(0), Decimal("7.7"), Decimal(19), Decimal("20.000")]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(db_lines, min_size=1, max_size=8),
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_totals_and_lines_read_back_equal_the_pure_computation(company, rep, acme, lines, currency):
    # given any valid lines saved through the service
    data = quote_input(acme, currency=currency, lines=[lines])
    quote = quote_create(company=company, owner=rep, data=data)
    # when the quote and its lines are read back from the database
    fresh = Quote.objects.get(pk=quote.pk)
    stored = list(Line.objects.filter(quote=quote).order_by("position"))
    expected = quote_totals(lines, currency)
    # then every stored value equals the input and the pure computation, exactly
    fields = ("quantity", "unit_price", "discount_percent", "tax_rate")
    assert [tuple(getattr(ln, f) for f in fields) for ln in stored] == [
        tuple(getattr(ln, f) for f in fields) for ln in lines
    ]
    assert [ln.net_amount for ln in stored] == [a.net for a in expected.lines]
    assert quote_totals(stored, currency) == expected
    assert (fresh.subtotal, fresh.discount_total, fresh.tax_total, fresh.total) == (
        expected.subtotal,
        expected.discount_total,
        expected.tax_total,
        expected.total,
    )


def test_quote_create_with_a_new_client_creates_it(company, rep):
    data = quote_input(
        None,
        new_client=NewClientInput(
            name="Brand New Ltd", contact_name="Bea New", contact_email="bea@new.test"
        ),
    )
    quote = quote_create(company=company, owner=rep, data=data)
    assert quote.client.name == "Brand New Ltd"
    assert quote.client.company == company
    assert quote.contact is not None and quote.contact.email == "bea@new.test"


# -- numbering -------------------------------------------------------------------------------


NOVEMBER_2 = dt.date(2026, 11, 2)


def issued_on(client: Any, day: dt.date) -> QuoteInput:
    """An input issued on `day` (numbers follow the issue date's year, not the clock)."""
    return quote_input(client, issue_date=day, valid_until=day + dt.timedelta(days=28))


def test_numbers_increase_per_company_and_are_independent(company, other_company, rep, acme):
    other_rep = member(other_company, Role.REP)
    other_client = ClientFactory(company=other_company)
    ours = [
        quote_create(company=company, owner=rep, data=issued_on(acme, NOVEMBER_2)) for _ in range(3)
    ]
    theirs = [
        quote_create(
            company=other_company, owner=other_rep, data=issued_on(other_client, NOVEMBER_2)
        )
        for _ in range(2)
    ]
    assert [q.number for q in ours] == ["Q-2026-0001", "Q-2026-0002", "Q-2026-0003"]
    assert [q.number for q in theirs] == ["Q-2026-0001", "Q-2026-0002"]


def test_numbers_follow_the_issue_year(company, rep, acme):
    first = quote_create(company=company, owner=rep, data=issued_on(acme, NOVEMBER_2))
    next_year = quote_create(company=company, owner=rep, data=issued_on(acme, dt.date(2027, 1, 4)))
    again = quote_create(company=company, owner=rep, data=issued_on(acme, NOVEMBER_2))
    assert [first.number, next_year.number, again.number] == [
        "Q-2026-0001",
        "Q-2027-0001",
        "Q-2026-0002",
    ]


def test_a_refused_create_does_not_use_up_a_number(company, rep, acme):
    with pytest.raises(ValidationFailed):
        quote_create(company=company, owner=rep, data=quote_input(acme, title=""))
    created = quote_create(company=company, owner=rep, data=issued_on(acme, NOVEMBER_2))
    assert created.number == "Q-2026-0001"


def test_duplicate_makes_a_new_numbered_draft_with_the_same_content(new_quote, rep, time_machine):
    # given the clock on 2 November 2026 in Berlin (the copy is dated today)
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    original = new_quote()
    quote_mark_sent(quote=original, user=rep)
    copy = quote_duplicate(quote=original, user=rep)
    assert copy.number == "Q-2026-0002"
    assert copy.issue_date == NOVEMBER_2
    assert copy.state == QuoteState.DRAFT and copy.revision_number == 0
    assert copy.total == original.total
    fields = ("description", "quantity", "unit_price", "discount_percent", "tax_rate")
    assert list(
        Line.objects.filter(quote=copy)
        .order_by("section__position", "position")
        .values_list(*fields)
    ) == list(
        Line.objects.filter(quote=original)
        .order_by("section__position", "position")
        .values_list(*fields)
    )


# -- validation: ValidationFailed keyed by path, nothing written -----------------------------


@dataclass
class Others:
    """Rows that belong elsewhere: another client's contact, another company's rows."""

    company: Company
    acme_other_contact: object
    foreign_client: object
    foreign_product: object
    own_product: object


@pytest.fixture
def others(company, other_company, acme) -> Others:
    other_client = ClientFactory(company=company, name="Someone Else AG")
    return Others(
        company=company,
        acme_other_contact=ContactFactory(client=other_client, company=company),
        foreign_client=ClientFactory(company=other_company),
        foreign_product=ProductFactory(company=other_company),
        own_product=ProductFactory(company=company),
    )


def set_line(section: int, line: int, **changes: Any) -> Callable[[QuoteInput, Others], None]:
    def apply(data: QuoteInput, others: Others) -> None:
        current = data.sections[section].lines[line]
        values = {k: (v(others) if callable(v) else v) for k, v in changes.items()}
        data.sections[section].lines[line] = replace(current, **values)

    return apply


def set_header(**changes: Any) -> Callable[[QuoteInput, Others], None]:
    def apply(data: QuoteInput, others: Others) -> None:
        for key, value in changes.items():
            setattr(data, key, value(others) if callable(value) else value)

    return apply


BAD_INPUTS = {
    "negative_quantity": (
        set_line(0, 1, quantity=Decimal("-2")),
        "sections.0.lines.1.quantity",
        "more than zero",
    ),
    "zero_quantity": (
        set_line(0, 0, quantity=Decimal(0)),
        "sections.0.lines.0.quantity",
        "more than zero",
    ),
    "discount_over_100": (
        set_line(1, 0, discount_percent=Decimal("100.001")),
        "sections.1.lines.0.discount_percent",
        "between 0 % and 100 %",
    ),
    "negative_discount": (
        set_line(0, 0, discount_percent=Decimal("-5")),
        "sections.0.lines.0.discount_percent",
        "between 0 % and 100 %",
    ),
    "negative_price": (
        set_line(0, 0, unit_price=Decimal("-1")),
        "sections.0.lines.0.unit_price",
        "cannot be negative",
    ),
    "tax_over_100": (
        set_line(0, 1, tax_rate=Decimal(101)),
        "sections.0.lines.1.tax_rate",
        "between",
    ),
    "unknown_currency": (set_header(currency="XYZ"), "currency", "not a currency Quotery supports"),
    "valid_until_before_issue_date": (
        set_header(valid_until=lambda o: issue_today() - dt.timedelta(days=1)),
        "valid_until",
        "cannot expire before its issue date",
    ),
    "contact_of_another_client": (
        set_header(contact=lambda o: o.acme_other_contact),
        "contact",
        "works for another client",
    ),
    "client_of_another_company": (
        set_header(client=lambda o: o.foreign_client, contact=None),
        "client",
        "Pick one of your clients",
    ),
    "product_of_another_company": (
        set_line(0, 1, product=lambda o: o.foreign_product),
        "sections.0.lines.1.product",
        "from your catalog",
    ),
    "quantity_with_four_decimals": (
        set_line(0, 1, quantity=Decimal("1.0001")),
        "sections.0.lines.1.quantity",
        "at most 3 decimal places",
    ),
    "price_with_five_decimals": (
        set_line(1, 0, unit_price=Decimal("9.99999")),
        "sections.1.lines.0.unit_price",
        "at most 4 decimal places",
    ),
    "discount_with_four_decimals": (
        set_line(0, 0, discount_percent=Decimal("12.3456")),
        "sections.0.lines.0.discount_percent",
        "at most 3 decimal places",
    ),
    "line_amount_too_large_for_the_columns": (
        set_line(0, 0, quantity=Decimal("99999999999"), unit_price=Decimal("9999999999")),
        "sections.0.lines.0.unit_price",
        "more than 100,000,000,000",
    ),
    "empty_title": (set_header(title="   "), "title", "Give the quote a title"),
    "empty_description": (
        set_line(1, 0, description=" "),
        "sections.1.lines.0.description",
        "Describe",
    ),
    "no_client": (set_header(client=None, contact=None), "client", "Pick a client"),
}


def bad_input(name: str, acme, acme_contact, others: Others) -> tuple[QuoteInput, str, str]:
    mutate, path, message = BAD_INPUTS[name]
    data = quote_input(acme, acme_contact, title="Changed title")
    mutate(data, others)
    return data, path, message


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_quote_create_refuses_bad_input_and_writes_nothing(
    company, rep, acme, acme_contact, others, case
):
    # given input with one mistake
    data, path, message = bad_input(case, acme, acme_contact, others)
    before = row_counts()
    # when it is saved as a new quote
    with pytest.raises(ValidationFailed) as caught:
        quote_create(company=company, owner=rep, data=data)
    # then the error names the field by its path, says what is wrong, and nothing was written
    assert list(caught.value.field_errors) == [path]
    assert message in caught.value.field_errors[path][0]
    assert row_counts() == before


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_quote_update_refuses_bad_input_and_changes_nothing(
    new_quote, rep, acme, acme_contact, others, case
):
    # given a shared quote (so an accepted edit would also write a revision)
    quote = new_quote()
    quote_mark_sent(quote=quote, user=rep)
    data, path, _ = bad_input(case, acme, acme_contact, others)
    before, counts = quote_snapshot(quote), row_counts()
    # when the bad edit is saved
    with pytest.raises(ValidationFailed) as caught:
        quote_update(quote=quote, data=data, user=rep)
    # then the quote, its lines and revisions are as they were
    assert list(caught.value.field_errors) == [path]
    assert quote_snapshot(quote) == before
    assert row_counts() == counts


def test_every_mistake_is_reported_at_once(company, rep, acme, acme_contact, others):
    data = quote_input(acme, acme_contact, currency="XYZ", title="")
    set_line(0, 1, quantity=Decimal("-1"), discount_percent=Decimal(150))(data, others)
    set_line(1, 0, unit_price=Decimal("1.00001"))(data, others)
    with pytest.raises(ValidationFailed) as caught:
        quote_create(company=company, owner=rep, data=data)
    assert set(caught.value.field_errors) == {
        "currency",
        "title",
        "sections.0.lines.1.quantity",
        "sections.0.lines.1.discount_percent",
        "sections.1.lines.0.unit_price",
    }


def test_a_product_of_the_own_catalog_is_accepted_and_its_sku_kept(company, rep, acme, others):
    data = quote_input(acme)
    set_line(0, 0, product=lambda o: o.own_product)(data, others)
    quote = quote_create(company=company, owner=rep, data=data)
    line = Line.objects.get(quote=quote, section__position=0, position=0)
    assert line.product == others.own_product
    assert line.sku == others.own_product.sku


def test_largest_allowed_line_saves_and_reads_back_exactly(company, rep, acme):
    # 1,000 lines at the largest allowed amount with 100 % tax still fit the money columns
    line = LineInput("x", Decimal("10000000000"), Decimal("10"), Decimal(0), Decimal(100))
    data = quote_input(acme, lines=[[line] * 20])
    quote = quote_create(company=company, owner=rep, data=data)
    assert Quote.objects.get(pk=quote.pk).total == Decimal("4000000000000")


# -- update and locking ---------------------------------------------------------------------


def test_quote_update_replaces_content_and_totals(new_quote, rep, acme, acme_contact):
    quote = new_quote()
    data = quote_input(
        acme,
        acme_contact,
        title="Smaller fit-out",
        lines=[[LineInput("Chair", Decimal(2), Decimal("120"), Decimal(0), Decimal(20))]],
    )
    quote_update(quote=quote, data=data, user=rep)
    fresh = Quote.objects.get(pk=quote.pk)
    assert fresh.title == "Smaller fit-out"
    assert Section.objects.filter(quote=quote).count() == 1
    assert list(Line.objects.filter(quote=quote).values_list("description", flat=True)) == ["Chair"]
    assert (fresh.subtotal, fresh.tax_total, fresh.total, fresh.line_count) == (
        Decimal("240.00"),
        Decimal("48.00"),
        Decimal("288.00"),
        1,
    )


@pytest.mark.parametrize("state", sorted(LOCKED_STATES))
def test_editing_a_locked_quote_is_refused_and_nothing_is_saved(
    new_quote, rep, acme, acme_contact, state
):
    # given a shared quote that reached a locked state
    quote = new_quote()
    quote_mark_sent(quote=quote, user=rep)
    quote = force_state(quote, state)
    before, counts = quote_snapshot(quote), row_counts()
    # when someone saves an edit touching every part of it
    data = quote_input(
        acme,
        acme_contact,
        title="Sneaky change",
        notes="New terms",
        lines=[[LineInput("Gold plating", Decimal(1), Decimal("99999"), Decimal(0), Decimal(0))]],
        new_client=NewClientInput(name="Another Ltd"),
    )
    with pytest.raises(QuoteLocked, match="can no longer be edited"):
        quote_update(quote=quote, data=data, user=rep)
    # then sections, lines, title, totals, revisions and clients are unchanged
    assert quote_snapshot(quote) == before
    assert row_counts() == counts


def test_a_stale_quote_object_cannot_edit_a_quote_that_was_locked_meanwhile(new_quote, rep, acme):
    quote = new_quote()
    stale = Quote.objects.get(pk=quote.pk)  # read while still a draft
    force_state(quote, QuoteState.ACCEPTED)
    before = quote_snapshot(quote)
    with pytest.raises(QuoteLocked):
        quote_update(quote=stale, data=quote_input(acme, title="Too late"), user=rep)
    assert quote_snapshot(quote) == before


def test_a_cancelled_quote_cannot_be_edited(new_quote, rep, acme):
    quote = new_quote()
    quote_cancel(quote=quote, user=rep)
    before = quote_snapshot(quote)
    with pytest.raises(QuoteLocked, match="cancelled"):
        quote_update(quote=quote, data=quote_input(acme), user=rep)
    assert quote_snapshot(quote) == before


# -- revisions --------------------------------------------------------------------------------


def revisions(quote: Quote) -> list[int]:
    return list(QuoteRevision.objects.filter(quote=quote).values_list("number", flat=True))


def test_no_revision_before_the_first_share(new_quote, rep, acme, acme_contact):
    quote = new_quote()
    quote_update(quote=quote, data=quote_input(acme, acme_contact, title="Draft edit"), user=rep)
    quote_update(quote=quote, data=quote_input(acme, acme_contact, title="Draft edit 2"), user=rep)
    assert revisions(quote) == []
    assert Quote.objects.get(pk=quote.pk).revision_number == 0


def test_first_share_creates_revision_1_then_each_saved_edit_the_next(
    new_quote, rep, acme, acme_contact
):
    quote = new_quote()
    first = quote_mark_sent(quote=quote, user=rep)
    assert (first.number, revisions(quote)) == (1, [1])
    quote_update(quote=quote, data=quote_input(acme, acme_contact, title="Second"), user=rep)
    quote_update(quote=quote, data=quote_input(acme, acme_contact, title="Third"), user=rep)
    assert revisions(quote) == [1, 2, 3]
    fresh = Quote.objects.get(pk=quote.pk)
    assert fresh.revision_number == 3
    assert fresh.state == QuoteState.SENT  # editing a sent quote keeps it sent
    latest = QuoteRevision.objects.get(quote=quote, number=3)
    assert '"title":"Third"' in latest.content
    assert latest.total == fresh.total
    assert latest.created_by == rep


def test_an_unchanged_save_makes_no_new_revision(new_quote, rep, acme, acme_contact):
    quote = new_quote()
    quote_mark_sent(quote=quote, user=rep)
    quote_update(quote=quote, data=quote_input(acme, acme_contact), user=rep)
    assert revisions(quote) == [1]
    # sharing again without a change shows the same revision
    assert quote_mark_sent(quote=quote, user=rep).number == 1
    assert revisions(quote) == [1]


def test_an_internal_notes_edit_makes_no_new_revision(new_quote, rep, acme, acme_contact):
    quote = new_quote()
    quote_mark_sent(quote=quote, user=rep)
    quote_update(
        quote=quote, data=quote_input(acme, acme_contact, internal_notes="Call on Monday"), user=rep
    )
    assert revisions(quote) == [1]
    assert Quote.objects.get(pk=quote.pk).internal_notes == "Call on Monday"  # but it was saved


def test_revision_content_has_no_internal_notes(new_quote, rep):
    quote = new_quote(internal_notes="Secret margin 42 %")
    revision = quote_mark_sent(quote=quote, user=rep)
    assert "Secret margin" not in revision.content
    assert "internal" not in revision.content
