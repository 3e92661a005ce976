"""Settings -> Payment instructions: admins only; a save that keeps what was typed and
says what is wrong, or saves and says so; one company's page never touches another's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.billing.models import PaymentInstructions
from quotery.billing.services import InstructionsInput, payment_instructions_update

pytestmark = pytest.mark.django_db

URL = reverse("billing:instructions")
GOOD = {
    "account_holder": "Northwind Office Supply GmbH",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "COBADEFFXXX",
    "reference_format": "INV-{quote_number}",
    "terms": "Payable within 14 days.",
}


def stored() -> list[tuple[object, ...]]:
    return list(
        PaymentInstructions.objects.order_by("pk").values_list(
            "company_id", "account_holder", "iban", "bic", "reference_format", "terms"
        )
    )


def test_an_admin_opens_the_page_from_the_settings_nav(login, admin_user) -> None:
    client = login(admin_user)
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert f'href="{URL}"' in settings_page

    page = client.get(URL).content.decode()
    assert "<strong>Payment instructions</strong>" in page
    for label in ("Account holder", "IBAN", "BIC (SWIFT code)", "Payment reference format",
                  "Payment terms"):  # fmt: skip
        assert f">{label}</label>" in page
    assert "{quote_number}, {client}, {year}" in page


def test_saving_stores_them_and_says_so(login, admin_user, company) -> None:
    client = login(admin_user)

    response = client.post(URL, GOOD, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Payment instructions saved." in page
    assert 'value="DE89 3704 0044 0532 0130 00"' in page  # shown grouped again
    assert stored() == [
        (
            company.pk,
            "Northwind Office Supply GmbH",
            "DE89370400440532013000",
            "COBADEFFXXX",
            "INV-{quote_number}",
            "Payable within 14 days.",
        )
    ]


def test_a_wrong_iban_keeps_what_was_typed_says_why_and_changes_nothing(
    login, admin_user, company
) -> None:
    payment_instructions_update(
        company=company, data=InstructionsInput(reference_format="{quote_number}"), user=admin_user
    )
    before = stored()

    response = login(admin_user).post(
        URL, {**GOOD, "iban": "DE89 3704 0044 0532 0130 01", "reference_format": "{0.__class__}"}
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was saved: some fields need a look." in page
    assert "This IBAN&#x27;s check digits do not match the rest of it" in page
    assert "“{0.__class__}” is not a placeholder." in page
    assert 'value="DE89 3704 0044 0532 0130 01"' in page
    assert stored() == before


@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER, Role.FINANCE])
def test_other_roles_get_a_404_and_change_nothing(login, company, role) -> None:
    client = login(member(company, role))
    assert client.get(URL).status_code == 404
    assert client.post(URL, GOOD).status_code == 404
    assert stored() == []


def test_anonymous_visitors_are_sent_to_log_in(client) -> None:
    response = client.post(URL, GOOD)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert stored() == []


def test_security_23_each_admin_sees_and_saves_only_their_company_s(
    login, admin_user, company, other_company
) -> None:
    # given another company's instructions
    theirs = member(other_company, Role.ADMIN)
    payment_instructions_update(
        company=other_company,
        data=InstructionsInput(account_holder="Foreign Secret Ltd", iban="GB82WEST12345698765432"),
        user=theirs,
    )
    before = stored()

    # when this company's admin opens and saves the page
    client = login(admin_user)
    page = client.get(URL).content.decode()
    client.post(URL, GOOD)

    # then they never saw the other's, and the other's row is unchanged
    assert "Foreign Secret" not in page and "GB82" not in page
    assert stored()[0] == before[0]
    assert [row[0] for row in stored()] == [other_company.pk, company.pk]
