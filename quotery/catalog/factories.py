"""factory_boy factories for products and their stock levels (tests and benchmarks)."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from quotery.accounts.factories import CompanyFactory
from quotery.catalog.models import Product, StockLevel


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    unit_price = Decimal("49.90")
    tax_rate = Decimal("20")
    tracks_stock = True

    @factory.post_generation
    def stock(self, create: bool, extracted: Decimal | None, **kwargs: object) -> None:
        if create:
            StockLevel.objects.create(
                company=self.company, product=self, on_hand=extracted or Decimal(0)
            )
