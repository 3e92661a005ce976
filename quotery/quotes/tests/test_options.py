"""The money of a configuration (quotery.quotes.options): the client's choices checked
against the revision they were shown, and the totals they come to, the same on the server
and in the page's script (static/js/quote-options.js, run here with node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotery.core.exceptions import ValidationFailed
from quotery.core.money import CURRENCY_MINOR_UNITS, money_str
from quotery.quotes.options import (
    Configuration,
    configuration_from_data,
    configured_totals,
    default_configuration,
    has_options,
)

D = Decimal
HARNESS = Path(__file__).with_name("options_harness.js")


def line(description: str, quantity: str, price: str, tax: str = "20", **extra: Any) -> dict:
    return {
        "sku": "",
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "discount_percent": extra.pop("discount", "0"),
        "tax_rate": tax,
        "net": "0.00",  # not read by the options
        **extra,
    }


# A desk (fixed), a warranty (optional, left out at first), hours adjustable 4 to 10 at 7 %,
# and a finish to choose: oak or walnut (walnut at first).
CONTENT: dict[str, Any] = {
    "currency": "EUR",
    "sections": [
        {
            "title": "Furniture",
            "lines": [
                line("Standing desk", "4", "499", discount="10"),
                line("Extended warranty", "1", "89.90", optional=True, included=False),
                line("Installation", "6.5", "65", tax="7", min_quantity="4", max_quantity="10"),
            ],
        },
        {
            "title": "Finish",
            "choose_one": True,
            "lines": [
                line("Oak", "1", "100", included=False),
                line("Walnut", "1", "140", included=True),
            ],
        },
    ],
}


def figures(content: dict[str, Any], config: Configuration) -> dict[str, Any]:
    """The server's answer in the script's shape: canonical money strings."""
    currency = content["currency"]
    result = configured_totals(content, config)
    counted = {item.key for item in result.counted}
    every = sorted([*result.counted, *result.not_taken], key=lambda item: item.key)
    totals = result.totals
    return {
        "lines": [
            {"key": i.key, "net": money_str(i.net, currency), "counted": i.key in counted}
            for i in sorted(every, key=lambda i: tuple(int(p) for p in i.key.split(".")))
        ],
        "section_subtotals": [money_str(s, currency) for s in result.section_subtotals],
        "subtotal": money_str(totals.subtotal, currency),
        "discount": money_str(totals.discount_total, currency),
        "taxes": [
            {"rate": f"{t.rate.normalize():f}", "amount": money_str(t.amount, currency)}
            for t in totals.taxes
        ],
        "tax": money_str(totals.tax_total, currency),
        "total": money_str(totals.total, currency),
    }


# -- defaults and totals, answers written out ------------------------------------------------


def test_the_default_configuration_is_what_the_rep_set_up():
    config = default_configuration(CONTENT)
    assert config.as_data() == {
        "included": {"0.1": False},
        "chosen": {"1": "1.1"},
        "quantities": {"0.2": "6.5"},
    }
    assert has_options(CONTENT)
    assert not has_options({"sections": [{"title": "A", "lines": [line("X", "1", "1")]}]})


def test_the_defaults_come_to_the_rep_s_total():
    result = configured_totals(CONTENT, default_configuration(CONTENT))
    # desk 1,796.40 + installation 422.50 + walnut 140.00 = 2,358.90;
    # tax 20 % of 1,936.40 = 387.28, 7 % of 422.50 = 29.575 -> 29.58
    assert result.totals.total == D("2775.76")
    assert result.section_subtotals == [D("2218.90"), D("140.00")]
    assert [item.description for item in result.not_taken] == ["Extended warranty", "Oak"]


def test_adding_the_option_choosing_oak_and_raising_the_hours():
    config = configuration_from_data(
        CONTENT,
        {"included": {"0.1": True}, "chosen": {"1": "1.0"}, "quantities": {"0.2": "8"}},
    )
    result = configured_totals(CONTENT, config)
    # desk 1,796.40 + warranty 89.90 + 8 h x 65 = 520.00 + oak 100.00 = 2,506.30;
    # tax 20 % of 1,986.30 = 397.26, 7 % of 520.00 = 36.40
    assert result.totals.subtotal == D("2506.30")
    assert [(t.rate, t.amount) for t in result.totals.taxes] == [
        (D("7"), D("36.40")),
        (D("20"), D("397.26")),
    ]
    assert result.totals.total == D("2939.96")
    assert [item.description for item in result.not_taken] == ["Walnut"]


def test_the_configuration_hash_is_that_of_its_canonical_json():
    config = default_configuration(CONTENT)
    assert config.canonical_json() == (
        b'{"chosen":{"1":"1.1"},"included":{"0.1":false},"quantities":{"0.2":"6.5"}}'
    )
    same = configuration_from_data(CONTENT, {"quantities": {"0.2": "6.50"}})
    assert same.hash() == config.hash()


BAD_CONFIGURATIONS = {
    "unknown_line": ({"included": {"7.3": True}}, "no such line"),
    "removing_a_fixed_line": ({"included": {"0.0": False}}, "cannot be removed"),
    "not_a_bool": ({"included": {"0.1": "yes"}}, "Tick or untick"),
    "two_choices": ({"chosen": {"1": ["1.0", "1.1"]}}, "Choose one line only in “Finish”"),
    "a_line_of_another_section": ({"chosen": {"1": "0.0"}}, "Choose one of the lines"),
    "choosing_in_a_plain_section": ({"chosen": {"0": "0.0"}}, "no such line"),
    "quantity_too_high": ({"quantities": {"0.2": "11"}}, "must be between 4 and 10"),
    "quantity_too_low": ({"quantities": {"0.2": "3.999"}}, "must be between 4 and 10"),
    "quantity_not_a_number": ({"quantities": {"0.2": "eight"}}, "Enter a number"),
    "quantity_infinite": ({"quantities": {"0.2": "Infinity"}}, "Enter a number"),
    "quantity_a_float": ({"quantities": {"0.2": 8.5}}, "Enter a number"),
    "quantity_huge": ({"quantities": {"0.2": "9" * 5000}}, "Enter a number"),
    "quantity_decimals": ({"quantities": {"0.2": "5.0001"}}, "at most 3 decimal places"),
    "fixed_quantity": ({"quantities": {"0.0": "5"}}, "is fixed"),
    "unknown_key": ({"discount": "100"}, "could not be read"),
    "not_an_object": (["0.1"], "could not be read"),
    "included_not_an_object": ({"included": ["0.1"]}, "could not be read"),
}


@pytest.mark.parametrize("case", BAD_CONFIGURATIONS)
def test_a_configuration_the_quote_does_not_offer_is_refused_clearly(case):
    data, message = BAD_CONFIGURATIONS[case]
    with pytest.raises(ValidationFailed) as refused:
        configuration_from_data(CONTENT, data)
    assert message in refused.value.message
    assert refused.value.message.startswith("Your choices were not changed")


# -- the page's script computes the same figures as the server --------------------------------


@pytest.fixture(scope="module")
def script() -> Iterator[Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the client page's script")
    process = subprocess.Popen(  # noqa: S603 (a fixed command)
        [node, str(HARNESS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdin is not None and process.stdout is not None

    def run(content: dict[str, Any], config: Configuration) -> dict[str, Any]:
        digits = CURRENCY_MINOR_UNITS[content["currency"]]
        case = {"content": content, "config": config.as_data(), "digits": digits}
        process.stdin.write(json.dumps(case) + "\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        return json.loads(process.stdout.readline())  # type: ignore[union-attr]

    yield run
    process.stdin.close()
    process.wait(timeout=10)


def test_the_script_agrees_on_the_written_out_example(script):
    config = configuration_from_data(
        CONTENT,
        {"included": {"0.1": True}, "chosen": {"1": "1.0"}, "quantities": {"0.2": "8"}},
    )
    answer = script(CONTENT, config)
    assert answer["total"] == "2939.96"
    assert answer == figures(CONTENT, config)


def decimals(low: int, high: int, places: int) -> st.SearchStrategy[str]:
    scale = 10**places
    return st.integers(low, high * scale).map(lambda n: f"{(D(n) / scale).normalize():f}")


@st.composite
def quotes_with_choices(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A revision's content with options of every kind, and a client's choices in it."""
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD", "CHF"]))
    sections = []
    data: dict[str, Any] = {"included": {}, "chosen": {}, "quantities": {}}
    for i in range(draw(st.integers(1, 3))):
        choose_one = draw(st.booleans())
        count = draw(st.integers(2 if choose_one else 1, 4))
        starting = draw(st.integers(0, count - 1))
        lines = []
        for j in range(count):
            key = f"{i}.{j}"
            quantity = draw(decimals(1, 500, 3).filter(lambda q: D(q) > 0))
            extra: dict[str, Any] = {"discount": draw(decimals(0, 100, 3))}
            if choose_one:
                extra["included"] = j == starting
            elif draw(st.booleans()):
                extra.update(optional=True, included=draw(st.booleans()))
                data["included"][key] = draw(st.booleans())
            if draw(st.booleans()):
                low = D(draw(decimals(0, int(D(quantity)), 3).filter(lambda q: D(q) > 0)) or "1")
                low = min(low, D(quantity))
                high = D(quantity) + D(draw(decimals(0, 500, 3)))
                extra.update(min_quantity=f"{low:f}", max_quantity=f"{high.normalize():f}")
                chosen_quantity = draw(
                    st.decimals(low, high, places=3, allow_nan=False, allow_infinity=False)
                )
                data["quantities"][key] = f"{chosen_quantity.normalize():f}"
            price = draw(decimals(0, 20000, 4))
            tax = draw(st.sampled_from(["0", "7.7", "19.6", "20", "5.5", "100"]))
            lines.append(line(f"Line {key}", quantity, price, tax=tax, **extra))
        if choose_one:
            data["chosen"][str(i)] = f"{i}.{draw(st.integers(0, count - 1))}"
        section: dict[str, Any] = {"title": f"Section {i}", "lines": lines}
        if choose_one:
            section["choose_one"] = True
        sections.append(section)
    return {"currency": currency, "sections": sections}, data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=quotes_with_choices())
def test_any_combination_gives_the_same_totals_on_the_server_and_in_the_page(script, case):
    content, data = case
    config = configuration_from_data(content, data)
    server = figures(content, config)
    # the totals are the sums the money rules make of the lines counted
    counted = [D(item["net"]) for item in server["lines"] if item["counted"]]
    assert D(server["subtotal"]) == sum(counted, D(0))
    assert D(server["total"]) == D(server["subtotal"]) + sum(
        (D(t["amount"]) for t in server["taxes"]), D(0)
    )
    assert script(content, config) == server


# -- through the database: what the editor saves is what the revision binds -----------------


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=quotes_with_choices())
def test_a_saved_quote_s_revision_prices_any_choice_as_the_script_does(script, company, rep, case):
    from django.db import transaction

    from quotery.clients.factories import ClientFactory
    from quotery.quotes.inputs import LineInput, SectionInput
    from quotery.quotes.services.quotes import quote_create, quote_mark_sent
    from quotery.quotes.tests.conftest import quote_input

    generated, data = case
    try:
        with transaction.atomic():
            sections = [
                SectionInput(
                    title=section["title"],
                    choose_one=bool(section.get("choose_one")),
                    lines=[
                        LineInput(
                            description=item["description"],
                            quantity=D(item["quantity"]),
                            unit_price=D(item["unit_price"]),
                            discount_percent=D(item["discount_percent"]),
                            tax_rate=D(item["tax_rate"]),
                            optional=bool(item.get("optional")),
                            included_by_default=bool(item.get("included")),
                            min_quantity=D(item["min_quantity"])
                            if "min_quantity" in item
                            else None,
                            max_quantity=D(item["max_quantity"])
                            if "max_quantity" in item
                            else None,
                        )
                        for item in section["lines"]
                    ],
                )
                for section in generated["sections"]
            ]
            quote_data = quote_input(ClientFactory(company=company))
            quote_data.currency = generated["currency"]
            quote_data.sections = sections
            quote = quote_create(company=company, owner=rep, data=quote_data)
            revision = quote_mark_sent(quote=quote, user=rep)
            content = json.loads(revision.content)
            # the stored totals are those of the rep's defaults
            defaults = configured_totals(content, default_configuration(content))
            assert defaults.totals.total == quote.total == revision.total
            assert content["totals"]["total"] == money_str(quote.total, quote.currency)
            # and any choice is priced alike by the server and the page
            config = configuration_from_data(content, data)
            assert script(content, config) == figures(content, config)
            raise Rollback
    except Rollback:
        pass
