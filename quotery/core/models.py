from __future__ import annotations

from django.db import models


class CompanyOwned(models.Model):
    """Every row belongs to a company; every query that reads it is scoped to one."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
