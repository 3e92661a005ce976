from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from quotery.core.fields import ExactDecimalField
from quotery.core.models import CompanyOwned, Timestamped

ZERO = Decimal(0)


class Product(CompanyOwned, Timestamped):
    sku = models.CharField("SKU", max_length=40)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    unit_price = ExactDecimalField(
        max_digits=14, decimal_places=4, validators=[MinValueValidator(ZERO)]
    )
    tax_rate = ExactDecimalField(
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )
    tracks_stock = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "sku"], name="product_sku_unique_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"


class StockLevel(CompanyOwned):
    """Stock of one product. Available = on hand - reserved; reservations come from acceptances."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="stock")
    on_hand = ExactDecimalField(max_digits=14, decimal_places=3, default=ZERO)
    reserved = ExactDecimalField(max_digits=14, decimal_places=3, default=ZERO)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.product.sku}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMovement(CompanyOwned):
    """An audit row for every change of on-hand stock, with the reason a person gave."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="movements")
    delta = ExactDecimalField(max_digits=14, decimal_places=3)
    on_hand_after = ExactDecimalField(max_digits=14, decimal_places=3)
    reason = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
