"""SECURITY.md 21: text typed by people (client names, descriptions, notes) is escaped on
every page of the rep's app.

Exercises: quotery.clients.services.client_create, quotery.quotes.services.quotes.quote_create,
quotery.catalog.views.product_list, quotery.quotes.client_views.client_detail,
quotery.quotes.client_views.client_list, quotery.quotes.product_views.product_detail,
quotery.quotes.views.quote_detail, quotery.quotes.views.quote_edit,
quotery.quotes.views.quote_list
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.factories import DEFAULT_PASSWORD, member
from quotery.accounts.models import Company, Role
from quotery.catalog.factories import ProductFactory
from quotery.clients.services import client_create
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.services.quotes import quote_create

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_security_21_hostile_text_is_escaped_on_every_page(company: Company) -> None:
    # given a client, contact, product and quote whose texts carry markup
    manager = member(company, Role.MANAGER)
    client = client_create(
        company=company,
        name=f"Evil {HOSTILE}",
        address=HOSTILE,
        contact_name=f"Mallory {HOSTILE}",
        contact_email="mallory@example.test",
    )
    product = ProductFactory(company=company, name=f"Widget {HOSTILE}")
    quote = quote_create(
        company=company,
        owner=manager,
        data=QuoteInput(
            client=client,
            contact=client.contacts.first(),
            title=f"Offer {HOSTILE}",
            currency="EUR",
            issue_date=dt.date(2026, 11, 2),
            valid_until=dt.date(2026, 12, 2),
            notes=HOSTILE,
            internal_notes=HOSTILE,
            sections=[
                SectionInput(
                    title=f"Section {HOSTILE}",
                    lines=[
                        LineInput(
                            description=f"Line {HOSTILE}",
                            quantity=Decimal(1),
                            unit_price=Decimal(10),
                            product=product,
                        )
                    ],
                )
            ],
        ),
    )
    browser = HttpClient()
    assert browser.login(request=HttpRequest(), email=manager.email, password=DEFAULT_PASSWORD)

    pages = [
        reverse("quotes:list"),
        reverse("quotes:list") + "?q=" + "%3Cscript%3E",
        reverse("quotes:detail", args=[quote.pk]),
        reverse("quotes:edit", args=[quote.pk]),
        reverse("clients:list"),
        reverse("clients:detail", args=[client.pk]),
        reverse("catalog:list"),
        reverse("catalog:detail", args=[product.pk]),
    ]
    for url in pages:
        # when the page is rendered
        body = browser.get(url).content.decode()
        # then the markup shows as text, never as markup
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
        assert "&lt;script&gt;" in body, url
