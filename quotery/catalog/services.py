"""Writes to the product catalog and stock levels.

Every function checks its input first and raises `ValidationFailed` (with messages keyed by
field) before writing anything; what it writes, it writes in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from quotery.accounts.models import Company, User
from quotery.catalog.models import Product, StockLevel, StockMovement
from quotery.core.exceptions import ValidationFailed
from quotery.core.money import decimal_places

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# The columns' limits (Product.unit_price: 14 digits, 4 decimals; quantities: 14 digits, 3).
MAX_UNIT_PRICE = Decimal("9999999999.9999")
MAX_QUANTITY = Decimal("99999999999.999")
SKU_MAX = 40
NAME_MAX = 200
DESCRIPTION_MAX = 2000
REASON_MAX = 200

FieldErrors = dict[str, list[str]]


@dataclass
class ProductInput:
    sku: str
    name: str
    unit_price: Decimal
    tax_rate: Decimal
    description: str = ""
    tracks_stock: bool = True
    is_active: bool = True


def _as_decimal(value: Decimal | int) -> Decimal:
    """Quantities are Decimal; whole numbers are welcome, floats are a bug."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"quantities must be Decimal, not {type(value).__name__}")
    return Decimal(value)


def _quantity_error(value: Decimal) -> str | None:
    """Why `value` cannot be a stock quantity (ignoring its sign), or None."""
    if not value.is_finite():
        return "Enter a number, like 5 or -2."
    if abs(value) > MAX_QUANTITY:
        return "That quantity is too large."
    if decimal_places(value) > 3:
        return "Use at most 3 decimal places."
    return None


def _product_errors(company: Company, data: ProductInput, exclude_pk: int | None) -> FieldErrors:
    errors: FieldErrors = {}
    sku = data.sku.strip()
    if not sku:
        errors["sku"] = ["Give the product a SKU."]
    elif len(sku) > SKU_MAX:
        errors["sku"] = [f"Keep the SKU under {SKU_MAX} characters."]
    else:
        clash = Product.objects.filter(company=company, sku__iexact=sku)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["sku"] = [f"Another product already uses the SKU “{sku}”."]
    name = data.name.strip()
    if not name:
        errors["name"] = ["Give the product a name."]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"Keep the name under {NAME_MAX} characters."]
    if len(data.description) > DESCRIPTION_MAX:
        errors["description"] = [f"Keep the description under {DESCRIPTION_MAX} characters."]
    if not data.unit_price.is_finite():
        errors["unit_price"] = ["Enter a price, like 120 or 99.90."]
    elif data.unit_price < ZERO:
        errors["unit_price"] = ["The unit price cannot be negative."]
    elif data.unit_price > MAX_UNIT_PRICE:
        errors["unit_price"] = ["That unit price is too large."]
    elif decimal_places(data.unit_price) > 4:
        errors["unit_price"] = ["Use at most 4 decimal places for the unit price."]
    if not data.tax_rate.is_finite() or not ZERO <= data.tax_rate <= HUNDRED:
        errors["tax_rate"] = ["The tax rate must be between 0 % and 100 %."]
    elif decimal_places(data.tax_rate) > 3:
        errors["tax_rate"] = ["Use at most 3 decimal places for the tax rate."]
    return errors


def _sku_clash(sku: str) -> ValidationFailed:
    return ValidationFailed(
        "The product could not be saved.",
        field_errors={"sku": [f"Another product already uses the SKU “{sku.strip()}”."]},
    )


def product_create(
    *, company: Company, data: ProductInput, initial_stock: Decimal = ZERO, user: User | None = None
) -> Product:
    """Creates a product and its stock level, with an "Opening stock" movement when
    `initial_stock` is above zero.

    The SKU is unique per company, compared without regard to case. On any error (including
    a SKU taken by a concurrent request) nothing is written.
    """
    initial_stock = _as_decimal(initial_stock)
    errors = _product_errors(company, data, exclude_pk=None)
    quantity_problem = _quantity_error(initial_stock)
    if quantity_problem:
        errors["initial_stock"] = [quantity_problem]
    elif initial_stock < ZERO:
        errors["initial_stock"] = ["Opening stock cannot be negative."]
    elif initial_stock and not data.tracks_stock:
        errors["initial_stock"] = ["Leave the opening stock empty for a product without stock."]
    if errors:
        raise ValidationFailed("The product could not be saved.", field_errors=errors)
    try:
        with transaction.atomic():
            product = Product.objects.create(company=company, **_product_fields(data))
            StockLevel.objects.create(company=company, product=product)
            if initial_stock:
                stock_adjust(
                    product=product, delta=initial_stock, reason="Opening stock", user=user
                )
    except IntegrityError:
        raise _sku_clash(data.sku) from None
    return product


def _product_fields(data: ProductInput) -> dict[str, object]:
    return {
        "sku": data.sku.strip(),
        "name": data.name.strip(),
        "description": data.description,
        "unit_price": data.unit_price,
        "tax_rate": data.tax_rate,
        "tracks_stock": data.tracks_stock,
        "is_active": data.is_active,
    }


def product_update(*, product: Product, data: ProductInput) -> Product:
    """Saves new details for `product`. Stock is changed only through `stock_adjust`.

    The SKU stays unique per company; on any error nothing is written and `product` keeps
    the values it had.
    """
    errors = _product_errors(product.company, data, exclude_pk=product.pk)
    if errors:
        raise ValidationFailed("The product could not be saved.", field_errors=errors)
    try:
        with transaction.atomic():
            Product.objects.filter(pk=product.pk, company_id=product.company_id).update(
                **_product_fields(data), updated_at=timezone.now()
            )
    except IntegrityError:
        raise _sku_clash(data.sku) from None
    product.refresh_from_db()
    return product


def stock_adjust(*, product: Product, delta: Decimal, reason: str, user: User | None) -> StockLevel:
    """Changes on-hand stock by `delta` and records a movement saying who, why and the
    on-hand quantity after it.

    Guarantees: on-hand never drops below zero, and a decrease never leaves less on hand than
    is reserved for accepted quotes. Holds a row lock on the stock level (PostgreSQL
    `select_for_update`; SQLite's IMMEDIATE transaction serialises writers) while it checks
    and writes, so concurrent adjustments and reservations cannot both take the last unit.
    On any error nothing is written.
    """
    delta = _as_decimal(delta)
    reason = reason.strip()
    _check_adjustment(product, delta, reason)
    with transaction.atomic():
        level = _locked_level(product)
        new_on_hand = _on_hand_after(level, delta)
        level.on_hand = new_on_hand
        level.save(update_fields=["on_hand", "updated_at"])
        StockMovement.objects.create(
            company_id=product.company_id,
            product=product,
            delta=delta,
            on_hand_after=new_on_hand,
            reason=reason,
            user=user,
        )
    return level


def _check_adjustment(product: Product, delta: Decimal, reason: str) -> None:
    """Every problem with the request itself at once, before anything is read or locked."""
    errors: FieldErrors = {}
    if not reason:
        errors["reason"] = ["Say why the stock changes (count, delivery, damage...)."]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [f"Keep the reason under {REASON_MAX} characters."]
    quantity_problem = _quantity_error(delta)
    if quantity_problem:
        errors["delta"] = [quantity_problem]
    elif delta == ZERO:
        errors["delta"] = ["Enter a change other than zero."]
    if not product.tracks_stock:
        errors["delta"] = ["This product does not track stock."]
    if errors:
        raise ValidationFailed("The stock was not changed.", field_errors=errors)


def _on_hand_after(level: StockLevel, delta: Decimal) -> Decimal:
    """On hand once `delta` is applied to the locked `level`, or ValidationFailed when that
    would go below zero, below what is reserved, or past what the column holds."""
    # Quantities are exact decimal text on SQLite, so compare in Python under the lock.
    new_on_hand = level.on_hand + delta
    if new_on_hand < ZERO:
        raise ValidationFailed(
            f"Only {level.on_hand.normalize():f} on hand; the stock cannot go below zero.",
            field_errors={
                "delta": [
                    f"That would take the stock below zero "
                    f"(on hand: {level.on_hand.normalize():f})."
                ]
            },
        )
    # A decrease may not eat into reserved stock; an increase is always welcome, even if
    # the stock was short of its reservations before.
    if delta < ZERO and new_on_hand < level.reserved:
        raise ValidationFailed(
            f"{level.reserved.normalize():f} are reserved for accepted quotes; "
            "on-hand stock cannot drop below that.",
            field_errors={
                "delta": [
                    f"That would leave less than is reserved "
                    f"(reserved: {level.reserved.normalize():f}, "
                    f"on hand: {level.on_hand.normalize():f})."
                ]
            },
        )
    if new_on_hand > MAX_QUANTITY:
        raise ValidationFailed(
            "The stock was not changed.",
            field_errors={"delta": ["That would make the stock too large to record."]},
        )
    return new_on_hand


def stock_reserve(*, product: Product, quantity: Decimal) -> Decimal:
    """Reserves up to `quantity` of the product's available stock (on hand - reserved) and
    returns how much it reserved (an exact Decimal, never more than asked or available);
    the caller records the rest as a backorder.

    Never takes available stock below zero, also when acceptances race for the last unit
    (SECURITY.md 19): the stock row is read and written under its row lock (PostgreSQL
    `select_for_update`; SQLite's IMMEDIATE transaction serialises writers), and quantities
    are compared in Python because they are exact decimal text on SQLite. Must run inside
    the caller's transaction, which holds the lock until it commits; a caller reserving
    several products locks them in product id order, so two callers cannot deadlock.
    A product that does not track stock reserves nothing (and backorders nothing).
    """
    quantity = _as_decimal(quantity)
    if not quantity.is_finite():
        raise ValueError("a reservation needs a finite quantity")
    if not product.tracks_stock or quantity <= ZERO:
        return ZERO
    level = _locked_level(product)
    available = max(level.on_hand - level.reserved, ZERO)
    taken = min(available, quantity)
    if taken > ZERO:
        level.reserved = level.reserved + taken
        level.save(update_fields=["reserved", "updated_at"])
    return taken


def stock_release(*, product: Product, quantity: Decimal) -> Decimal:
    """Gives back `quantity` reserved by `stock_reserve` (a cancelled delivery note) and
    returns how much it released. Releases what was reserved even if the product stopped
    tracking stock since; never takes `reserved` below zero. Must run inside the caller's
    transaction, under the stock row's lock (taken here), which makes releasing exactly once
    the caller's job (see `delivery_note_cancel`).
    """
    quantity = _as_decimal(quantity)
    if not quantity.is_finite():
        raise ValueError("a release needs a finite quantity")
    if quantity <= ZERO:
        return ZERO
    _require_transaction()
    level = (
        StockLevel.objects.select_for_update()
        .filter(company_id=product.company_id, product=product)
        .first()
    )
    if level is None:  # the product's stock row is gone with the product: nothing to give back
        return ZERO
    released = min(level.reserved, quantity)
    if released > ZERO:
        level.reserved = level.reserved - released
        level.save(update_fields=["reserved", "updated_at"])
    return released


def stock_ship(*, product: Product, quantity: Decimal, reason: str, user: User | None) -> Decimal:
    """Sends `quantity` reserved by `stock_reserve` out of the warehouse: on hand and
    reserved both drop by it (available stays as it was) and a movement records who, why
    and the on-hand quantity after it. Returns the quantity shipped.

    Ships what was reserved even if the product stopped tracking stock since. Never takes
    on hand or reserved below zero: asking for more than is reserved raises ValueError (the
    caller checks its own lines first, under the same locks). Must run inside the caller's
    transaction, under the stock row's lock (taken here); a caller shipping several
    products ships them in product id order.
    """
    quantity = _as_decimal(quantity)
    if not quantity.is_finite() or quantity <= ZERO:
        raise ValueError("a shipment needs a quantity above zero")
    _require_transaction()
    level = _locked_level(product)
    if quantity > level.reserved or quantity > level.on_hand:
        raise ValueError(
            f"cannot ship {quantity} of {product.sku}: "
            f"{level.reserved} reserved, {level.on_hand} on hand"
        )
    level.on_hand = level.on_hand - quantity
    level.reserved = level.reserved - quantity
    level.save(update_fields=["on_hand", "reserved", "updated_at"])
    StockMovement.objects.create(
        company_id=product.company_id,
        product=product,
        delta=-quantity,
        on_hand_after=level.on_hand,
        reason=reason.strip()[:REASON_MAX],
        user=user,
    )
    return quantity


def _locked_level(product: Product) -> StockLevel:
    """The product's stock row under its row lock, created empty if it is missing; the lock
    lasts until the caller's transaction ends."""
    _require_transaction()
    level, _ = StockLevel.objects.get_or_create(company_id=product.company_id, product=product)
    return StockLevel.objects.select_for_update().get(pk=level.pk)


def _require_transaction() -> None:
    # Outside a transaction the row lock would end with the statement: a programming error.
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock reservations run inside the caller's transaction")
