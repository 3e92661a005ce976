"""The figures of a quote with options, in a real Chromium: for any combination of choices
(drawn by hypothesis) the page's script shows, at once, exactly what the server shows once
Update total has posted the same choices, and the server's total: every line, section
subtotal, tax per rate (and which rates are shown), discount, total and deposit, in a
currency of 2, 3 and 0 minor digits.

quotery/quotes/tests/test_options.py runs the script's arithmetic (node) against the
server's; this runs the page itself: the controls read into choices, the figures written
into the cells, the money written as the server writes it.

Exercises: static/js/quote-options.js, quotery.portal.views.choices,
quotery.portal.presentation, quotery.quotes.options.configured_totals
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.core.money import format_money
from quotery.portal.services.sharing import share_send
from quotery.portal.tests.portal_fixtures import Shared
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.options import configuration_from_data, configured_totals
from quotery.quotes.services.quotes import quote_create
from quotery.sharing.links import share_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal
CURRENCIES = ["EUR", "KWD", "JPY"]
CHAIRS = ["Mesh", "Leather", "Kneeling"]
# Every figure the page's script writes that the client sees (a tax rate no line counted
# has its row hidden: the script leaves the amount it had there, the server writes 0), and
# which tax rows and lines it shows as counted.
FIGURES = """() => ({
  cells: [...document.querySelectorAll("[data-option-total]")]
    .filter(cell => !cell.closest("[hidden]"))
    .map(cell => cell.dataset.optionTotal + " " + cell.textContent.trim()),
  taxRows: [...document.querySelectorAll("[data-option-tax-row]")]
    .map(row => row.dataset.optionTaxRow + (row.hidden ? " hidden" : " shown")),
  leftOut: [...document.querySelectorAll("[data-option-line].is-left-out")]
    .map(row => row.dataset.optionLine),
})"""


def awkward_quote(currency: str) -> QuoteInput:
    """Prices of four decimals, discounts of three, quantities of three, four tax rates,
    two optional lines (one in at first), adjustable hours and a choice of three chairs."""
    company = CompanyFactory(name=f"Northwind {currency}")
    client = ClientFactory(company=company, name="Globex Corporation")
    ContactFactory(client=client, company=company, name="Hank Scorpio", email="hank@globex.test")
    today = timezone.localdate(timezone=company.zone)
    return QuoteInput(
        client=client,
        contact=client.contacts.first(),
        title="Chairs and arms",
        currency=currency,
        issue_date=today,
        valid_until=today + dt.timedelta(days=30),
        deposit_percent=D("33.33") if currency == "EUR" else D(0),
        sections=[
            SectionInput(
                title="Hardware",
                lines=[
                    LineInput("Monitor arm", D("3"), D("33.3333"), D("12.5"), D("19.6")),
                    LineInput("Cable kit", D("2.5"), D("7.4999"), tax_rate=D("7.7"), optional=True),
                    LineInput(
                        "Assembly",
                        D("1.5"),
                        D("48.125"),
                        D("3.333"),
                        D("19.6"),
                        min_quantity=D("0.5"),
                        max_quantity=D("12.75"),
                    ),
                    LineInput(
                        "Spare feet",
                        D("4"),
                        D("0.3333"),
                        tax_rate=D("19.6"),
                        optional=True,
                        included_by_default=True,
                    ),
                ],
            ),
            SectionInput(
                title="Chair",
                choose_one=True,
                lines=[
                    LineInput("Mesh", D("2"), D("189.995"), tax_rate=D("19.6")),
                    LineInput(
                        "Leather",
                        D("2"),
                        D("249.4949"),
                        D("7.5"),
                        D("5.5"),
                        included_by_default=True,
                    ),
                    LineInput("Kneeling", D("1"), D("99.99"), tax_rate=D("0")),
                ],
            ),
        ],
    )


def shared_awkward_quote(currency: str) -> Shared:
    data = awkward_quote(currency)
    company = data.client.company  # type: ignore[union-attr]
    rep = member(company, Role.REP, email=f"rep@{currency.lower()}.test")
    quote = quote_create(company=company, owner=rep, data=data)
    share = share_send(
        quote=quote, user=rep, recipient_name="Hank Scorpio", recipient_email="hank@globex.test"
    )
    token = share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    return Shared(quote=quote, share=share, token=token)


@pytest.fixture
def client_pages(browser, live_server) -> Iterator[dict[str, tuple[Shared, Any]]]:  # type: ignore[no-untyped-def]
    """Per currency, the shared quote and the client's page of it, at a phone's width."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    try:
        pages = {}
        for currency in CURRENCIES:
            shared = shared_awkward_quote(currency)
            page = context.new_page()
            page.goto(shared.url)
            pages[currency] = (shared, page)
        yield pages
    finally:
        context.close()


def server_total(shared: Shared, data: dict[str, Any]) -> str:
    content = json.loads(shared.quote.revisions.get().content)
    result = configured_totals(content, configuration_from_data(content, data))
    return format_money(result.totals.total, content["currency"])


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # A failing example is reported as drawn: shrinking it would reload pages for minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
# Walnut's 5.5 % left behind when another chair is chosen; 3 minor digits.
@example(currency="KWD", cable=False, feet=False, chair=0, hours=D("0.515"))
# The most expensive of everything, in yen.
@example(currency="JPY", cable=True, feet=True, chair=1, hours=D("12.75"))
@given(
    currency=st.sampled_from(CURRENCIES),
    cable=st.booleans(),
    feet=st.booleans(),
    chair=st.integers(0, 2),
    hours=st.decimals(min_value=D("0.5"), max_value=D("12.75"), places=3),
)
def test_any_choice_shows_the_same_figures_from_the_script_and_from_the_server(  # type: ignore[no-untyped-def]
    client_pages, currency, cable, feet, chair, hours
) -> None:
    shared, page = client_pages[currency]
    hours_text = f"{hours.normalize():f}"

    # when the client makes the choices on the page
    page.get_by_role("checkbox", name="Cable kit").set_checked(cable)
    page.get_by_role("checkbox", name="Spare feet").set_checked(feet)
    page.get_by_role("radio", name=CHAIRS[chair]).check()
    quantity = page.get_by_label("Quantity for Assembly")
    quantity.fill(hours_text)
    quantity.press("Tab")

    # then the script shows the server's total at once
    data = {
        "included": {"0.1": cable, "0.3": feet},
        "chosen": {"1": f"1.{chair}"},
        "quantities": {"0.2": hours_text},
    }
    expect(page.get_by_test_id("quote-total")).to_have_text(server_total(shared, data))
    by_script = page.evaluate(FIGURES)

    # and every figure it shows is the one the server shows for the same choices
    with page.expect_navigation():
        page.get_by_role("button", name="Update total").click()
    expect(page.get_by_test_id("quote-total")).to_have_text(server_total(shared, data))
    assert page.get_by_label("Quantity for Assembly").input_value() == hours_text
    assert page.evaluate(FIGURES) == by_script
