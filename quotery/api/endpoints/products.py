"""/api/v1/products: the catalog with stock levels (read only)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from quotery.api import representations as shown
from quotery.api import selectors
from quotery.api.conventions import key_holder
from quotery.api.endpoints.responses import reads
from quotery.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from quotery.api.schemas import Id, Line, ProductOut, ProductPage
from quotery.catalog.selectors import product_detail

router = Router(tags=["Products"])


class ProductFilters(Schema):
    search: Line = Field("", max_length=200, description="SKU or name.")
    active: Literal["", "active", "inactive"] = ""
    cursor: Line | None = Field(None, max_length=400)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get("", response=reads({200: ProductPage}), summary="List products with stock")
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> dict[str, Any]:
    company = key_holder(request).company
    rows = selectors.products_for_api(company=company, search=filters.search, active=filters.active)
    page = keyset_page(rows, order=("name", "id"), cursor=filters.cursor, limit=filters.limit)
    currency = company.default_currency
    return {
        "items": [shown.product(p, currency=currency) for p in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/{id}", response=reads({200: ProductOut}), summary="A product with its stock")
def get_product(request: HttpRequest, id: Id) -> dict[str, Any]:
    company = key_holder(request).company
    return shown.product(product_detail(company=company, pk=id), currency=company.default_currency)
