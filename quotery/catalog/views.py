"""HTTP for the product list and the product forms: parse input, call one service or
selector, render. A product's page shows the delivery notes holding it, so it and its stock
adjustment are the quotes app's (quotery.quotes.product_views).

Everyone in the company reads the catalog; only admins create and edit products (others
get a 404, as for another company's product).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from quotery.accounts.access import ADMINS, MemberRequest, member_required
from quotery.catalog import selectors, services
from quotery.catalog.forms import ProductForm
from quotery.catalog.models import Product
from quotery.core.exceptions import ValidationFailed
from quotery.core.forms import add_service_errors
from quotery.core.templatetags.money import plain_number

PAGE_SIZE = 25


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
        "tax_rate": plain_number(request.company.default_tax_rate),
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
        "unit_price": plain_number(product.unit_price),
        "tax_rate": plain_number(product.tax_rate),
        "tracks_stock": product.tracks_stock,
        "is_active": product.is_active,
    }
    return _render_form(
        request, ProductForm(initial=initial, currency=request.company.default_currency), product
    )


def _render_form(
    request: MemberRequest, form: ProductForm, product: Product | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "product": product, "has_errors": status != 200}
    return render(request, "catalog/product_form.html", context, status=status)
