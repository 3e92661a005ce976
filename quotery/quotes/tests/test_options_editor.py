"""Options the client chooses, as the rep sets them up: the editor's Optional, Choose one,
Min quantity and Max quantity, the rules on impossible set-ups, the stored default total
and the revision content that binds the options."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from quotery.clients.factories import ClientFactory
from quotery.quotes.inputs import LineInput, SectionInput
from quotery.quotes.models import Line, Quote, Section
from quotery.quotes.rules import quantity_range_errors, section_option_errors
from quotery.quotes.services.quotes import quote_mark_sent
from quotery.quotes.tests.conftest import row_counts
from quotery.quotes.tests.test_views import Fields, editor_data, error_beside

pytestmark = pytest.mark.django_db

D = Decimal

# editor_data's lamp optional and left out at first; the installation adjustable 4 to 10 h.
WITH_OPTIONS = {
    "sections.0.lines.1.optional": "on",
    "sections.1.lines.0.min_quantity": "4",
    "sections.1.lines.0.max_quantity": "10",
}


def choose_one_data(acme_pk: int, **overrides: str) -> dict[str, str]:
    """Section 1 ("Labour") becomes a choose-one section of two lines, the second chosen."""
    data = editor_data(
        acme_pk,
        **{
            "sections.1.choose_one": "on",
            "sections.1.lines.1.product": "",
            "sections.1.lines.1.description": "Installation, weekend",
            "sections.1.lines.1.quantity": "6.5",
            "sections.1.lines.1.unit_price": "90",
            "sections.1.lines.1.discount_percent": "0",
            "sections.1.lines.1.tax_rate": "7",
            "sections.1.lines.1.included_by_default": "on",
        },
    )
    data.update(overrides)
    return data


def test_the_rep_saves_options_and_the_stored_total_is_that_of_the_defaults(login, rep, company):
    acme = ClientFactory(company=company)
    client = login(rep)

    live = client.post(reverse("quotes:editor_totals"), editor_data(acme.pk, **WITH_OPTIONS))
    response = client.post(reverse("quotes:new"), editor_data(acme.pk, **WITH_OPTIONS))

    assert response.status_code == 302
    quote = Quote.objects.get(company=company)
    lamp = Line.objects.get(quote=quote, description="Desk lamp")
    installation = Line.objects.get(quote=quote, description="Installation")
    assert lamp.optional and not lamp.included_by_default
    assert (installation.min_quantity, installation.max_quantity) == (D("4"), D("10"))
    # desk 1,796.40 + installation 422.50; tax 20 % of 1,796.40 = 359.28, 7 % of 422.50 = 29.58
    assert quote.total == D("2607.76")
    assert 'data-testid="editor-total">€2,607.76<' in live.content.decode()
    # and the editor shows the set-up again
    page = Fields(client.get(reverse("quotes:edit", args=[quote.pk])).content.decode())
    assert "checked" in page.controls["sections.0.lines.1.optional"]
    assert "checked" not in page.controls["sections.0.lines.1.included_by_default"]
    assert page.controls["sections.1.lines.0.min_quantity"]["value"] == "4"
    assert page.controls["sections.1.lines.0.max_quantity"]["value"] == "10"


def test_the_editor_labels_the_option_controls_as_the_design_names_them(login, rep, company):
    html = login(rep).get(reverse("quotes:new")).content.decode()
    for label in ("Optional", "Choose one", "Min quantity", "Max quantity", "Starts included"):
        assert f"> {label}</label>" in html or f">{label}</label>" in html, label


def test_a_choose_one_section_counts_only_the_line_chosen_at_first(login, rep, company):
    acme = ClientFactory(company=company)
    client = login(rep)

    response = client.post(reverse("quotes:new"), choose_one_data(acme.pk))

    assert response.status_code == 302
    quote = Quote.objects.get(company=company)
    assert Section.objects.get(quote=quote, title="Labour").choose_one
    # desk 1,796.40 + lamp 159.60 + weekend 585.00; tax 391.20 + 40.95
    assert quote.total == D("2973.15")


BAD_SET_UPS = {
    "min_above_max": (
        {"sections.1.lines.0.min_quantity": "8", "sections.1.lines.0.max_quantity": "5"},
        "sections.1.lines.0.min_quantity",
        "cannot be above the max quantity",
    ),
    "default_outside_range": (
        {"sections.1.lines.0.min_quantity": "8", "sections.1.lines.0.max_quantity": "12"},
        "sections.1.lines.0.quantity",
        "put it between the min (8) and the max (12)",
    ),
    "only_a_min": (
        {"sections.1.lines.0.min_quantity": "2"},
        "sections.1.lines.0.max_quantity",
        "Set both a min and a max quantity",
    ),
    "min_not_a_number": (
        {"sections.1.lines.0.min_quantity": "two", "sections.1.lines.0.max_quantity": "9"},
        "sections.1.lines.0.min_quantity",
        "Enter a number",
    ),
    "zero_min": (
        {"sections.1.lines.0.min_quantity": "0", "sections.1.lines.0.max_quantity": "9"},
        "sections.1.lines.0.min_quantity",
        "must be more than zero",
    ),
}


@pytest.mark.parametrize("case", BAD_SET_UPS)
def test_an_impossible_quantity_range_is_refused_beside_its_field(login, rep, company, case):
    overrides, name, message = BAD_SET_UPS[case]
    acme = ClientFactory(company=company)
    client = login(rep)
    before = row_counts()

    response = client.post(reverse("quotes:new"), editor_data(acme.pk, **overrides))

    assert response.status_code == 422
    assert message in error_beside(Fields(response.content.decode()), name)
    assert row_counts() == before


CHOOSE_ONE_PROBLEMS = {
    "one_line_only": (
        {"sections.1.choose_one": "on"},
        "needs at least two lines",
    ),
    "none_chosen_at_first": (
        {"sections.1.lines.1.included_by_default": ""},
        "Tick Starts included on exactly one line",
    ),
    "two_chosen_at_first": (
        {"sections.1.lines.0.included_by_default": "on"},
        "(2 ticked now)",
    ),
    "an_optional_line_inside": (
        {"sections.1.lines.0.optional": "on"},
        "cannot also be optional",
    ),
}


@pytest.mark.parametrize("case", CHOOSE_ONE_PROBLEMS)
def test_an_impossible_choose_one_section_is_refused_with_nothing_saved(login, rep, company, case):
    overrides, message = CHOOSE_ONE_PROBLEMS[case]
    acme = ClientFactory(company=company)
    client = login(rep)
    before = row_counts()
    data = (
        editor_data(acme.pk, **overrides)
        if case == "one_line_only"
        else choose_one_data(acme.pk, **overrides)
    )

    response = client.post(reverse("quotes:new"), data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert row_counts() == before


def test_the_options_are_bound_into_the_revision_content(rep, company):
    from quotery.quotes.services.quotes import quote_create
    from quotery.quotes.tests.conftest import quote_input

    acme = ClientFactory(company=company)
    data = quote_input(acme)
    data.sections[0].lines[1].optional = True
    data.sections[0].lines[1].included_by_default = True
    data.sections[1].lines[0].min_quantity = D("4")
    data.sections[1].lines[0].max_quantity = D("10")
    data.sections.append(
        SectionInput(
            title="Finish",
            choose_one=True,
            lines=[
                LineInput("Oak", D("1"), D("100"), tax_rate=D("20")),
                LineInput("Walnut", D("1"), D("140"), tax_rate=D("20"), included_by_default=True),
            ],
        )
    )
    quote = quote_create(company=company, owner=rep, data=data)

    content = json.loads(quote_mark_sent(quote=quote, user=rep).content)

    desk, lamp = content["sections"][0]["lines"]
    assert "optional" not in desk and "included" not in desk and "min_quantity" not in desk
    assert (lamp["optional"], lamp["included"]) == (True, True)
    installation = content["sections"][1]["lines"][0]
    assert (installation["min_quantity"], installation["max_quantity"]) == ("4", "10")
    finish = content["sections"][2]
    assert finish["choose_one"] is True and "choose_one" not in content["sections"][0]
    assert [line["included"] for line in finish["lines"]] == [False, True]
    assert "optional" not in finish["lines"][0]
    # the totals are those of the defaults: Walnut counts, Oak does not
    # 1,796.40 + 159.60 + 422.50 (7 %) + 140.00; tax 20 % of 2,096.00 = 419.20, 7 % = 29.58
    assert content["totals"]["total"] == "2967.28"


def test_a_quote_without_options_has_no_option_keys(rep, company):
    from quotery.quotes.services.quotes import quote_create
    from quotery.quotes.tests.conftest import quote_input

    quote = quote_create(
        company=company, owner=rep, data=quote_input(ClientFactory(company=company))
    )

    raw = quote_mark_sent(quote=quote, user=rep).content

    for key in ("optional", "included", "choose_one", "min_quantity", "max_quantity"):
        assert f'"{key}"' not in raw


# -- the rules on their own ------------------------------------------------------------------


def test_quantity_range_rules():
    def errors(quantity: str, low: str | None, high: str | None) -> dict[str, list[str]]:
        line = LineInput(
            "X",
            D(quantity),
            D("1"),
            min_quantity=None if low is None else D(low),
            max_quantity=None if high is None else D(high),
        )
        return quantity_range_errors(line, "p")

    assert errors("5", None, None) == {}
    assert errors("5", "1", "10") == {}
    assert errors("5", "5", "5") == {}
    assert list(errors("5", "6", "4")) == ["p.min_quantity"]
    assert list(errors("11", "1", "10")) == ["p.quantity"]
    assert list(errors("5", None, "10")) == ["p.min_quantity"]
    assert list(errors("5", "1.0001", "10")) == ["p.min_quantity"]
    assert list(errors("5", "1", "999999999999")) == ["p.max_quantity"]


def test_choose_one_rules():
    a = LineInput("A", D("1"), D("1"), included_by_default=True)
    b = LineInput("B", D("1"), D("1"))
    assert section_option_errors(SectionInput("S", [a, b], choose_one=False), "s") == {}
    assert section_option_errors(SectionInput("S", [a, b], choose_one=True), "s") == {}
    assert list(section_option_errors(SectionInput("S", [a], choose_one=True), "s")) == [
        "s.choose_one"
    ]
    assert list(section_option_errors(SectionInput("S", [b, b], choose_one=True), "s")) == [
        "s.choose_one"
    ]
    optional = LineInput("C", D("1"), D("1"), optional=True)
    assert list(section_option_errors(SectionInput("S", [a, optional], choose_one=True), "s")) == [
        "s.lines.1.optional"
    ]


def test_duplicating_a_quote_keeps_its_options(rep, company):
    from quotery.portal.tests.portal_fixtures import options_input
    from quotery.quotes.services.quotes import quote_create, quote_duplicate

    acme = ClientFactory(company=company)
    from quotery.clients.factories import ContactFactory

    ContactFactory(client=acme, company=company)
    original = quote_create(company=company, owner=rep, data=options_input(acme))

    copy = quote_duplicate(quote=original, user=rep)

    assert copy.total == original.total == D("2775.76")
    assert Section.objects.get(quote=copy, title="Finish").choose_one
    hours = Line.objects.get(quote=copy, description="Installation")
    assert (hours.min_quantity, hours.max_quantity) == (D("4"), D("10"))
    warranty = Line.objects.get(quote=copy, description="Extended warranty")
    assert warranty.optional and not warranty.included_by_default
    assert Line.objects.get(quote=copy, description="Walnut").included_by_default
