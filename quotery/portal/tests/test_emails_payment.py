"""The client's email about a payment status change: to the signer, with the status, the
amount, the reference and the same personal link as their other emails; delivered through
a real SMTP server once the change commits (SECURITY.md 6, 20)."""

from __future__ import annotations

import pytest

from quotery.billing.models import PaymentStatus
from quotery.billing.services import (
    InstructionsInput,
    payment_instructions_update,
    payment_status_set,
)
from quotery.billing.tests.conftest import accept_behind_gate
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.rendering import render_outbox_email
from quotery.portal.services.sharing import share_revoke
from quotery.portal.tests.test_emails_answers import body_html, body_text
from quotery.sharing.links import share_url

pytestmark = pytest.mark.django_db

BASE = "https://quotes.northwind.example"


@pytest.fixture
def billed(rep, admin_user, settings):  # type: ignore[no-untyped-def]
    settings.BASE_URL = BASE
    payment_instructions_update(
        company=rep.membership.company,
        data=InstructionsInput(
            account_holder="Northwind", iban="DE89370400440532013000",
            reference_format="INV-{quote_number}",
        ),
        user=admin_user,
    )  # fmt: skip
    return accept_behind_gate(rep, deposit_percent="30")


def test_paid_reaches_the_client_by_smtp_with_their_link(
    billed, finance, smtp_server, django_capture_on_commit_callbacks
) -> None:
    quote = billed.quote
    share = billed.shared.share
    # when finance marks the payment paid (the outbox sends once the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        payment_status_set(payment=billed.payment, status=PaymentStatus.PAID, user=finance)

    # then the client who accepted gets one email, with the amount, reference and link
    (received,) = smtp_server.wait_for(1)
    assert received["To"].addresses[0].addr_spec == "anna@client.test"
    assert received["Subject"] == f"Payment paid: quote {quote.number} from {quote.company.name}"
    text, html = body_text(received), body_html(received)
    assert f"We have received your payment for quote {quote.number} (Office fit-out)." in text
    assert "Amount: €6.42" in text
    assert f"Payment reference: INV-{quote.number}" in text
    link = share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    assert link.startswith(BASE)
    assert link in text and f'href="{link}"' in html
    assert OutboxEmail.objects.get(kind="payment_status_client").status == EmailStatus.SENT


def test_under_review_names_what_is_due(billed, finance) -> None:
    payment_status_set(payment=billed.payment, status=PaymentStatus.UNDER_REVIEW, user=finance)
    message = render_outbox_email(OutboxEmail.objects.get(kind="payment_status_client"))
    assert message.subject == (
        f"Payment under review: quote {billed.quote.number} from {billed.quote.company.name}"
    )
    assert "Deposit due (30 %): €6.42" in message.body
    assert "the amount due and how to pay" in message.body


def test_a_revoked_link_is_left_out_not_sent_dead(billed, finance, rep) -> None:
    share_revoke(share=billed.shared.share, user=rep)
    payment_status_set(payment=billed.payment, status=PaymentStatus.UNDER_REVIEW, user=finance)
    message = render_outbox_email(OutboxEmail.objects.get(kind="payment_status_client"))
    assert "/p/" not in message.body
    assert "Our finance team is reviewing your payment" in message.body


def test_both_acceptance_emails_name_the_deposit_agreed(billed) -> None:
    for kind in ("acceptance_rep", "acceptance_client"):
        message = render_outbox_email(OutboxEmail.objects.get(kind=kind))
        assert "Deposit on acceptance: €6.42 (30 %)" in message.body, kind
