"""A product's page and its stock adjustment (quotery.quotes.product_views): who may open
and adjust, what the page shows, and adjustments that keep what was typed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockLevel, StockMovement
from quotery.catalog.services import stock_adjust

Login = Callable[[User], HttpClient]

pytestmark = pytest.mark.django_db

NON_ADMINS = [Role.REP, Role.MANAGER, Role.FINANCE]
ALL_ROLES = [Role.REP, Role.MANAGER, Role.FINANCE, Role.ADMIN]


# detail


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_sees_product_detail_with_stock_history(
    company: Company, admin_user: User, login: Login, role: Role
) -> None:
    # given
    product = ProductFactory(company=company, stock=Decimal("5"))
    stock_adjust(product=product, delta=Decimal("-2"), reason="Damaged in transit", user=admin_user)

    # when
    response = login(member(company, role)).get(reverse("catalog:detail", args=[product.pk]))

    # then
    assert response.status_code == 200
    text = response.text
    assert "Damaged in transit" in text
    assert admin_user.full_name in text
    assert ">-2<" in text
    assert ("Adjust stock" in text) is (role == Role.ADMIN)


def test_security_23_product_detail_of_another_company_is_404(
    other_company: Company, rep: User, login: Login
) -> None:
    foreign = ProductFactory(company=other_company)

    response = login(rep).get(reverse("catalog:detail", args=[foreign.pk]))

    assert response.status_code == 404
    assert foreign.sku not in response.text


# adjust stock


def test_admin_adjusts_stock_with_a_reason(
    company: Company, admin_user: User, login: Login
) -> None:
    product = ProductFactory(company=company, stock=Decimal("5"))

    response = login(admin_user).post(
        reverse("catalog:adjust", args=[product.pk]), {"delta": "-2", "reason": "Count"}
    )

    assert response.status_code == 302
    assert StockLevel.objects.get(product=product).on_hand == Decimal("3")
    movement = StockMovement.objects.get(product=product)
    assert (movement.delta, movement.reason, movement.user) == (Decimal("-2"), "Count", admin_user)


def test_adjust_below_zero_is_explained_keeps_the_input_and_writes_nothing(
    company: Company, admin_user: User, login: Login
) -> None:
    product = ProductFactory(company=company, stock=Decimal("5"))

    response = login(admin_user).post(
        reverse("catalog:adjust", args=[product.pk]), {"delta": "-7", "reason": "Stock count"}
    )

    assert response.status_code == 422
    assert "That would take the stock below zero (on hand: 5)." in response.text
    assert 'value="-7"' in response.text
    assert 'value="Stock count"' in response.text
    assert StockLevel.objects.get(product=product).on_hand == Decimal("5")
    assert not StockMovement.objects.exists()


def test_adjust_below_reserved_is_explained_and_writes_nothing(
    company: Company, admin_user: User, login: Login
) -> None:
    product = ProductFactory(company=company, stock=Decimal("5"))
    StockLevel.objects.filter(product=product).update(reserved=Decimal("4"))

    response = login(admin_user).post(
        reverse("catalog:adjust", args=[product.pk]), {"delta": "-2", "reason": "Count"}
    )

    assert response.status_code == 422
    assert "That would leave less than is reserved (reserved: 4, on hand: 5)." in response.text
    assert StockLevel.objects.get(product=product).on_hand == Decimal("5")
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"delta": "3", "reason": ""}, "Say why the stock changes"),
        ({"delta": "", "reason": "Count"}, "Enter how many to add (like 5) or remove (like -2)."),
        ({"delta": "lots", "reason": "Count"}, "Enter a number, like 5 to add or -2 to remove."),
        ({"delta": "0", "reason": "Count"}, "Enter a change other than zero."),
    ],
)
def test_bad_adjustment_is_explained_and_writes_nothing(
    company: Company, admin_user: User, login: Login, data: dict[str, str], message: str
) -> None:
    product = ProductFactory(company=company, stock=Decimal("5"))

    response = login(admin_user).post(reverse("catalog:adjust", args=[product.pk]), data)

    assert response.status_code == 422
    assert message in response.text
    assert StockLevel.objects.get(product=product).on_hand == Decimal("5")
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_adjust_stock(company: Company, login: Login, role: Role) -> None:
    product = ProductFactory(company=company, stock=Decimal("5"))

    response = login(member(company, role)).post(
        reverse("catalog:adjust", args=[product.pk]), {"delta": "10", "reason": "Count"}
    )

    assert response.status_code == 404
    assert StockLevel.objects.get(product=product).on_hand == Decimal("5")
    assert not StockMovement.objects.exists()


def test_adjust_stock_refuses_get(company: Company, admin_user: User, login: Login) -> None:
    product = ProductFactory(company=company)

    response = login(admin_user).get(reverse("catalog:adjust", args=[product.pk]))

    assert response.status_code == 405


def test_security_23_stock_adjust_of_another_companys_product_is_404(
    other_company: Company, admin_user: User, login: Login
) -> None:
    foreign = ProductFactory(company=other_company, stock=Decimal("5"))

    response = login(admin_user).post(
        reverse("catalog:adjust", args=[foreign.pk]), {"delta": "-5", "reason": "Count"}
    )

    assert response.status_code == 404
    assert StockLevel.objects.get(product=foreign).on_hand == Decimal("5")
    assert not StockMovement.objects.exists()
