"""stock_reserve and stock_release: exact, never below zero available, only inside the
caller's transaction."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import Product, StockLevel
from quotery.catalog.services import stock_release, stock_reserve

pytestmark = pytest.mark.django_db

D = Decimal


def levels(product: Product) -> tuple[Decimal, Decimal]:
    level = StockLevel.objects.get(product=product)
    return level.on_hand, level.reserved


def test_reserve_takes_what_is_asked_when_there_is_enough(company):
    product = ProductFactory(company=company, stock=D(10))
    assert stock_reserve(product=product, quantity=D(4)) == D(4)
    assert levels(product) == (D(10), D(4))


def test_reserve_takes_only_what_is_available(company):
    product = ProductFactory(company=company, stock=D(10))
    StockLevel.objects.filter(product=product).update(reserved=D(7))
    assert stock_reserve(product=product, quantity=D(5)) == D(3)
    assert levels(product) == (D(10), D(10))
    assert stock_reserve(product=product, quantity=D(1)) == D(0)
    assert levels(product) == (D(10), D(10))


def test_reserve_never_counts_an_over_reservation_as_available(company):
    # given more reserved than on hand (left by an earlier shortfall correction)
    product = ProductFactory(company=company, stock=D(2))
    StockLevel.objects.filter(product=product).update(reserved=D(3))
    assert stock_reserve(product=product, quantity=D(1)) == D(0)
    assert levels(product) == (D(2), D(3))


def test_reserve_is_exact_with_fractions(company):
    product = ProductFactory(company=company, stock=D("0.3"))
    assert stock_reserve(product=product, quantity=D("0.1")) == D("0.1")
    assert stock_reserve(product=product, quantity=D("0.1")) == D("0.1")
    assert stock_reserve(product=product, quantity=D("0.2")) == D("0.1")
    assert levels(product) == (D("0.3"), D("0.3"))


def test_a_product_without_stock_reserves_nothing(company):
    product = ProductFactory(company=company, tracks_stock=False)
    assert stock_reserve(product=product, quantity=D(3)) == D(0)
    assert levels(product) == (D(0), D(0))


def test_zero_or_negative_quantities_reserve_and_release_nothing(company):
    product = ProductFactory(company=company, stock=D(5))
    StockLevel.objects.filter(product=product).update(reserved=D(2))
    assert stock_reserve(product=product, quantity=D(0)) == D(0)
    assert stock_reserve(product=product, quantity=D(-2)) == D(0)
    assert stock_release(product=product, quantity=D(-2)) == D(0)
    assert levels(product) == (D(5), D(2))


def test_floats_are_refused(company):
    product = ProductFactory(company=company, stock=D(5))
    with pytest.raises(TypeError):
        stock_reserve(product=product, quantity=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        stock_release(product=product, quantity=0.5)  # type: ignore[arg-type]
    assert levels(product) == (D(5), D(0))


def test_reserve_creates_a_missing_stock_level_and_backorders_against_it(company):
    product = Product.objects.create(
        company=company, sku="RAW", name="Raw", unit_price=D(1), tax_rate=D(0)
    )
    assert stock_reserve(product=product, quantity=D(2)) == D(0)
    assert levels(product) == (D(0), D(0))


def test_release_gives_back_and_never_goes_below_zero(company):
    product = ProductFactory(company=company, stock=D(5))
    StockLevel.objects.filter(product=product).update(reserved=D(3))
    assert stock_release(product=product, quantity=D(2)) == D(2)
    assert levels(product) == (D(5), D(1))
    assert stock_release(product=product, quantity=D(4)) == D(1)
    assert levels(product) == (D(5), D(0))


@pytest.mark.django_db(transaction=True)
def test_reserve_and_release_refuse_to_run_outside_a_transaction():
    product = ProductFactory(stock=D(5))
    with pytest.raises(RuntimeError):
        stock_reserve(product=product, quantity=D(1))
    StockLevel.objects.filter(product=product).update(reserved=D(1))
    with pytest.raises(RuntimeError):
        stock_release(product=product, quantity=D(1))
    assert levels(product) == (D(5), D(1))
    with transaction.atomic():
        assert stock_reserve(product=product, quantity=D(1)) == D(1)
    assert levels(product) == (D(5), D(2))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL concern")
def test_security_19_reservations_racing_for_the_last_units_never_overbook() -> None:
    # given 3 units on hand and eight transactions each reserving 1 at the same moment
    product = ProductFactory(stock=D(3))
    barrier = threading.Barrier(8)
    taken: list[Decimal] = []
    errors: list[BaseException] = []

    def reserve_one() -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=30)
                taken.append(stock_reserve(product=product, quantity=D(1)))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then three got a unit, five got none (their backorder), and nothing was overbooked
    assert errors == []
    assert sorted(taken) == [D(0)] * 5 + [D(1)] * 3
    assert levels(product) == (D(3), D(3))
