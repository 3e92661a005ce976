"""The API's reads: the app's own selectors, scoped to the key's company, with the
filters and keyset orderings the API offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from quotery.accounts.models import Company, Membership
from quotery.api.models import ApiKey
from quotery.billing.models import Payment
from quotery.catalog.models import Product
from quotery.catalog.selectors import ProductFilters, product_list
from quotery.clients.models import Client
from quotery.clients.selectors import client_list
from quotery.engagement.chain import pending_opens_fold
from quotery.engagement.models import QuoteEvent
from quotery.quotes.models import DeliveryNote, Quote
from quotery.quotes.selectors import delivery_notes_visible_to, quotes_visible_to
from quotery.sharing.models import Acceptance, PortalShare

QUOTE_ORDER = ("-created_at", "-id")
# What a quote summary shows: reading only these keeps a page of 50 cheap (no notes, no
# chain head, no password hashes of the owners).
SUMMARY_FIELDS = (
    "id",
    "company_id",
    "number",
    "title",
    "state",
    "client_id",
    "client__name",
    "contact_id",
    "owner_id",
    "owner__full_name",
    "owner__email",
    "currency",
    "total",
    "issue_date",
    "valid_until",
    "revision_number",
    "line_count",
    "created_at",
    "updated_at",
)


def quotes_for_api(
    *,
    membership: Membership,
    status: str | None = None,
    client_id: int | None = None,
    owner_id: int | None = None,
    updated_since: dt.datetime | None = None,
) -> QuerySet[Quote]:
    """The company's quotes (client and owner joined) with the API's filters. Keyset
    pages in QUOTE_ORDER use the (company, created_at) index."""
    quotes = quotes_visible_to(membership)
    if status:
        quotes = quotes.filter(state=status)
    if client_id is not None:
        quotes = quotes.filter(client_id=client_id)
    if owner_id is not None:
        quotes = quotes.filter(owner_id=owner_id)
    if updated_since is not None:
        quotes = quotes.filter(updated_at__gte=updated_since)
    return quotes


def quote_rows(quotes: QuerySet[Quote]) -> QuerySet[Quote, dict[str, Any]]:
    """The quotes as plain rows of SUMMARY_FIELDS (client and owner joined): a page of 50
    costs one query and no model instances."""
    return quotes.values(*SUMMARY_FIELDS)


def quote_row(quote: Quote) -> dict[str, Any]:
    """One quote read with its client and owner, as the row `quote_rows` gives."""
    related = {"client__name": quote.client.name}
    related |= {"owner__full_name": quote.owner.full_name, "owner__email": quote.owner.email}
    plain = [name for name in SUMMARY_FIELDS if "__" not in name]
    return {name: getattr(quote, name) for name in plain} | related


def quote_payment_status(quote: Quote) -> str | None:
    return Payment.objects.filter(quote_id=quote.pk).values_list("status", flat=True).first()


def quote_is_accepted(quote: Quote) -> bool:
    return Acceptance.objects.filter(quote_id=quote.pk, company_id=quote.company_id).exists()


def events_for_quote(quote: Quote) -> QuerySet[QuoteEvent]:
    """The quote's whole event log, oldest first by sequence (keyset pages), after the
    client page's pending opens have been chained (as the quote page does before it reads
    the log)."""
    pending_opens_fold(quote.pk)
    return QuoteEvent.objects.filter(quote_id=quote.pk, company_id=quote.company_id).select_related(
        "actor"
    )


def shares_of_quote(quote: Quote) -> QuerySet[PortalShare]:
    return PortalShare.objects.filter(quote_id=quote.pk, company_id=quote.company_id)


def share_of_quote(quote: Quote, pk: int) -> PortalShare:
    share = shares_of_quote(quote).filter(pk=pk).first()
    if share is None:
        raise Http404("No such share of this quote.")
    share.quote = quote
    return share


def acceptance_of_quote(quote: Quote) -> Acceptance:
    acceptance = Acceptance.objects.filter(quote_id=quote.pk, company_id=quote.company_id).first()
    if acceptance is None:
        raise Http404("This quote has not been accepted.")
    return acceptance


def payment_of_quote(quote: Quote) -> Payment:
    payment = (
        Payment.objects.filter(quote_id=quote.pk, company_id=quote.company_id)
        .select_related("updated_by")
        .first()
    )
    if payment is None:
        raise Http404(
            "This quote has no payment: it is not accepted, or was accepted while the "
            "finance approval gate was off."
        )
    return payment


def clients_for_api(*, company: Company, search: str = "") -> QuerySet[Client]:
    return client_list(company=company, search=search)


def products_for_api(*, company: Company, search: str = "", active: str = "") -> QuerySet[Product]:
    return product_list(company=company, filters=ProductFilters(search=search, active=active))


def delivery_notes_for_api(
    *, membership: Membership, quote_id: int | None = None
) -> QuerySet[DeliveryNote]:
    notes = delivery_notes_visible_to(membership=membership)
    if quote_id is not None:
        notes = notes.filter(quote_id=quote_id)
    return notes


def api_keys_of(company: Company) -> QuerySet[ApiKey]:
    """The company's keys for the settings page, newest first, with who made and revoked them."""
    return ApiKey.objects.filter(company=company).select_related("created_by", "revoked_by")


def api_key_of(company: Company, pk: int) -> ApiKey:
    key = api_keys_of(company).filter(pk=pk).first()
    if key is None:
        raise Http404("No such API key.")
    return key
