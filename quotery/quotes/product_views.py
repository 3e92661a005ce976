"""HTTP for a product's page, which shows the draft delivery notes holding the product, and
for the stock adjustment made on it (a refused one shows the page again). They are the
quotes app's because they read delivery notes; the product list and the product forms are
the catalog's views.

Everyone in the company sees the page; only admins adjust stock (others get a 404, as for
another company's product).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from quotery.accounts.access import ADMINS, MemberRequest, member_required
from quotery.catalog import selectors as catalog_selectors
from quotery.catalog import services as catalog_services
from quotery.catalog.forms import StockAdjustForm
from quotery.catalog.models import Product, StockLevel
from quotery.core.exceptions import ValidationFailed
from quotery.core.forms import add_service_errors
from quotery.core.templatetags.money import plain_number
from quotery.quotes.selectors import reservations_for_product

MOVEMENTS_PAGE_SIZE = 50


@member_required()
def product_detail(request: MemberRequest, pk: int) -> HttpResponse:
    product = catalog_selectors.product_detail(company=request.company, pk=pk)
    return _render_detail(request, product, StockAdjustForm())


@member_required(ADMINS)
@require_POST
def stock_adjust(request: MemberRequest, pk: int) -> HttpResponse:
    product = catalog_selectors.product_detail(company=request.company, pk=pk)
    form = StockAdjustForm(request.POST)
    if form.is_valid():
        try:
            level = catalog_services.stock_adjust(
                product=product,
                delta=form.cleaned_data["delta"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Stock updated: {plain_number(level.on_hand)} on hand.")
            return redirect("catalog:detail", pk=product.pk)
    return _render_detail(request, product, form, status=422)


def _render_detail(
    request: MemberRequest, product: Product, adjust_form: StockAdjustForm, status: int = 200
) -> HttpResponse:
    movements = catalog_selectors.stock_movements_for(product=product)
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
