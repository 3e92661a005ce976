"""Reads of clients and contacts, always scoped to one company. Reads that join the
clients' quotes are the quotes app's (quotery.quotes.selectors)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from quotery.accounts.models import Company
from quotery.clients.models import Client, Contact


def contacts_for(*, company: Company) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(company=company)
        .select_related("client")
        .order_by("client__name", "name")
    )


def count_per_client(rows: QuerySet[Any]) -> Coalesce:
    """How many of `rows` (anything with a client_id) each client has, 0 for none: a
    subquery to annotate clients with, so a list of them stays one query."""
    counts = (
        rows.filter(client_id=OuterRef("pk"))
        .order_by()
        .values("client_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def client_list(*, company: Company, search: str = "") -> QuerySet[Client]:
    """The company's clients in one query, by name, each with its number of contacts;
    with `search`, those whose name, VAT number or a contact's name or email holds it."""
    clients = Client.objects.filter(company=company).annotate(
        contact_count=count_per_client(Contact.objects.filter(company=company)),
    )
    term = search.strip()
    if term:
        matching_contact = Contact.objects.filter(company=company, client_id=OuterRef("pk")).filter(
            Q(name__icontains=term) | Q(email__icontains=term)
        )
        clients = clients.filter(
            Q(name__icontains=term) | Q(vat_number__icontains=term) | Exists(matching_contact)
        )
    return clients.order_by("name", "id")


def client_detail(*, company: Company, pk: int) -> Client:
    """One of the company's clients, or 404 (another company's, or no such client)."""
    client = Client.objects.filter(company=company, pk=pk).first()
    if client is None:
        raise Http404("No such client.")
    return client


def client_contacts(*, client: Client) -> QuerySet[Contact]:
    return Contact.objects.filter(company_id=client.company_id, client=client).order_by(
        "name", "id"
    )


def contact_detail(*, client: Client, pk: int) -> Contact:
    """One of `client`'s contacts, or 404 (another client's or company's)."""
    contact = client_contacts(client=client).filter(pk=pk).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact
