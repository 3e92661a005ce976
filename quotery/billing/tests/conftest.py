"""A quote accepted behind the finance gate, and counts of what a payment change writes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from quotery.accounts.models import Company, User
from quotery.billing.models import Payment
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import Notification, OutboxEmail
from quotery.portal.tests.portal_fixtures import Shared, accept_shared, share_quote
from quotery.quotes.models import Quote


@dataclass
class Billed:
    shared: Shared
    payment: Payment

    @property
    def quote(self) -> Quote:
        return Quote.objects.get(pk=self.shared.quote.pk)


def accept_behind_gate(owner: User, **share_kwargs: object) -> Billed:
    """The owner's quote, shared and accepted by the client with the company's gate on.
    One line: 1 × 19.99 at 7 % tax, a total of 21.39 EUR."""
    Company.objects.filter(pk=owner.membership.company_id).update(finance_gate=True)
    shared = share_quote(owner, sections=1, lines_per_section=1, **share_kwargs)  # type: ignore[arg-type]
    accept_shared(shared)
    return Billed(shared=shared, payment=Payment.objects.get(quote=shared.quote))


@pytest.fixture
def billed(rep: User) -> Billed:
    return accept_behind_gate(rep)


def written() -> tuple[int, int, list[tuple[int, str]], int]:
    """What a payment change leaves behind: payment events, notifications, statuses, and
    emails to clients about it."""
    return (
        QuoteEvent.objects.filter(kind=EventKind.PAYMENT_STATUS_CHANGED).count(),
        Notification.objects.count(),
        list(Payment.objects.order_by("pk").values_list("pk", "status")),
        OutboxEmail.objects.filter(kind="payment_status_client").count(),
    )
