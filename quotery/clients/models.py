from __future__ import annotations

from django.db import models

from quotery.core.languages import CLIENT_LANGUAGE_CHOICES
from quotery.core.models import CompanyOwned, Timestamped


class Client(CompanyOwned, Timestamped):
    """A business the company sells to."""

    name = models.CharField(max_length=200)
    address = models.TextField(max_length=1000, blank=True)
    vat_number = models.CharField("VAT number", max_length=40, blank=True)
    # Blank: the company's language (quotery.core.languages.client_language).
    language = models.CharField(
        "Language",
        max_length=8,
        choices=CLIENT_LANGUAGE_CHOICES,
        blank=True,
        help_text="The language of this client's quote page, emails and PDFs.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(CompanyOwned, Timestamped):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
