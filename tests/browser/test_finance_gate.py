"""Journey 9 on the staff side: with the finance gate on, an accepted quote waits on the
Billing page; finance sets it under review, then paid; the quote closes and its owner is
notified of each change.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.acceptance.quote_accept, django.contrib.auth.views.LoginView,
quotery.billing.views.payment_list, quotery.billing.views.payment_status_update,
quotery.notifications.views.notification_list, quotery.portal.views.client.page,
quotery.portal.views.client.seen, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_list
"""

from __future__ import annotations

import re

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.billing.models import Payment, PaymentStatus
from quotery.notifications.models import Notification, NotificationKind
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import Quote, QuoteState
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def set_status(page, number: str, label: str) -> None:  # type: ignore[no-untyped-def]
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    row.get_by_label(f"Payment status of {number}").select_option(label=label)
    row.get_by_role("button", name=f"Save status of {number}").click()


def test_finance_sets_under_review_then_paid_and_the_quote_closes(  # type: ignore[no-untyped-def]
    page, browser, live_server
) -> None:
    # given a company with the finance gate on and a quote its client accepted
    company = CompanyFactory(name="Northwind", finance_gate=True)
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    finance = member(company, Role.FINANCE, email="fiona@northwind.test", full_name="Fiona Fin")
    shared = share_quote(rep, title="Office fit-out")
    accept_shared(shared)
    quote = Quote.objects.select_related("client").get(pk=shared.quote.pk)
    assert quote.state == QuoteState.READY_FOR_BILLING

    # when finance opens Billing
    log_in(page, finance.email)
    page.goto("/billing/")
    page.get_by_role("heading", name="Billing").wait_for()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=quote.number))
    assert row.get_by_text(quote.client.name).is_visible()
    assert row.get_by_text("Rita Rep").is_visible()
    assert row.get_by_role("cell", name="Pending", exact=True).is_visible()

    # and sets the payment under review
    set_status(page, quote.number, "Under review")
    page.get_by_text(f"{quote.number}: payment set to Under review.").wait_for()
    assert Payment.objects.get(quote=quote).status == PaymentStatus.UNDER_REVIEW
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.READY_FOR_BILLING

    # then paid
    set_status(page, quote.number, "Paid")
    page.get_by_text(f"{quote.number}: payment set to Paid. The quote is now closed.").wait_for()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=quote.number))
    assert row.get_by_text("Closed").is_visible()
    assert row.get_by_role("button").count() == 0

    # the quote is closed, and its owner was notified of both changes
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.CLOSED
    texts = list(
        Notification.objects.filter(
            user=rep, kind=NotificationKind.PAYMENT_STATUS_CHANGED
        ).values_list("text", flat=True)
    )
    assert len(texts) == 2

    # and the owner reads them on the notifications page
    rep_context = browser.new_context(base_url=live_server.url)
    rep_page = rep_context.new_page()
    log_in(rep_page, rep.email)
    rep_page.goto("/notifications/")
    rep_page.get_by_text(f"Payment for {quote.number} is now under review").wait_for()
    rep_page.get_by_text(f"Payment for {quote.number} is now paid").wait_for()
    rep_context.close()

    # the quote detail link from Billing opens the closed quote for finance
    page.get_by_role("link", name=quote.number).click()
    page.get_by_text(re.compile(r"Won \(closed\)")).first.wait_for()


def test_billing_fits_a_phone(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    company = CompanyFactory(finance_gate=True)
    rep = member(company, Role.REP)
    finance = member(company, Role.FINANCE)
    shared = share_quote(rep)
    accept_shared(shared)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    phone = context.new_page()
    log_in(phone, finance.email)
    phone.goto("/billing/")
    phone.get_by_role("heading", name="Billing").wait_for()
    number = shared.quote.number
    phone.get_by_label(f"Payment status of {number}").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    set_status(phone, number, "Under review")
    phone.get_by_text(f"{number}: payment set to Under review.").wait_for()
    context.close()


def test_the_client_sees_the_payment_banner_follow_the_status(page, browser, live_server) -> None:  # type: ignore[no-untyped-def]
    # given a quote the client accepted with the gate on, and the client's page on a phone
    company = CompanyFactory(name="Northwind", finance_gate=True)
    rep = member(company, Role.REP)
    finance = member(company, Role.FINANCE)
    shared = share_quote(rep)
    accept_shared(shared)
    number = shared.quote.number
    client_context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    client_page = client_context.new_page()
    client_page.goto(shared.url)
    banner = client_page.get_by_test_id("payment-banner")
    banner.get_by_role("heading", name="Payment: Pending").wait_for()
    assert "we are preparing your invoice; it will say how to pay." in banner.inner_text().lower()

    # when finance sets it under review, the client's page says so
    log_in(page, finance.email)
    page.goto("/billing/")
    set_status(page, number, "Under review")
    page.get_by_text(f"{number}: payment set to Under review.").wait_for()
    client_page.reload()
    banner.get_by_role("heading", name="Payment: Under review").wait_for()
    assert "being reviewed" in banner.inner_text()

    # and once paid, the client reads that the payment arrived
    set_status(page, number, "Paid")
    page.get_by_text(f"{number}: payment set to Paid.").wait_for()
    client_page.reload()
    banner.get_by_role("heading", name="Payment: Paid").wait_for()
    assert "We have received your payment. Thank you." in banner.inner_text()
    assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.CLOSED
    client_context.close()


def test_without_the_gate_the_client_sees_no_payment_banner(page) -> None:  # type: ignore[no-untyped-def]
    company = CompanyFactory(finance_gate=False)
    shared = share_quote(member(company, Role.REP))
    accept_shared(shared)
    page.goto(shared.url)
    page.get_by_role("heading", name=shared.quote.title).wait_for()
    assert page.get_by_text("Payment:").count() == 0
    assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.CLOSED
