from __future__ import annotations

from django.db.models import Count, QuerySet

from quotery.accounts.models import Company
from quotery.clients.models import Client, Contact


def client_list_for(*, company: Company) -> QuerySet[Client]:
    return (
        Client.objects.filter(company=company)
        .annotate(quote_count=Count("quotes"))
        .order_by("name")
    )


def contacts_for(*, company: Company) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(company=company)
        .select_related("client")
        .order_by("client__name", "name")
    )
