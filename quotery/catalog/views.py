from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from quotery.accounts.access import MemberRequest, member_required
from quotery.catalog.selectors import product_list_for


@member_required()
def product_list(request: MemberRequest) -> HttpResponse:
    products = product_list_for(company=request.company)
    return render(request, "catalog/product_list.html", {"products": products})
