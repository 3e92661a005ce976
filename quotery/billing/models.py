"""The finance approval gate: the payment status of an accepted quote.

With the company's gate on, an accepted quote becomes "ready for billing" with a payment
row in "pending"; finance moves it through "under review" to "paid", and paid closes the
quote. The client page shows the status in plain words.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from quotery.core.models import CompanyOwned


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    UNDER_REVIEW = "under_review", "Under review"
    PAID = "paid", "Paid"


class Payment(CompanyOwned):
    quote = models.OneToOneField("quotes.Quote", on_delete=models.CASCADE, related_name="payment")
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["company", "status"], name="payment_company_status_idx")]

    def __str__(self) -> str:
        return f"{self.quote_id}: {self.status}"
