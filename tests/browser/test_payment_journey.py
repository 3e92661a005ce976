"""Item 4 of the finance gate, end to end at phone and desktop widths: the rep asks for a
30 % deposit in the editor; the client sees it on the quote and in the words they agree to,
accepts, and reads what to pay, the reference and the bank details; finance marks it paid;
the client's page shows Paid in the success style, and the client got the email. axe-core
finds no serious or critical violation on the client's pages.

Exercises: quotery.quotes.views.quote_edit, quotery.portal.views.client.page,
quotery.portal.views.acceptance.accept, quotery.billing.views.payment_status_update,
quotery.billing.services.payment_status_set, quotery.portal.emails.payment
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.billing.services import InstructionsInput, payment_instructions_update
from quotery.billing.tests.test_services_client_email import client_emails
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.portal.services.sharing import share_send
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote
from quotery.sharing.links import share_url
from quotery.sharing.models import Acceptance
from tests.browser.accessibility import serious_violations
from tests.browser.test_finance_gate import set_status
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}


def no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_deposit_accept_pay_and_paid(  # type: ignore[no-untyped-def]
    page, browser, live_server, smtp_server, settings, width
) -> None:
    settings.BASE_URL = live_server.url
    settings.MAILBOX_DIR = None
    viewport = WIDTHS[width]
    # given Northwind, behind the finance gate, with its bank details, and a draft quote
    company = CompanyFactory(name="Northwind", finance_gate=True, default_currency="EUR")
    rita = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    admin = member(company, Role.ADMIN)
    fiona = member(company, Role.FINANCE, email="fiona@northwind.test")
    payment_instructions_update(
        company=company,
        data=InstructionsInput(
            account_holder="Northwind Office Supply GmbH",
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
            reference_format="INV-{quote_number}",
            terms="Payable within 14 days of acceptance.",
        ),
        user=admin,
    )
    globex = ClientFactory(company=company, name="Globex Corporation")
    ContactFactory(client=globex, company=company, name="Hank Scorpio", email="hank@globex.test")
    # one line: 1 × 19.99 at 7 % tax, 21.39 in all
    quote = make_quote(
        owner=rita, client=globex, lines_per_section=1, issue_date=timezone.localdate()
    )

    # when Rita asks for a 30 % deposit in the editor: the live total shows it
    log_in(page, rita.email)
    page.goto(f"/quotes/{quote.pk}/edit/")
    page.get_by_label("Deposit %").fill("30")
    page.get_by_test_id("editor-deposit").filter(has_text="€6.42").wait_for()
    page.get_by_role("button", name="Save quote").click()
    page.wait_for_url(re.compile(rf"/quotes/{quote.pk}/$"))
    assert Quote.objects.get(pk=quote.pk).deposit_percent == Decimal(30)

    # and shares it with Hank (the share email is not this test's subject)
    share = share_send(
        quote=quote, user=rita, recipient_name="Hank Scorpio", recipient_email="hank@globex.test"
    )
    link = share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    smtp_server.wait_for(1)

    # then Hank sees the deposit before accepting
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=viewport)
    context.set_default_timeout(10_000)
    hank = context.new_page()
    hank.goto(link)
    deposit_row = hank.get_by_role("row", name="Deposit 30 %, payable on acceptance")
    assert deposit_row.get_by_role("cell").inner_text() == "€6.42"
    assert serious_violations(hank) == [], "client page before accepting"
    assert no_sideways_scroll(hank)

    # and in the words he agrees to
    hank.get_by_role("link", name="Accept").first.click()
    hank.get_by_role("heading", name=f"Accept quote {quote.number}").wait_for()
    consent = hank.get_by_label(
        re.compile("with a deposit of 30 % \\(€6.42\\) payable on acceptance")
    )
    assert serious_violations(hank) == [], "accept page"
    hank.get_by_label("Your full name").fill("Hank Scorpio")
    consent.check()
    hank.get_by_role("button", name="Accept").click()

    # then his page says what to pay, what to write and where to send it
    banner = hank.get_by_test_id("payment-banner")
    banner.get_by_role("heading", name="Payment: Pending").wait_for()
    assert banner.get_by_test_id("payment-amount").inner_text() == "€6.42"
    assert banner.get_by_text("Deposit due (30 %)").is_visible()
    assert banner.get_by_test_id("payment-reference").inner_text() == f"INV-{quote.number}"
    instructions = banner.get_by_test_id("payment-instructions").inner_text()
    assert "Northwind Office Supply GmbH" in instructions
    assert "DE89 3704 0044 0532 0130 00" in instructions
    assert "COBADEFFXXX" in instructions
    assert banner.get_by_text("Payable within 14 days of acceptance.").is_visible()
    assert serious_violations(hank) == [], "client page, payment pending"
    assert no_sideways_scroll(hank)
    acceptance = Acceptance.objects.get(quote=quote)
    assert (acceptance.deposit_percent, acceptance.deposit_amount) == ("30", "6.42")

    # when Fiona in finance marks it paid
    finance_context = browser.new_context(base_url=live_server.url)
    finance_context.set_default_timeout(10_000)
    finance_page = finance_context.new_page()
    log_in(finance_page, fiona.email)
    finance_page.goto("/billing/")
    set_status(finance_page, quote.number, "Paid")
    finance_page.get_by_text(f"{quote.number}: payment set to Paid.").wait_for()
    finance_context.close()

    # then Hank's page shows Paid in the success style, without the bank details
    hank.reload()
    banner.get_by_role("heading", name="Payment: Paid").wait_for()
    assert "notice--paid" in (banner.get_attribute("class") or "")
    assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(236, 253, 243)"
    assert banner.get_by_test_id("payment-instructions").count() == 0
    assert serious_violations(hank) == [], "client page, paid"
    context.close()

    # and he got the email about it, with his link
    [email] = client_emails()
    assert (email.to_email, email.context["to"]) == ("hank@globex.test", "paid")
    received = smtp_server.wait_for(4)  # share, acceptance to Rita and to Hank, payment
    paid = [m for m in received if str(m["Subject"]).startswith("Payment paid")]
    assert len(paid) == 1 and paid[0]["To"].addresses[0].addr_spec == "hank@globex.test"
    assert link in paid[0].get_body(preferencelist=("plain",)).get_content()
