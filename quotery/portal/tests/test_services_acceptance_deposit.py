"""The deposit in the acceptance: the consent text names it, the signed record carries what
was agreed, and a deposit changed after the client looked is a new revision they must
review (SECURITY.md 12, 13, 15)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quotery.billing.models import Payment
from quotery.billing.tests.conftest import accept_behind_gate
from quotery.core.exceptions import RevisionMismatch
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    accept_shared,
    footprint,
    share_quote,
)
from quotery.quotes.editor import EditorState
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import Quote, QuoteRevision
from quotery.quotes.services.quotes import quote_update
from quotery.sharing.consent import CONSENT_VERSION
from quotery.sharing.signatures import signature_hash

pytestmark = pytest.mark.django_db


def test_the_acceptance_records_the_deposit_agreed(rep) -> None:
    shared = share_quote(rep, sections=1, lines_per_section=1, deposit_percent="30")

    acceptance = accept_shared(shared)

    assert (acceptance.deposit_percent, acceptance.deposit_amount) == ("30", "6.42")
    assert acceptance.consent_version == CONSENT_VERSION == "2026-12-1"
    assert acceptance.consent_text.startswith(
        f"I accept quote {shared.quote.number} from {shared.quote.company.name} for €21.39, "
        "with a deposit of 30 % (€6.42) payable on acceptance, on the terms it states"
    )
    record = acceptance.signed_record()
    assert (record["deposit_percent"], record["deposit_amount"]) == ("30", "6.42")
    # the signature hash covers the deposit: another deposit, another hash
    acceptance.deposit_amount = "0.01"
    assert signature_hash(acceptance.prev_hash, acceptance) != acceptance.signature_hash


def test_without_a_deposit_the_record_says_none(rep) -> None:
    acceptance = accept_shared(share_quote(rep, sections=1, lines_per_section=1))
    assert (acceptance.deposit_percent, acceptance.deposit_amount) == ("0", "0.00")
    assert "deposit" not in acceptance.consent_text


def test_an_acceptance_from_before_deposits_keeps_its_signature_hash(rep) -> None:
    # an acceptance recorded before deposits existed: no deposit columns filled
    acceptance = accept_shared(share_quote(rep))
    acceptance.deposit_percent = acceptance.deposit_amount = ""
    assert "deposit_percent" not in acceptance.signed_record()


def test_the_payment_opens_with_the_deposit_due(rep) -> None:
    billed = accept_behind_gate(rep, deposit_percent="12.5")
    payment = Payment.objects.get(pk=billed.payment.pk)
    # 12.5 % of 21.39 = 2.67375
    assert (payment.amount_due, payment.currency, payment.is_deposit) == ("2.67", "EUR", True)
    assert payment.reference == billed.quote.number


def test_without_a_deposit_the_whole_total_is_due(rep) -> None:
    billed = accept_behind_gate(rep)
    payment = Payment.objects.get(pk=billed.payment.pk)
    assert (payment.amount_due, payment.is_deposit) == ("21.39", False)


def test_security_13_a_deposit_changed_after_the_client_looked_needs_a_new_look(rep) -> None:
    # given the client looked at a quote with a 30 % deposit
    shared = share_quote(rep, sections=1, lines_per_section=1, deposit_percent="30")
    seen = QuoteRevision.objects.get(quote=shared.quote).content_hash

    # when the rep changes the deposit to 50 % (a new revision)
    quote = Quote.objects.select_related("client", "contact", "owner").get(pk=shared.quote.pk)
    state = EditorState.from_quote(quote)
    assert state.header["deposit_percent"] == "30"
    data = _input_of(quote, deposit=Decimal(50))
    quote_update(quote=quote, data=data, user=rep)
    assert QuoteRevision.objects.filter(quote=quote).count() == 2
    before = footprint(quote)

    # then accepting what they saw records nothing and asks them to review again
    with pytest.raises(RevisionMismatch):
        quote_accept(
            share=shared.share,
            signer_name="Anna Client",
            signer_email="anna@client.test",
            consent=True,
            revision_hash=seen,
            request_meta=CLIENT_META,
        )
    assert footprint(quote) == before


def _input_of(quote: Quote, *, deposit: Decimal) -> QuoteInput:
    return QuoteInput(
        client=quote.client,
        contact=quote.contact,
        title=quote.title,
        currency=quote.currency,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        notes=quote.notes,
        deposit_percent=deposit,
        sections=[
            SectionInput(
                title=section.title,
                lines=[
                    LineInput(
                        description=line.description,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        discount_percent=line.discount_percent,
                        tax_rate=line.tax_rate,
                    )
                    for line in section.lines.all()
                ],
            )
            for section in quote.sections.all()
        ],
    )
