"""The rep builds a quote in the editor in a real browser (issue: the quoting app).

Exercises: quotery.demo.management.commands.seed_demo, django.contrib.auth.views.LoginView,
quotery.quotes.views.editor_totals_view, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_list, quotery.quotes.views.quote_new
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from quotery.accounts.factories import DEFAULT_PASSWORD, CompanyFactory, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.quotes.models import Quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Quotes").wait_for()


def test_rep_builds_a_quote_with_two_sections_and_three_lines(page) -> None:  # type: ignore[no-untyped-def]
    # given a rep with a client and a product in the catalog
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    client = ClientFactory(company=company, name="Globex Corporation")
    ContactFactory(client=client, company=company, name="Hank Scorpio", email="hank@globex.test")
    ProductFactory(
        company=company,
        sku="DSK-160",
        name="Standing desk 160 cm",
        unit_price=Decimal("499.00"),
        tax_rate=Decimal("20"),
        stock=Decimal(12),
    )

    # when the rep logs in and opens a new quote
    log_in(page, rep.email)
    page.get_by_role("link", name="New quote").click()
    page.get_by_label("Client", exact=True).select_option(label="Globex Corporation")
    # picking the client offers only their contacts and picks their first one
    contact = page.get_by_label("Contact", exact=True)
    expect_selected_text(contact, "Hank Scorpio <hank@globex.test>")
    page.get_by_label("Title", exact=True).fill("Office fit-out, 3rd floor")

    # first section: a product line and a free-text line
    first = page.get_by_role("region", name="Section 1")
    first.get_by_label("Section title").fill("Furniture")
    line1 = first.get_by_role("group", name="Line 1 of section 1")
    line1.get_by_label("Product").select_option(label="DSK-160 · Standing desk 160 cm")
    expect_value(line1.get_by_label("Description"), "Standing desk 160 cm")
    line1.get_by_label("Quantity", exact=True).fill("4")
    line1.get_by_label("Discount %").fill("10")
    first.get_by_role("button", name="Add line").click()
    line2 = first.get_by_role("group", name="Line 2 of section 1")
    line2.get_by_label("Description").fill("Assembly and installation")
    line2.get_by_label("Quantity", exact=True).fill("6")
    line2.get_by_label("Unit price").fill("45")
    line2.get_by_label("Tax %").fill("7")

    # second section with one line
    page.get_by_role("button", name="Add section").click()
    second = page.get_by_role("region", name="Section 2")
    second.get_by_label("Section title").fill("Delivery")
    line3 = second.get_by_role("group", name="Line 1 of section 2")
    line3.get_by_label("Description").fill("Delivery to site")
    line3.get_by_label("Quantity", exact=True).fill("1")
    line3.get_by_label("Unit price").fill("120.50")

    # then the live totals show the right amounts before saving
    # 4 x 499 x 0.9 = 1796.40; 6 x 45 = 270.00; 120.50 -> subtotal 2186.90
    # tax 20 % on 1916.90 = 383.38; 7 % on 270.00 = 18.90 -> total 2589.18
    total = page.get_by_test_id("editor-total")
    expect_text(total, "€2,589.18")

    # when the rep saves
    page.get_by_role("button", name="Save quote").click()

    # then the detail page shows the quote with its totals
    page.get_by_text(re.compile(r"Quote Q-\d{4}-0001 saved")).wait_for()
    expect_text(page.get_by_test_id("quote-total"), "€2,589.18")
    quote = Quote.objects.get(company=company)
    assert quote.total == Decimal("2589.18")
    assert quote.line_count == 3
    assert [s.title for s in quote.sections.order_by("position")] == ["Furniture", "Delivery"]

    # and the quote is in the list, found by searching the client
    page.get_by_role("link", name="Quotes", exact=True).first.click()
    page.get_by_label("Search").fill("Globex")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text=quote.number)
    expect_text(row, "Globex Corporation")
    expect_text(row, "€2,589.18")


def test_bad_line_input_is_explained_and_nothing_is_saved(page) -> None:  # type: ignore[no-untyped-def]
    company = CompanyFactory(name="Northwind")
    rep = member(company, Role.REP, email="rita@northwind.test")
    ClientFactory(company=company, name="Globex Corporation")
    log_in(page, rep.email)
    page.get_by_role("link", name="New quote").click()
    page.get_by_label("Client", exact=True).select_option(label="Globex Corporation")
    page.get_by_label("Title", exact=True).fill("Chairs")
    line = page.get_by_role("group", name="Line 1 of section 1")
    line.get_by_label("Description").fill("Ergonomic chair")
    line.get_by_label("Quantity", exact=True).fill("-3")
    line.get_by_label("Unit price").fill("250")
    line.get_by_label("Discount %").fill("120")
    page.get_by_role("button", name="Save quote").click()

    page.get_by_text("Quantity must be more than zero.").wait_for()
    page.get_by_text("The discount must be between 0 % and 100 %.").wait_for()
    line = page.get_by_role("group", name="Line 1 of section 1")
    assert line.get_by_label("Quantity", exact=True).input_value() == "-3"
    assert line.get_by_label("Description").input_value() == "Ergonomic chair"
    assert not Quote.objects.filter(company=company).exists()


def expect_text(locator, text: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text)


def expect_value(locator, value: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    expect(locator).to_have_value(value)


def expect_selected_text(select, text: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    expect(select.locator("option:checked")).to_have_text(text)


def test_demo_rep_builds_a_quote_from_the_demo_catalog(page) -> None:  # type: ignore[no-untyped-def]
    # given the demo data a newcomer gets from bin/dev
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)

    # when the demo rep logs in with the README's password and builds a quote
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("rep@northwind.example")
    page.get_by_label("Password").fill("demo-rep-2026")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="New quote").click()
    page.get_by_label("Client", exact=True).select_option(label="Sternwerk Software GmbH")
    page.get_by_label("Title", exact=True).fill("Sit-stand desks for the new team room")

    first = page.get_by_role("region", name="Section 1")
    first.get_by_label("Section title").fill("Desks and chairs")
    pick_product(first, 1, 1, "NW-DSK-160 · Electric sit-stand desk, 160 × 80 cm", "4", "10")
    first.get_by_role("button", name="Add line").click()
    pick_product(first, 1, 2, "NW-CHR-AALTO · Ergonomic office chair Aalto, mesh back", "4")
    page.get_by_role("button", name="Add section").click()
    second = page.get_by_role("region", name="Section 2")
    second.get_by_label("Section title").fill("Installation")
    pick_product(second, 2, 1, "NW-SVC-ASM · Furniture assembly, per hour", "6")

    # then: 4 x 649 x 0.9 = 2,336.40; 4 x 289 = 1,156.00; 6 x 65 = 390.00 -> 3,882.40
    # tax 19 % = 737.66 -> total 4,620.06
    expect_text(page.get_by_test_id("editor-total"), "€4,620.06")
    page.get_by_role("button", name="Save quote").click()
    expect_text(page.get_by_test_id("quote-total"), "€4,620.06")
    number = page.get_by_text(re.compile(r"Quote Q-\d{4}-\d{4} saved")).inner_text().split()[1]

    # and it is the newest quote in the rep's list
    page.get_by_role("link", name="Quotes", exact=True).first.click()
    first_row = page.get_by_role("row").nth(1)
    expect_text(first_row, number)
    expect_text(first_row, "Sternwerk Software GmbH")
    expect_text(first_row, "€4,620.06")


def pick_product(
    section,
    section_no: int,
    line_no: int,
    label: str,
    quantity: str,  # type: ignore[no-untyped-def]
    discount: str = "",
) -> None:
    line = section.get_by_role("group", name=f"Line {line_no} of section {section_no}")
    line.get_by_label("Product").select_option(label=label)
    expect_value(line.get_by_label("Description"), label.split(" · ", 1)[1])
    line.get_by_label("Quantity", exact=True).fill(quantity)
    if discount:
        line.get_by_label("Discount %").fill(discount)
