"""Reads of the product catalog, always scoped to one company."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from quotery.accounts.models import Company
from quotery.catalog.models import Product, StockMovement


class ActiveFilter:
    ALL = ""
    ACTIVE = "active"
    INACTIVE = "inactive"

    choices = [(ALL, "All products"), (ACTIVE, "Active only"), (INACTIVE, "Inactive only")]
    values = {value for value, _ in choices}


@dataclass(frozen=True)
class ProductFilters:
    search: str = ""
    active: str = ActiveFilter.ALL


def product_list_for(*, company: Company, active_only: bool = False) -> QuerySet[Product]:
    products = Product.objects.filter(company=company).select_related("stock")
    if active_only:
        products = products.filter(is_active=True)
    return products.order_by("name")


def product_list(*, company: Company, filters: ProductFilters) -> QuerySet[Product]:
    """The product list page: one query for the rows, stock levels joined."""
    products = product_list_for(company=company)
    if filters.active == ActiveFilter.ACTIVE:
        products = products.filter(is_active=True)
    elif filters.active == ActiveFilter.INACTIVE:
        products = products.filter(is_active=False)
    term = filters.search.strip()
    if term:
        products = products.filter(Q(sku__icontains=term) | Q(name__icontains=term))
    return products.order_by("name", "id")


def product_detail(*, company: Company, pk: int) -> Product:
    """One of the company's products with its stock level, or 404 (another company's, or
    no such product)."""
    product = (
        Product.objects.filter(company=company, pk=pk).select_related("stock", "company").first()
    )
    if product is None:
        raise Http404("No such product.")
    return product


def stock_movements_for(*, product: Product) -> QuerySet[StockMovement]:
    """A product's stock history, newest first, with who made each change."""
    return (
        StockMovement.objects.filter(company_id=product.company_id, product=product)
        .select_related("user")
        .order_by("-created_at", "-id")
    )
