from __future__ import annotations

from django.db.models import QuerySet

from quotery.accounts.models import Company
from quotery.catalog.models import Product


def product_list_for(*, company: Company, active_only: bool = False) -> QuerySet[Product]:
    products = Product.objects.filter(company=company).select_related("stock")
    if active_only:
        products = products.filter(is_active=True)
    return products.order_by("name")
