"""The product list, adding and editing products (quotery.catalog.views): who may open them,
what they show, and forms that keep what was typed. A product's page and its stock
adjustment are the quotes app's (quotery/quotes/tests/test_product_views.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import Product, StockLevel, StockMovement

Login = Callable[[User], HttpClient]

pytestmark = pytest.mark.django_db

NON_ADMINS = [Role.REP, Role.MANAGER, Role.FINANCE]
ALL_ROLES = [Role.REP, Role.MANAGER, Role.FINANCE, Role.ADMIN]


def product_post(**overrides: str) -> dict[str, str]:
    data = {
        "sku": "DESK-120",
        "name": "Standing desk",
        "description": "Two motors",
        "unit_price": "499.90",
        "tax_rate": "20",
        "tracks_stock": "on",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def snapshot() -> tuple[int, int, int]:
    return Product.objects.count(), StockLevel.objects.count(), StockMovement.objects.count()


# list


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_sees_the_product_list(company: Company, login: Login, role: Role) -> None:
    ProductFactory(company=company, sku="DESK-120", name="Standing desk")

    response = login(member(company, role)).get(reverse("catalog:list"))

    assert response.status_code == 200
    assert "DESK-120" in response.text


def test_product_list_needs_a_login(client: HttpClient) -> None:
    response = client.get(reverse("catalog:list"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_product_list_shows_price_in_company_currency_and_stock_columns(
    company: Company, rep: User, login: Login
) -> None:
    # given
    company.default_currency = "USD"
    company.save()
    product = ProductFactory(
        company=company, unit_price=Decimal("1234.5"), tax_rate=Decimal("7.5"), stock=Decimal("10")
    )
    StockLevel.objects.filter(product=product).update(reserved=Decimal("3"))

    # when
    response = login(rep).get(reverse("catalog:list"))

    # then
    row = response.text.split(product.sku, 1)[1].split("</tr>", 1)[0]
    assert "$1,234.50" in row
    assert "7.5 %" in row
    cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]
    assert cells[-3:] == ["10", "3", "7"]


def test_product_list_hides_other_companies_products(
    company: Company, other_company: Company, rep: User, login: Login
) -> None:
    ProductFactory(company=other_company, sku="FOREIGN-1")

    response = login(rep).get(reverse("catalog:list"))

    assert "FOREIGN-1" not in response.text


def test_product_list_search_and_active_filter(company: Company, rep: User, login: Login) -> None:
    ProductFactory(company=company, sku="DESK-1", name="Desk", is_active=True)
    ProductFactory(company=company, sku="DESK-2", name="Old desk", is_active=False)
    ProductFactory(company=company, sku="LAMP-1", name="Lamp")

    response = login(rep).get(reverse("catalog:list"), {"q": "desk", "active": "active"})

    assert "DESK-1" in response.text
    assert "DESK-2" not in response.text
    assert "LAMP-1" not in response.text
    assert 'value="desk"' in response.text


def test_product_list_paginates(company: Company, rep: User, login: Login) -> None:
    for n in range(30):
        ProductFactory(company=company, sku=f"P-{n:02d}", name=f"Product {n:02d}")

    response = login(rep).get(reverse("catalog:list"), {"page": "2", "q": "Product"})

    assert "Page 2 of 2 · 30 products" in response.text
    assert "P-29" in response.text
    assert "P-00" not in response.text
    assert "q=Product&amp;page=1" in response.text


def test_product_list_runs_the_same_number_of_queries_for_5_and_50_rows(
    company: Company, rep: User, login: Login
) -> None:
    http = login(rep)

    def queries_for(rows: int) -> int:
        Product.objects.all().delete()
        for _ in range(rows):
            ProductFactory(company=company, stock=Decimal("2"))
        with CaptureQueriesContext(connection) as captured:
            response = http.get(reverse("catalog:list"), {"page": "1"})
        assert response.status_code == 200
        return len(captured)

    assert queries_for(5) == queries_for(50)


def test_product_list_stays_within_a_fixed_query_budget(
    company: Company, rep: User, login: Login, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(25):
        ProductFactory(company=company, stock=Decimal("1"))
    http = login(rep)

    with django_assert_max_num_queries(6):
        http.get(reverse("catalog:list"))


# create


def test_admin_creates_a_product_with_opening_stock(
    company: Company, admin_user: User, login: Login
) -> None:
    http = login(admin_user)
    form = http.get(reverse("catalog:new"))
    assert 'name="tax_rate" value="20"' in form.text
    assert "In EUR, before tax." in form.text

    response = http.post(reverse("catalog:new"), product_post(initial_stock="8"))

    product = Product.objects.get(company=company, sku="DESK-120")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:detail", args=[product.pk])
    assert product.unit_price == Decimal("499.90")
    assert product.stock.on_hand == Decimal("8")
    assert StockMovement.objects.get(product=product).user == admin_user


def test_sku_clash_shows_a_clear_message_keeps_the_input_and_saves_nothing(
    company: Company, admin_user: User, login: Login
) -> None:
    # given
    ProductFactory(company=company, sku="DESK-120")
    before = snapshot()

    # when
    response = login(admin_user).post(
        reverse("catalog:new"), product_post(sku="desk-120", name="Typed name", initial_stock="4")
    )

    # then
    assert response.status_code == 422
    assert "Another product already uses the SKU “desk-120”." in response.text
    assert 'value="desk-120"' in response.text
    assert 'value="Typed name"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("unit_price", "abc", "Enter a number, like 120 or 99.90."),
        ("unit_price", "-5", "The unit price cannot be negative."),
        ("unit_price", "1.23456", "Use at most 4 decimal places."),
        ("tax_rate", "120", "The tax rate must be between 0 % and 100 %."),
        ("sku", "", "Give the product a SKU."),
        ("name", "", "Give the product a name."),
        ("initial_stock", "-1", "Opening stock cannot be negative."),
    ],
)
def test_bad_product_input_is_explained_beside_the_field_and_nothing_is_saved(
    company: Company, admin_user: User, login: Login, field: str, value: str, message: str
) -> None:
    before = snapshot()

    response = login(admin_user).post(reverse("catalog:new"), product_post(**{field: value}))

    assert response.status_code == 422
    assert message in response.text
    if value:
        assert f'value="{value}"' in response.text
    assert snapshot() == before


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_create_products(company: Company, login: Login, role: Role) -> None:
    http = login(member(company, role))

    assert http.get(reverse("catalog:new")).status_code == 404
    assert http.post(reverse("catalog:new"), product_post()).status_code == 404
    assert not Product.objects.exists()


# edit


def test_admin_edits_a_product(company: Company, admin_user: User, login: Login) -> None:
    product = ProductFactory(company=company, sku="OLD", unit_price=Decimal("100"))
    http = login(admin_user)
    form = http.get(reverse("catalog:edit", args=[product.pk]))
    assert 'value="100"' in form.text

    response = http.post(
        reverse("catalog:edit", args=[product.pk]),
        product_post(sku="NEW", unit_price="120.5", is_active=""),
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.sku, product.unit_price, product.is_active) == ("NEW", Decimal("120.5"), False)


def test_edit_with_a_taken_sku_keeps_the_input_and_changes_nothing(
    company: Company, admin_user: User, login: Login
) -> None:
    ProductFactory(company=company, sku="TAKEN")
    product = ProductFactory(company=company, sku="MINE", name="Mine")

    response = login(admin_user).post(
        reverse("catalog:edit", args=[product.pk]), product_post(sku="TAKEN", name="Renamed")
    )

    assert response.status_code == 422
    assert "Another product already uses the SKU “TAKEN”." in response.text
    assert 'value="Renamed"' in response.text
    product.refresh_from_db()
    assert (product.sku, product.name) == ("MINE", "Mine")


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_edit_products(company: Company, login: Login, role: Role) -> None:
    product = ProductFactory(company=company, name="Unchanged")
    http = login(member(company, role))
    url = reverse("catalog:edit", args=[product.pk])

    assert http.get(url).status_code == 404
    assert http.post(url, product_post(name="Changed")).status_code == 404
    product.refresh_from_db()
    assert product.name == "Unchanged"


def test_security_23_product_edit_of_another_company_is_404(
    other_company: Company, admin_user: User, login: Login
) -> None:
    foreign = ProductFactory(company=other_company, name="Theirs")
    http = login(admin_user)
    url = reverse("catalog:edit", args=[foreign.pk])

    assert http.get(url).status_code == 404
    assert http.post(url, product_post(name="Mine now")).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"
