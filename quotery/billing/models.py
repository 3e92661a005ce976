"""The finance approval gate: the payment status of an accepted quote, and how to pay.

With the company's gate on, an accepted quote becomes "ready for billing" with a payment
row in "pending"; finance moves it through "under review" to "paid", and paid closes the
quote. The client page shows the status in plain words, with the amount due, the payment
reference and the company's payment instructions (bank details and terms).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quotery.core.models import CompanyOwned


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UNDER_REVIEW = "under_review", _("Under review")
    PAID = "paid", _("Paid")


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
    # Fixed when the payment opens, so what the client was told to pay and quote stays the
    # same when the company later changes its reference format. Empty on payments opened
    # before they were recorded (the page then falls back to the acceptance's total).
    amount_due = models.CharField(max_length=40, blank=True)  # canonical money string
    currency = models.CharField(max_length=3, blank=True)
    is_deposit = models.BooleanField(default=False)
    reference = models.CharField(max_length=140, blank=True)

    class Meta:
        indexes = [models.Index(fields=["company", "status"], name="payment_company_status_idx")]

    def __str__(self) -> str:
        return f"{self.quote_id}: {self.status}"

    @property
    def due(self) -> Decimal | None:
        """What the client was asked to pay; None for a payment opened before it was kept."""
        return Decimal(self.amount_due) if self.amount_due else None


class PaymentInstructions(models.Model):
    """How a company's clients pay: bank details, the payment reference format and the
    payment terms, shown on the client page behind the finance gate. One per company."""

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.CASCADE, related_name="payment_instructions"
    )
    account_holder = models.CharField(max_length=70, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)  # without spaces, upper case
    bic = models.CharField("BIC", max_length=11, blank=True)
    reference_format = models.CharField(max_length=60, default="{quote_number}")
    terms = models.TextField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "payment instructions"

    def __str__(self) -> str:
        return f"Payment instructions of company {self.company_id}"
