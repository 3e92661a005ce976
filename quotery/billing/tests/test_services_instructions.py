"""payment_instructions_update: an admin saves how clients pay; anything invalid refuses
the whole save with a sentence per field, and nothing is written."""

from __future__ import annotations

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.billing.models import PaymentInstructions
from quotery.billing.services import InstructionsInput, payment_instructions_update
from quotery.core.exceptions import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

GOOD = InstructionsInput(
    account_holder="  Northwind Office Supply GmbH ",
    iban="de89 3704 0044 0532 0130 00",
    bic="coba de ff xxx",
    reference_format=" INV-{quote_number} ",
    terms="Payable within 14 days.\nThank you.",
)


def stored() -> list[tuple[object, ...]]:
    return list(
        PaymentInstructions.objects.order_by("pk").values_list(
            "company_id", "account_holder", "iban", "bic", "reference_format", "terms"
        )
    )


def test_an_admin_saves_them_normalised(company, admin_user) -> None:
    saved = payment_instructions_update(company=company, data=GOOD, user=admin_user)

    assert stored() == [
        (
            company.pk,
            "Northwind Office Supply GmbH",
            "DE89370400440532013000",
            "COBADEFFXXX",
            "INV-{quote_number}",
            "Payable within 14 days.\nThank you.",
        )
    ]
    assert saved.updated_by == admin_user


def test_saving_again_updates_the_one_row(company, admin_user) -> None:
    payment_instructions_update(company=company, data=GOOD, user=admin_user)
    payment_instructions_update(
        company=company, data=InstructionsInput(reference_format="{quote_number}"), user=admin_user
    )
    assert stored() == [(company.pk, "", "", "", "{quote_number}", "")]


@pytest.mark.parametrize(
    ("data", "field_errors"),
    [
        (
            InstructionsInput(account_holder="Northwind", iban="DE89370400440532013001"),
            {"iban": ["This IBAN's check digits do not match the rest of it, so a character "
                      "is probably mistyped. Copy it again from your bank statement."]},
        ),
        (
            InstructionsInput(iban="DE89370400440532013000"),
            {"account_holder": ["Name the account holder: banks check it against the IBAN."]},
        ),
        (
            InstructionsInput(bic="COBADEFFXXX"),
            {"iban": ["Enter the IBAN the BIC belongs to."]},
        ),
        (
            InstructionsInput(reference_format="{client}"),
            {"reference_format": [
                "Include {quote_number}, so each payment can be matched to its quote."]},
        ),
        (
            InstructionsInput(account_holder="Evil\nCorp", iban="DE89370400440532013000"),
            {"account_holder": ["The account holder's name must be one line, without invisible "
                                "control characters. Please type it again."]},
        ),
        (
            InstructionsInput(terms="x" * 1001),
            {"terms": ["Keep the payment terms under 1,000 characters."]},
        ),
    ],
)  # fmt: skip
def test_bad_input_is_explained_and_nothing_is_written(
    company, admin_user, data, field_errors
) -> None:
    payment_instructions_update(company=company, data=GOOD, user=admin_user)
    before = stored()

    with pytest.raises(ValidationFailed) as error:
        payment_instructions_update(company=company, data=data, user=admin_user)

    assert error.value.field_errors == field_errors
    assert stored() == before


@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER, Role.FINANCE])
def test_only_an_admin_may_change_them(company, role) -> None:
    with pytest.raises(PermissionDenied):
        payment_instructions_update(company=company, data=GOOD, user=member(company, role))
    assert stored() == []


def test_security_23_an_admin_of_another_company_may_not(company, other_company) -> None:
    with pytest.raises(PermissionDenied):
        payment_instructions_update(
            company=company, data=GOOD, user=member(other_company, Role.ADMIN)
        )
    assert stored() == []
