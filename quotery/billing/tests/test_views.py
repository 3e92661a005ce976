"""The finance page: who may open it, what it lists, and setting a payment status."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.factories import DEFAULT_PASSWORD, member
from quotery.accounts.models import Company, Role
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import (
    InstructionsInput,
    payment_instructions_update,
    payment_status_set,
)
from quotery.billing.tests.conftest import accept_behind_gate, written
from quotery.engagement.models import QuoteEvent
from quotery.quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db

S = PaymentStatus
LIST = reverse("billing:list")


def set_url(payment: Payment) -> str:
    return reverse("billing:set_status", kwargs={"pk": payment.pk})


def everything() -> tuple[object, ...]:
    """Every row a finance page request could touch."""
    return (*written(), QuoteEvent.objects.count(), list(Quote.objects.values_list("pk", "state")))


@pytest.fixture
def foreign(other_company):
    """Another company's quote behind its gate, and its finance user."""
    billed = accept_behind_gate(member(other_company, Role.REP), title="Foreign secret deal")
    return {"billed": billed, "finance": member(other_company, Role.FINANCE)}


# -- the list --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["finance", "admin_user"])
def test_finance_and_admins_see_quotes_ready_for_billing(login, request, billed, who):
    response = login(request.getfixturevalue(who)).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    quote = billed.quote
    assert reverse("quotes:detail", args=[quote.pk]) in page
    assert quote.number in page
    assert quote.client.name in page
    assert quote.owner.full_name in page
    assert "Pending" in page
    assert f'<label for="payment-status-{billed.payment.pk}"' in page
    assert "csrfmiddlewaretoken" in page


def test_accepted_at_reads_in_the_company_time_zone(login, finance, billed):
    acceptance = billed.quote.acceptance
    local = acceptance.accepted_at.astimezone(billed.quote.company.zone)
    page = login(finance).get(LIST).content.decode()
    assert local.strftime("%H:%M") in page


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_other_roles_get_a_404(login, request, billed, who):
    client = login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 404
    before = everything()
    assert client.post(set_url(billed.payment), {"status": S.PAID}).status_code == 404
    assert everything() == before


def test_anonymous_visitors_are_sent_to_log_in(client, billed):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    before = everything()
    client.post(set_url(billed.payment), {"status": S.PAID})
    assert everything() == before


def test_the_empty_page_explains_and_says_the_gate_is_off(login, finance):
    page = login(finance).get(LIST).content.decode()
    assert "Nothing is waiting for billing" in page
    assert "finance approval gate" in page
    assert "<strong>off</strong>" in page
    assert "Settings" in page


def test_admins_get_a_link_to_settings_from_the_empty_page(login, admin_user, company):
    Company.objects.filter(pk=company.pk).update(finance_gate=True)
    page = login(admin_user).get(LIST).content.decode()
    assert "The finance approval gate is on" in page
    assert reverse("accounts:settings") in page


def test_the_status_filter(login, finance, billed):
    client = login(finance)
    assert billed.quote.number in client.get(LIST, {"status": S.PENDING}).content.decode()
    filtered = client.get(LIST, {"status": S.PAID}).content.decode()
    assert billed.quote.number not in filtered
    assert "No payments were marked paid in the last 30 days." in filtered
    assert "No payments are under review right now." in (
        client.get(LIST, {"status": S.UNDER_REVIEW}).content.decode()
    )


def test_get_changes_nothing(login, finance, billed):
    client = login(finance)
    before = everything()
    assert client.get(LIST).status_code == 200
    assert client.get(LIST, {"status": S.PAID}).status_code == 200
    assert client.get(set_url(billed.payment), {"status": S.PAID}).status_code == 405
    assert client.head(set_url(billed.payment)).status_code == 405
    assert everything() == before


# -- setting a status ------------------------------------------------------------------------


def test_setting_under_review_then_paid(login, finance, billed):
    client = login(finance)
    response = client.post(set_url(billed.payment), {"status": S.UNDER_REVIEW}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == LIST
    assert f"{billed.quote.number}: payment set to Under review." in page
    assert Payment.objects.get(pk=billed.payment.pk).status == S.UNDER_REVIEW

    response = client.post(set_url(billed.payment), {"status": S.PAID}, follow=True)
    assert f"{billed.quote.number}: payment set to Paid. The quote is now closed." in (
        response.content.decode()
    )
    assert billed.quote.state == QuoteState.CLOSED


def test_the_filter_is_kept_after_saving(login, finance, billed):
    response = login(finance).post(
        set_url(billed.payment), {"status": S.UNDER_REVIEW, "show": S.PENDING}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=pending"


def test_saving_the_same_status_says_nothing_changed(login, finance, billed):
    before = everything()
    response = login(finance).post(set_url(billed.payment), {"status": S.PENDING}, follow=True)
    assert "the payment was already pending; nothing changed" in response.content.decode()
    assert everything() == before


@pytest.mark.parametrize("data", [{}, {"status": "refunded"}, {"status": "x" * 5000}])
def test_a_bad_status_is_refused_clearly_and_writes_nothing(login, finance, billed, data):
    before = everything()
    response = login(finance).post(set_url(billed.payment), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "not saved" in page
    assert "Choose a payment status: pending, under review or paid." in page
    assert 'aria-invalid="true"' in page
    assert everything() == before


def test_changing_a_paid_payment_is_refused_clearly_and_writes_nothing(login, finance, billed):
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    before = everything()
    response = login(finance).post(set_url(billed.payment), {"status": S.PENDING})
    assert response.status_code == 409
    assert "already paid and closed" in response.content.decode()
    assert everything() == before


def test_a_paid_row_shows_no_form(login, finance, billed):
    payment_status_set(payment=billed.payment, status=S.PAID, user=finance)
    page = login(finance).get(LIST).content.decode()
    assert billed.quote.number in page
    assert set_url(billed.payment) not in page


def test_security_22_saving_needs_a_csrf_token(finance, billed):
    client = HttpClient(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), email=finance.email, password=DEFAULT_PASSWORD)
    before = everything()
    response = client.post(set_url(billed.payment), {"status": S.PAID})
    assert response.status_code == 403
    assert everything() == before


# -- SECURITY.md 23: another company's ids and users -----------------------------------------


@pytest.mark.parametrize("who", ["finance", "admin_user"])
def test_security_23_setting_a_foreign_payment_is_404_and_changes_nothing(
    login, request, foreign, who
):
    client = login(request.getfixturevalue(who))
    before = everything()
    response = client.post(set_url(foreign["billed"].payment), {"status": S.PAID})
    assert response.status_code == 404
    assert b"Foreign secret deal" not in response.content
    assert everything() == before


def test_security_23_another_companys_finance_cannot_set_our_payment(login, foreign, billed):
    client = login(foreign["finance"])
    before = everything()
    assert client.post(set_url(billed.payment), {"status": S.PAID}).status_code == 404
    assert everything() == before
    assert billed.quote.state == QuoteState.READY_FOR_BILLING


@pytest.mark.parametrize("who", ["finance", "admin_user"])
def test_security_23_the_list_never_shows_foreign_quotes(login, request, foreign, billed, who):
    client = login(request.getfixturevalue(who))
    foreign_quote = foreign["billed"].quote
    for query in ({}, {"status": S.PENDING}, {"page": "2"}):
        page = client.get(LIST, query).content.decode()
        assert billed.quote.client.name in page or query
        assert foreign_quote.client.name not in page
        assert reverse("quotes:detail", args=[foreign_quote.pk]) not in page
        assert set_url(foreign["billed"].payment) not in page


def test_finance_sees_what_is_due_and_the_reference_to_match_the_bank_statement(
    login, finance, rep, admin_user
):
    payment_instructions_update(
        company=rep.membership.company,
        data=InstructionsInput(reference_format="INV-{quote_number}"),
        user=admin_user,
    )
    billed = accept_behind_gate(rep, deposit_percent="30")
    page = login(finance).get(LIST).content.decode()
    assert '<td data-label="Due" class="num">€6.42 <small class="muted">deposit</small></td>' in (
        page
    )
    assert f'<td data-label="Reference"><code>INV-{billed.quote.number}</code></td>' in page
