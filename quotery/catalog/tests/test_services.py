"""Product and stock writes: what they guarantee, and that a refusal writes nothing."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from quotery.accounts.factories import CompanyFactory
from quotery.accounts.models import Company, User
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import Product, StockLevel, StockMovement
from quotery.catalog.services import ProductInput, product_create, product_update, stock_adjust
from quotery.core.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db


def product_input(**overrides: object) -> ProductInput:
    values: dict[str, object] = {
        "sku": "DESK-120",
        "name": "Standing desk 120 cm",
        "unit_price": Decimal("499.00"),
        "tax_rate": Decimal("20"),
        "description": "Electric, two motors.",
    }
    values.update(overrides)
    return ProductInput(**values)  # type: ignore[arg-type]


def snapshot() -> tuple[int, int, int]:
    return Product.objects.count(), StockLevel.objects.count(), StockMovement.objects.count()


# product_create


def test_product_create_writes_product_stock_level_and_opening_movement(
    company: Company, admin_user: User
) -> None:
    # when
    product = product_create(
        company=company, data=product_input(), initial_stock=Decimal("12"), user=admin_user
    )

    # then
    product.refresh_from_db()
    assert (product.sku, product.name, product.unit_price) == (
        "DESK-120",
        "Standing desk 120 cm",
        Decimal("499.0000"),
    )
    assert product.stock.on_hand == Decimal("12")
    movement = StockMovement.objects.get(product=product)
    assert (movement.delta, movement.on_hand_after, movement.reason, movement.user) == (
        Decimal("12"),
        Decimal("12"),
        "Opening stock",
        admin_user,
    )


def test_product_create_without_opening_stock_records_no_movement(company: Company) -> None:
    product = product_create(company=company, data=product_input())

    assert product.stock.on_hand == 0
    assert not StockMovement.objects.exists()


def test_product_create_refuses_a_sku_taken_in_the_same_company_ignoring_case(
    company: Company,
) -> None:
    # given
    ProductFactory(company=company, sku="DESK-120")
    before = snapshot()

    # when
    with pytest.raises(ValidationFailed) as error:
        product_create(
            company=company, data=product_input(sku=" desk-120 "), initial_stock=Decimal(5)
        )

    # then
    assert error.value.field_errors["sku"] == ["Another product already uses the SKU “desk-120”."]
    assert snapshot() == before


def test_product_create_allows_the_same_sku_in_another_company(
    company: Company, other_company: Company
) -> None:
    ProductFactory(company=other_company, sku="DESK-120")

    product = product_create(company=company, data=product_input())

    assert product.company == company


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sku": "  "}, "sku", "Give the product a SKU."),
        ({"sku": "X" * 41}, "sku", "Keep the SKU under 40 characters."),
        ({"name": ""}, "name", "Give the product a name."),
        ({"name": "n" * 201}, "name", "Keep the name under 200 characters."),
        ({"description": "d" * 2001}, "description", "Keep the description under 2000 characters."),
        ({"unit_price": Decimal("-1")}, "unit_price", "The unit price cannot be negative."),
        ({"unit_price": Decimal("1.00001")}, "unit_price", "Use at most 4 decimal places"),
        ({"unit_price": Decimal("1e12")}, "unit_price", "That unit price is too large."),
        ({"unit_price": Decimal("NaN")}, "unit_price", "Enter a price"),
        ({"tax_rate": Decimal("100.5")}, "tax_rate", "between 0 % and 100 %"),
        ({"tax_rate": Decimal("-1")}, "tax_rate", "between 0 % and 100 %"),
        ({"tax_rate": Decimal("7.1234")}, "tax_rate", "Use at most 3 decimal places"),
    ],
)
def test_product_create_refuses_bad_input_and_writes_nothing(
    company: Company, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = snapshot()

    with pytest.raises(ValidationFailed) as error:
        product_create(company=company, data=product_input(**overrides))

    assert message in error.value.field_errors[field][0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("initial_stock", "overrides", "message"),
    [
        (Decimal("-3"), {}, "Opening stock cannot be negative."),
        (Decimal("1.0001"), {}, "Use at most 3 decimal places."),
        (Decimal("5"), {"tracks_stock": False}, "Leave the opening stock empty"),
    ],
)
def test_product_create_refuses_bad_opening_stock_and_writes_nothing(
    company: Company, initial_stock: Decimal, overrides: dict[str, Any], message: str
) -> None:
    before = snapshot()

    with pytest.raises(ValidationFailed) as error:
        product_create(
            company=company, data=product_input(**overrides), initial_stock=initial_stock
        )

    assert message in error.value.field_errors["initial_stock"][0]
    assert snapshot() == before


# product_update


def test_product_update_saves_every_field(company: Company) -> None:
    product = ProductFactory(company=company, sku="OLD-1")

    product_update(
        product=product,
        data=product_input(
            sku="NEW-1", unit_price=Decimal("10.5"), tracks_stock=False, is_active=False
        ),
    )

    product.refresh_from_db()
    assert (product.sku, product.unit_price, product.tracks_stock, product.is_active) == (
        "NEW-1",
        Decimal("10.5"),
        False,
        False,
    )


def test_product_update_keeps_its_own_sku_with_another_case(company: Company) -> None:
    product = ProductFactory(company=company, sku="DESK-120")

    product_update(product=product, data=product_input(sku="desk-120"))

    product.refresh_from_db()
    assert product.sku == "desk-120"


def test_product_update_refuses_another_products_sku_and_changes_nothing(company: Company) -> None:
    # given
    ProductFactory(company=company, sku="TAKEN")
    product = ProductFactory(company=company, sku="MINE", name="Mine")

    # when
    with pytest.raises(ValidationFailed) as error:
        product_update(product=product, data=product_input(sku="taken", name="Renamed"))

    # then
    assert "already uses the SKU" in error.value.field_errors["sku"][0]
    product.refresh_from_db()
    assert (product.sku, product.name) == ("MINE", "Mine")


# stock_adjust


def test_stock_adjust_adds_and_removes_and_records_each_movement(
    company: Company, admin_user: User
) -> None:
    # given
    product = ProductFactory(company=company, stock=Decimal("10"))

    # when
    stock_adjust(product=product, delta=Decimal("5"), reason="Delivery 4411", user=admin_user)
    level = stock_adjust(product=product, delta=Decimal("-2.5"), reason="Damaged", user=admin_user)

    # then
    assert level.on_hand == Decimal("12.5")
    assert StockLevel.objects.get(product=product).on_hand == Decimal("12.5")
    history = [
        (m.delta, m.on_hand_after, m.reason, m.user_id)
        for m in StockMovement.objects.filter(product=product).order_by("id")
    ]
    assert history == [
        (Decimal("5"), Decimal("15"), "Delivery 4411", admin_user.pk),
        (Decimal("-2.5"), Decimal("12.5"), "Damaged", admin_user.pk),
    ]


def test_stock_adjust_may_take_stock_to_exactly_zero(company: Company, admin_user: User) -> None:
    product = ProductFactory(company=company, stock=Decimal("3"))

    level = stock_adjust(product=product, delta=Decimal("-3"), reason="Count", user=admin_user)

    assert level.on_hand == 0


def test_stock_adjust_refuses_to_go_below_zero_and_writes_nothing(
    company: Company, admin_user: User
) -> None:
    # given
    product = ProductFactory(company=company, stock=Decimal("3"))

    # when
    with pytest.raises(ValidationFailed) as error:
        stock_adjust(product=product, delta=Decimal("-4"), reason="Count", user=admin_user)

    # then
    assert error.value.message == "Only 3 on hand; the stock cannot go below zero."
    assert "below zero" in error.value.field_errors["delta"][0]
    assert StockLevel.objects.get(product=product).on_hand == Decimal("3")
    assert not StockMovement.objects.exists()


def test_stock_adjust_refuses_to_drop_below_reserved_and_writes_nothing(
    company: Company, admin_user: User
) -> None:
    # given: 10 on hand, 8 reserved for accepted quotes
    product = ProductFactory(company=company, stock=Decimal("10"))
    StockLevel.objects.filter(product=product).update(reserved=Decimal("8"))

    # when
    with pytest.raises(ValidationFailed) as error:
        stock_adjust(product=product, delta=Decimal("-3"), reason="Count", user=admin_user)

    # then
    assert "8 are reserved" in error.value.message
    assert "less than is reserved" in error.value.field_errors["delta"][0]
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (Decimal("10"), Decimal("8"))
    assert not StockMovement.objects.exists()


def test_stock_adjust_may_take_on_hand_down_to_what_is_reserved(
    company: Company, admin_user: User
) -> None:
    product = ProductFactory(company=company, stock=Decimal("10"))
    StockLevel.objects.filter(product=product).update(reserved=Decimal("8"))

    level = stock_adjust(product=product, delta=Decimal("-2"), reason="Count", user=admin_user)

    assert level.on_hand == Decimal("8")
    assert level.available == 0


def test_stock_adjust_accepts_a_delivery_when_stock_is_short_of_reservations(
    company: Company, admin_user: User
) -> None:
    # given: a shortfall (backorder) left more reserved than on hand
    product = ProductFactory(company=company, stock=Decimal("2"))
    StockLevel.objects.filter(product=product).update(reserved=Decimal("5"))

    # when
    level = stock_adjust(product=product, delta=Decimal("1"), reason="Delivery", user=admin_user)

    # then
    assert level.on_hand == Decimal("3")


@pytest.mark.parametrize(
    ("delta", "reason", "field", "message"),
    [
        (Decimal("0"), "Count", "delta", "Enter a change other than zero."),
        (Decimal("1.0005"), "Count", "delta", "Use at most 3 decimal places."),
        (Decimal("1e12"), "Count", "delta", "That quantity is too large."),
        (Decimal("Infinity"), "Count", "delta", "Enter a number"),
        (Decimal("5"), "   ", "reason", "Say why the stock changes"),
        (Decimal("5"), "r" * 201, "reason", "Keep the reason under 200 characters."),
    ],
)
def test_stock_adjust_refuses_bad_input_and_writes_nothing(
    company: Company, admin_user: User, delta: Decimal, reason: str, field: str, message: str
) -> None:
    product = ProductFactory(company=company, stock=Decimal("10"))

    with pytest.raises(ValidationFailed) as error:
        stock_adjust(product=product, delta=delta, reason=reason, user=admin_user)

    assert message in error.value.field_errors[field][0]
    assert StockLevel.objects.get(product=product).on_hand == Decimal("10")
    assert not StockMovement.objects.exists()


def test_stock_adjust_refuses_a_product_that_does_not_track_stock(
    company: Company, admin_user: User
) -> None:
    product = ProductFactory(company=company, tracks_stock=False)

    with pytest.raises(ValidationFailed) as error:
        stock_adjust(product=product, delta=Decimal("5"), reason="Count", user=admin_user)

    assert error.value.field_errors["delta"] == ["This product does not track stock."]
    assert StockLevel.objects.get(product=product).on_hand == 0
    assert not StockMovement.objects.exists()


def test_stock_adjust_creates_a_missing_stock_level(company: Company, admin_user: User) -> None:
    # given: a product saved without its stock row
    product = Product.objects.create(
        company=company, sku="RAW", name="Raw", unit_price=Decimal(1), tax_rate=Decimal(0)
    )

    level = stock_adjust(product=product, delta=Decimal("4"), reason="Count", user=admin_user)

    assert level.company == company
    assert StockLevel.objects.get(product=product).on_hand == Decimal("4")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL concern")
def test_concurrent_removals_of_the_last_units_never_take_stock_below_zero() -> None:
    # given: 1 unit on hand, and eight people removing it at once
    company = CompanyFactory()
    product = ProductFactory(company=company, stock=Decimal("1"))
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def remove_one() -> None:
        try:
            barrier.wait()
            stock_adjust(product=product, delta=Decimal("-1"), reason="Sold", user=None)
            outcomes.append("ok")
        except ValidationFailed:
            outcomes.append("refused")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=remove_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert StockLevel.objects.get(product=product).on_hand == 0
    assert StockMovement.objects.filter(product=product).count() == 1
