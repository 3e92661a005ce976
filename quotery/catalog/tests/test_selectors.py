"""Catalog reads: scoped to the company, filtered as asked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from pytest_django import DjangoAssertNumQueries

from quotery.accounts.models import Company, User
from quotery.catalog.factories import ProductFactory
from quotery.catalog.selectors import (
    ActiveFilter,
    ProductFilters,
    product_detail,
    product_list,
    stock_movements_for,
)
from quotery.catalog.services import stock_adjust

pytestmark = pytest.mark.django_db


def skus(products) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.sku for p in products]


def test_product_list_shows_only_the_companys_products_by_name(
    company: Company, other_company: Company
) -> None:
    ProductFactory(company=company, sku="B-1", name="Bench")
    ProductFactory(company=company, sku="A-1", name="Armchair")
    ProductFactory(company=other_company, sku="X-1", name="Another company's")

    assert skus(product_list(company=company, filters=ProductFilters())) == ["A-1", "B-1"]


def test_product_list_searches_sku_and_name_ignoring_case(
    company: Company, other_company: Company
) -> None:
    ProductFactory(company=company, sku="DESK-120", name="Standing desk")
    ProductFactory(company=company, sku="CH-1", name="Desk chair")
    ProductFactory(company=company, sku="LMP-1", name="Lamp")
    ProductFactory(company=other_company, sku="DESK-9", name="Desk elsewhere")

    found = product_list(company=company, filters=ProductFilters(search=" desk "))

    assert sorted(skus(found)) == ["CH-1", "DESK-120"]


@pytest.mark.parametrize(
    ("active", "expected"),
    [
        (ActiveFilter.ALL, ["OFF", "ON"]),
        (ActiveFilter.ACTIVE, ["ON"]),
        (ActiveFilter.INACTIVE, ["OFF"]),
    ],
)
def test_product_list_filters_by_active(company: Company, active: str, expected: list[str]) -> None:
    ProductFactory(company=company, sku="ON", name="On", is_active=True)
    ProductFactory(company=company, sku="OFF", name="Off", is_active=False)

    found = product_list(company=company, filters=ProductFilters(active=active))

    assert sorted(skus(found)) == expected


def test_product_list_joins_stock_in_one_query(
    company: Company, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(3):
        ProductFactory(company=company, stock=Decimal("4"))

    with django_assert_num_queries(1):
        levels = [
            p.stock.available for p in product_list(company=company, filters=ProductFilters())
        ]

    assert levels == [Decimal("4")] * 3


def test_product_detail_returns_the_companys_product(company: Company) -> None:
    product = ProductFactory(company=company)

    assert product_detail(company=company, pk=product.pk) == product


def test_product_detail_of_another_companys_product_is_404(
    company: Company, other_company: Company
) -> None:
    foreign = ProductFactory(company=other_company)

    with pytest.raises(Http404):
        product_detail(company=company, pk=foreign.pk)


def test_stock_movements_are_the_products_own_newest_first(
    company: Company, admin_user: User
) -> None:
    product = ProductFactory(company=company, stock=Decimal("1"))
    other = ProductFactory(company=company, stock=Decimal("1"))
    stock_adjust(product=product, delta=Decimal("2"), reason="first", user=admin_user)
    stock_adjust(product=product, delta=Decimal("3"), reason="second", user=admin_user)
    stock_adjust(product=other, delta=Decimal("9"), reason="other product", user=admin_user)

    movements = list(stock_movements_for(product=product))

    assert [m.reason for m in movements] == ["second", "first"]
