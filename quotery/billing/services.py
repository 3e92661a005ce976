"""Every write of the finance approval gate."""

from __future__ import annotations

from quotery.billing.models import Payment, PaymentStatus
from quotery.quotes.models import Quote


def payment_open(*, quote: Quote) -> Payment:
    """The payment row of a quote that just became ready for billing: pending. Runs in the
    acceptance's transaction; a second call returns the same row."""
    payment, _created = Payment.objects.get_or_create(
        quote=quote, defaults={"company_id": quote.company_id, "status": PaymentStatus.PENDING}
    )
    return payment
