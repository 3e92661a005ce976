"""The deposit and the payment banner on the client's pages: the deposit before accepting
(on the quote and in the consent text), then what is due, the reference, how to pay, and
Paid in the success style."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.billing.models import PaymentStatus
from quotery.billing.services import (
    InstructionsInput,
    payment_instructions_update,
    payment_status_set,
)
from quotery.billing.tests.conftest import accept_behind_gate
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote

pytestmark = pytest.mark.django_db

CONSENT_WITH_DEPOSIT = (
    "I accept quote {number} from {company} for €21.39, with a deposit of 30 % (€6.42) "
    "payable on acceptance, on the terms it states, and I am authorised to do so."
)


@pytest.fixture
def instructions(company, admin_user):  # type: ignore[no-untyped-def]
    return payment_instructions_update(
        company=company,
        data=InstructionsInput(
            account_holder="Northwind Office Supply GmbH",
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
            reference_format="INV-{quote_number}",
            terms="Payable within 14 days.",
        ),
        user=admin_user,
    )


def test_the_client_sees_the_deposit_before_accepting(rep) -> None:
    shared = share_quote(rep, sections=1, lines_per_section=1, deposit_percent="30")
    page = HttpClient().get(shared.url).content.decode()
    assert "Deposit 30 %, payable on acceptance" in page
    assert '<td class="num" data-testid="quote-deposit">€6.42</td>' in page

    accept = HttpClient().get(reverse("portal:accept", args=[shared.token])).content.decode()
    assert "€6.42 (30 %)" in accept
    company = shared.quote.company.name
    assert CONSENT_WITH_DEPOSIT.format(number=shared.quote.number, company=company) in accept


def test_without_a_deposit_nothing_about_one_is_shown(rep) -> None:
    shared = share_quote(rep, sections=1, lines_per_section=1)
    page = HttpClient().get(shared.url).content.decode()
    accept = HttpClient().get(reverse("portal:accept", args=[shared.token])).content.decode()
    assert "eposit" not in page and "eposit" not in accept
    assert "for €21.39, on the terms it states" in accept


def test_the_banner_says_what_is_due_where_to_pay_and_what_to_write(rep, instructions) -> None:
    billed = accept_behind_gate(rep, deposit_percent="30")
    number = billed.quote.number

    page = HttpClient().get(billed.shared.url).content.decode()

    assert 'data-testid="payment-banner" data-status="pending"' in page
    assert "notice--paid" not in page
    assert "<dt>Deposit due (30 %)</dt>" in page
    assert 'data-testid="payment-amount">€6.42</dd>' in page
    assert f'data-testid="payment-reference">INV-{number}</code>' in page
    assert "Northwind Office Supply GmbH" in page
    assert "DE89 3704 0044 0532 0130 00" in page
    assert "COBADEFFXXX" in page
    assert "Payable within 14 days." in page


def test_paid_shows_in_the_success_style_without_instructions(rep, finance, instructions) -> None:
    billed = accept_behind_gate(rep)
    HttpClient().get(billed.shared.url)  # the page as it was, kept by this process

    payment_status_set(payment=billed.payment, status=PaymentStatus.PAID, user=finance)
    page = HttpClient().get(billed.shared.url).content.decode()

    assert 'class="notice notice--payment notice--paid"' in page
    assert 'data-testid="payment-status">Paid</span>' in page
    assert "We have received your payment. Thank you." in page
    assert "<dt>Amount paid</dt>" in page
    assert "DE89 3704" not in page and "Payable within 14 days." not in page


def test_changed_bank_details_show_at_once(rep, admin_user, company, instructions) -> None:
    billed = accept_behind_gate(rep)
    HttpClient().get(billed.shared.url)

    payment_instructions_update(
        company=company,
        data=InstructionsInput(account_holder="Northwind", iban="GB82WEST12345698765432"),
        user=admin_user,
    )
    page = HttpClient().get(billed.shared.url).content.decode()

    assert "GB82 WEST 1234 5698 7654 32" in page
    assert "DE89" not in page


def test_hostile_instructions_are_escaped(rep, admin_user, company) -> None:
    payment_instructions_update(
        company=company,
        data=InstructionsInput(
            account_holder="<b>Evil</b>",
            iban="DE89370400440532013000",
            terms='<script>alert("x")</script>',
        ),
        user=admin_user,
    )
    billed = accept_behind_gate(rep)
    page = HttpClient().get(billed.shared.url).content.decode()
    assert "<script>alert" not in page and "<b>Evil</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_rep_sees_the_deposit_asked_for_and_agreed(login, rep) -> None:
    shared = share_quote(rep, sections=1, lines_per_section=1, deposit_percent="30")
    client = login(rep)
    detail = reverse("quotes:detail", args=[shared.quote.pk])
    assert (
        "<dt>Deposit</dt><dd>€6.42 (30 %) on acceptance</dd>" in client.get(detail).content.decode()
    )

    accept_shared(shared)

    page = client.get(detail).content.decode()
    assert "<dt>Deposit agreed</dt><dd>€6.42 (30 %)</dd>" in page
