"""Reads of clients and contacts, always scoped to one company (and quotes to the member)."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from quotery.accounts.models import Company, Membership
from quotery.clients.models import Client, Contact
from quotery.quotes.models import Quote
from quotery.quotes.selectors import quotes_visible_to


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


def _count_per_client(rows: QuerySet[Quote] | QuerySet[Contact]) -> Coalesce:
    counts = (
        rows.filter(client_id=OuterRef("pk"))
        .order_by()
        .values("client_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def client_list(*, membership: Membership, search: str = "") -> QuerySet[Client]:
    """The client list page in one query: each client with its number of contacts and the
    number of its quotes this member may see (a rep counts only their own)."""
    clients = Client.objects.filter(company_id=membership.company_id).annotate(
        contact_count=_count_per_client(Contact.objects.filter(company_id=membership.company_id)),
        quote_count=_count_per_client(quotes_visible_to(membership)),
    )
    term = search.strip()
    if term:
        matching_contact = Contact.objects.filter(
            company_id=membership.company_id, client_id=OuterRef("pk")
        ).filter(Q(name__icontains=term) | Q(email__icontains=term))
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


def client_quotes(*, membership: Membership, client: Client) -> QuerySet[Quote]:
    """The client's quotes this member may see (a rep: their own), newest first."""
    return (
        quotes_visible_to(membership)
        .filter(client=client)
        .select_related("owner")
        .order_by("-created_at", "-id")
    )
