"""The rep's pages fit a 375 px wide phone without sideways scrolling.

Exercises: django.contrib.auth.views.LoginView, quotery.accounts.views.company_settings,
quotery.accounts.views.member_list, quotery.catalog.views.product_list,
quotery.quotes.client_views.client_detail, quotery.quotes.client_views.client_list,
quotery.quotes.product_views.product_detail, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_edit, quotery.quotes.views.quote_list, quotery.quotes.views.quote_new
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.clients.factories import ClientFactory
from quotery.quotes.factories import make_quote
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_fit_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    company = CompanyFactory(name="Northwind Office Supply")
    admin = member(company, Role.ADMIN, email="anna@northwind.test", full_name="Anna Admin")
    member(company, Role.REP, email="a.very.long.address.for.a.rep@northwind-office-supply.test")
    client = ClientFactory(company=company, name="Hafenblick Architekten GmbH & Co. KG")
    product = ProductFactory(company=company, name="Electric sit-stand desk, 160 × 80 cm")
    quote = make_quote(owner=admin, client=client, sections=2, lines_per_section=4)
    log_in(page, admin.email)
    page.set_viewport_size({"width": 375, "height": 800})
    for url in [
        reverse("quotes:list"),
        reverse("quotes:detail", args=[quote.pk]),
        reverse("quotes:edit", args=[quote.pk]),
        reverse("quotes:new"),
        reverse("catalog:list"),
        reverse("catalog:detail", args=[product.pk]),
        reverse("clients:list"),
        reverse("clients:detail", args=[client.pk]),
        reverse("accounts:settings"),
        reverse("accounts:members"),
    ]:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{url} is {width} px wide"
