"""HTTP for products and stock: parse input, call one service or selector, render.

Everyone in the company reads the catalog; only admins create, edit and adjust stock
(others get a 404, as for another company's product).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from quotery.accounts.access import ADMINS, MemberRequest, member_required
from quotery.catalog import selectors, services
from quotery.catalog.forms import ProductForm, StockAdjustForm
from quotery.catalog.models import Product, StockLevel
from quotery.core.exceptions import ValidationFailed
from quotery.core.forms import add_service_errors
from quotery.quotes.selectors import reservations_for_product

PAGE_SIZE = 25
MOVEMENTS_PAGE_SIZE = 50


@member_required()
def product_list(request: MemberRequest) -> HttpResponse:
    active = request.GET.get("active", "")
    filters = selectors.ProductFilters(
        search=request.GET.get("q", "")[:100],
        active=active if active in selectors.ActiveFilter.values else "",
    )
    products = selectors.product_list(company=request.company, filters=filters)
    context = {
        "page": Paginator(products, PAGE_SIZE).get_page(request.GET.get("page")),
        "filters": filters,
        "active_choices": selectors.ActiveFilter.choices,
    }
    return render(request, "catalog/product_list.html", context)


@member_required()
def product_detail(request: MemberRequest, pk: int) -> HttpResponse:
    product = selectors.product_detail(company=request.company, pk=pk)
    return _render_detail(request, product, StockAdjustForm())


@member_required(ADMINS)
@require_POST
def stock_adjust(request: MemberRequest, pk: int) -> HttpResponse:
    product = selectors.product_detail(company=request.company, pk=pk)
    form = StockAdjustForm(request.POST)
    if form.is_valid():
        try:
            level = services.stock_adjust(
                product=product,
                delta=form.cleaned_data["delta"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Stock updated: {_plain(level.on_hand)} on hand.")
            return redirect("catalog:detail", pk=product.pk)
    return _render_detail(request, product, form, status=422)


def _render_detail(
    request: MemberRequest, product: Product, adjust_form: StockAdjustForm, status: int = 200
) -> HttpResponse:
    movements = selectors.stock_movements_for(product=product)
    context = {
        "product": product,
        # Every product gets a stock level when created; an empty one stands in otherwise.
        "stock": getattr(product, "stock", None) or StockLevel(product=product),
        "adjust_form": adjust_form,
        "movements": Paginator(movements, MOVEMENTS_PAGE_SIZE).get_page(request.GET.get("page")),
        "can_manage": request.membership.is_admin,
        "reservations": reservations_for_product(product=product, membership=request.membership),
    }
    return render(request, "catalog/product_detail.html", context, status=status)


@member_required(ADMINS)
def product_new(request: MemberRequest) -> HttpResponse:
    currency = request.company.default_currency
    if request.method == "POST":
        form = ProductForm(request.POST, currency=currency, with_opening_stock=True)
        if form.is_valid():
            try:
                product = services.product_create(
                    company=request.company,
                    data=form.product_input(),
                    initial_stock=form.opening_stock(),
                    user=request.user,
                )
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Product {product.sku} created.")
                return redirect("catalog:detail", pk=product.pk)
        return _render_form(request, form, product=None, status=422)
    initial = {
        "tax_rate": _plain(request.company.default_tax_rate),
        "tracks_stock": True,
        "is_active": True,
    }
    return _render_form(
        request, ProductForm(initial=initial, currency=currency, with_opening_stock=True), None
    )


@member_required(ADMINS)
def product_edit(request: MemberRequest, pk: int) -> HttpResponse:
    product = selectors.product_detail(company=request.company, pk=pk)
    if request.method == "POST":
        form = ProductForm(request.POST, currency=request.company.default_currency)
        if form.is_valid():
            try:
                services.product_update(product=product, data=form.product_input())
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Product {product.sku} saved.")
                return redirect("catalog:detail", pk=product.pk)
        return _render_form(request, form, product=product, status=422)
    initial = {
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "unit_price": _plain(product.unit_price),
        "tax_rate": _plain(product.tax_rate),
        "tracks_stock": product.tracks_stock,
        "is_active": product.is_active,
    }
    return _render_form(
        request, ProductForm(initial=initial, currency=request.company.default_currency), product
    )


def _plain(value: Decimal) -> str:
    """20.000 -> "20", 99.9000 -> "99.9": what a person would type."""
    return f"{value.normalize():f}"


def _render_form(
    request: MemberRequest, form: ProductForm, product: Product | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "product": product, "has_errors": status != 200}
    return render(request, "catalog/product_form.html", context, status=status)
