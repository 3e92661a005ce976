"""Writes to the product catalog and stock levels."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from quotery.accounts.models import Company, User
from quotery.catalog.models import Product, StockLevel, StockMovement
from quotery.core.exceptions import ValidationFailed

ZERO = Decimal(0)


@dataclass
class ProductInput:
    sku: str
    name: str
    unit_price: Decimal
    tax_rate: Decimal
    description: str = ""
    tracks_stock: bool = True
    is_active: bool = True


def _check_product(company: Company, data: ProductInput, exclude_pk: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    sku = data.sku.strip()
    if not sku:
        errors["sku"] = ["Give the product a SKU."]
    else:
        clash = Product.objects.filter(company=company, sku__iexact=sku)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["sku"] = [f"Another product already uses the SKU “{sku}”."]
    if not data.name.strip():
        errors["name"] = ["Give the product a name."]
    if data.unit_price < ZERO:
        errors["unit_price"] = ["The unit price cannot be negative."]
    if not ZERO <= data.tax_rate <= Decimal(100):
        errors["tax_rate"] = ["The tax rate must be between 0 % and 100 %."]
    if errors:
        raise ValidationFailed("The product could not be saved.", field_errors=errors)


def product_create(
    *, company: Company, data: ProductInput, initial_stock: Decimal = ZERO, user: User | None = None
) -> Product:
    """Creates a product and its stock level (with a movement when stock starts above zero)."""
    _check_product(company, data)
    with transaction.atomic():
        product = Product.objects.create(
            company=company,
            sku=data.sku.strip(),
            name=data.name.strip(),
            description=data.description,
            unit_price=data.unit_price,
            tax_rate=data.tax_rate,
            tracks_stock=data.tracks_stock,
            is_active=data.is_active,
        )
        StockLevel.objects.create(company=company, product=product)
        if initial_stock:
            stock_adjust(product=product, delta=initial_stock, reason="Opening stock", user=user)
    return product


def product_update(*, product: Product, data: ProductInput) -> Product:
    _check_product(product.company, data, exclude_pk=product.pk)
    product.sku = data.sku.strip()
    product.name = data.name.strip()
    product.description = data.description
    product.unit_price = data.unit_price
    product.tax_rate = data.tax_rate
    product.tracks_stock = data.tracks_stock
    product.is_active = data.is_active
    product.save()
    return product


def stock_adjust(*, product: Product, delta: Decimal, reason: str, user: User | None) -> StockLevel:
    """Changes on-hand stock by `delta` and records why. On-hand never drops below what is
    reserved for accepted quotes, nor below zero."""
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Say why the stock changes (count, delivery, damage...)."]
    elif len(reason) > 200:
        errors["reason"] = ["Keep the reason under 200 characters."]
    if delta == ZERO:
        errors["delta"] = ["Enter a change other than zero."]
    if not product.tracks_stock:
        errors["delta"] = ["This product does not track stock."]
    if errors:
        raise ValidationFailed("The stock was not changed.", field_errors=errors)
    with transaction.atomic():
        level, _ = StockLevel.objects.get_or_create(company=product.company, product=product)
        # Quantities are exact decimal text on SQLite, so compare in Python under the lock.
        level = StockLevel.objects.select_for_update().get(pk=level.pk)
        new_on_hand = level.on_hand + delta
        if new_on_hand < ZERO:
            raise ValidationFailed(
                f"Only {level.on_hand.normalize():f} on hand; the stock cannot go below zero.",
                field_errors={"delta": ["That would take the stock below zero."]},
            )
        if new_on_hand < level.reserved:
            raise ValidationFailed(
                f"{level.reserved.normalize():f} are reserved for accepted quotes; "
                "on-hand stock cannot drop below that.",
                field_errors={"delta": ["That would leave less than is reserved."]},
            )
        level.on_hand = new_on_hand
        level.save(update_fields=["on_hand", "updated_at"])
        StockMovement.objects.create(
            company=product.company,
            product=product,
            delta=delta,
            on_hand_after=new_on_hand,
            reason=reason,
            user=user,
        )
    return level
