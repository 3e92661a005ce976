"""The pages of issue 4 read well with assistive technology (axe-core: no serious or critical
violation) and fit a 375 px phone without sideways scrolling: the client's accept, request
changes and decline forms (also with errors) and the accepted page; the staff's quote page
with its acceptance, the notifications list, the Billing page and the delivery note.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.acceptance.quote_accept, django.contrib.auth.views.LoginView,
quotery.billing.views.payment_list, quotery.notifications.views.notification_list,
quotery.portal.views.acceptance.accept, quotery.portal.views.answers.decline,
quotery.portal.views.answers.request_changes, quotery.portal.views.client.page,
quotery.quotes.views.delivery_note_detail, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_list
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.portal.tests.portal_fixtures import Shared, accept_shared, share_quote
from quotery.quotes.models import DeliveryNote
from tests.browser.accessibility import serious_violations
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_width(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def check(page: Any, url: str, what: str) -> None:
    page.goto(url)
    assert serious_violations(page) == [], what
    assert fits_the_width(page), f"{what} scrolls sideways"


def test_client_answer_pages_are_accessible_on_a_phone(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    company = CompanyFactory(name="Northwind Office Supply", finance_gate=True)
    rep = member(company, Role.REP, full_name="Rita Rep")
    shared = share_quote(rep)
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 375, "height": 812}
    )
    try:
        page = context.new_page()
        check(page, reverse("portal:changes", args=[shared.token]), "request changes form")
        check(page, reverse("portal:decline", args=[shared.token]), "decline form")
        check(page, reverse("portal:accept", args=[shared.token]), "accept form")
        # the accept form with every error showing
        page.get_by_role("button", name="Accept").click()
        page.get_by_text("Nothing was recorded yet").wait_for()
        assert serious_violations(page) == [], "accept form with errors"
        assert fits_the_width(page)
        # the accepted page, with the payment banner of the finance gate
        accept_shared(Shared(quote=shared.quote, share=shared.share, token=shared.token))
        check(page, shared.url, "accepted page")
        page.get_by_role("heading", name="Payment: Pending").wait_for()
    finally:
        context.close()


def test_staff_pages_of_answers_are_accessible(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    company = CompanyFactory(name="Northwind Office Supply", finance_gate=True)
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    member(company, Role.ADMIN, email="ada@northwind.test", full_name="Ada Admin")
    desk = ProductFactory(company=company, sku="DSK-160", stock=Decimal(1))
    shared = share_quote(rep, products=[desk], quantities=[3])
    accept_shared(shared)
    note = DeliveryNote.objects.get(quote=shared.quote)
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        log_in(page, "ada@northwind.test")
        for url, what in (
            (reverse("quotes:detail", args=[shared.quote.pk]), "quote with its acceptance"),
            (reverse("notifications:list"), "notifications list"),
            (reverse("billing:list"), "Billing page"),
            (reverse("quotes:delivery_note", args=[note.pk]), "delivery note"),
        ):
            for width in (1280, 375):
                page.set_viewport_size({"width": width, "height": 900})
                check(page, url, f"{what} at {width} px")
    finally:
        context.close()
