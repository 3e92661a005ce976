"""The API's reads: the app's own selectors, scoped to the key's company, with the
filters and keyset orderings the API offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Field, QuerySet
from django.http import Http404

from quotery.accounts.models import Company, Membership, User
from quotery.api.models import ApiKey
from quotery.api.pagination import Page, decode_cursor, encode_cursor
from quotery.billing.models import Payment
from quotery.catalog.models import Product
from quotery.catalog.selectors import ProductFilters, product_list
from quotery.clients.models import Client
from quotery.clients.selectors import client_list
from quotery.core.rawsql import Columns, prepared_cursor, quoted_column
from quotery.engagement.chain import pending_opens_fold
from quotery.engagement.models import QuoteEvent
from quotery.quotes.models import DeliveryNote, Quote
from quotery.quotes.selectors import delivery_notes_visible_to
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


# The list's page, written by hand and prepared on PostgreSQL (quotery.core.rawsql):
# compiling it through the ORM took about a fifth of a list request's time in the worker.
_ROW_QUOTE = Columns(Quote, [name for name in SUMMARY_FIELDS if "__" not in name], "q")
_ROW_CLIENT = Columns(Client, ["name"], "c")
_ROW_OWNER = Columns(User, ["full_name", "email"], "u")
_ROW_NAMES = (*_ROW_QUOTE.attnames, "client__name", "owner__full_name", "owner__email")
_ORDER_FIELDS: list[Field[Any, Any]] = [
    Quote._meta.get_field(name.lstrip("-"))  # type: ignore[misc]
    for name in QUOTE_ORDER
]


def _page_sql() -> str:
    quote = connection.ops.quote_name
    q = f"q.{quoted_column(Quote, 'company')}"
    # Table and column names come from the models; values are always parameters.
    return (
        f"SELECT {_ROW_QUOTE.sql}, {_ROW_CLIENT.sql}, {_ROW_OWNER.sql} "  # noqa: S608
        f"FROM {quote(Quote._meta.db_table)} q "
        f"JOIN {quote(Client._meta.db_table)} c ON c.id = q.{quoted_column(Quote, 'client')} "
        f"JOIN {quote(User._meta.db_table)} u ON u.id = q.{quoted_column(Quote, 'owner')} "
        f"WHERE {q} = %s"
    )


_PAGE_SQL = _page_sql()
_FILTERS = {
    "status": f"q.{quoted_column(Quote, 'state')} = %s",
    "client_id": f"q.{quoted_column(Quote, 'client')} = %s",
    "owner_id": f"q.{quoted_column(Quote, 'owner')} = %s",
    "updated_since": f"q.{quoted_column(Quote, 'updated_at')} >= %s",
}
_CREATED, _ID = f"q.{quoted_column(Quote, 'created_at')}", f"q.{quoted_column(Quote, 'id')}"
# After the cursor's row in QUOTE_ORDER; the bound on created_at alone lets the
# (company, created_at) index start at the cursor.
_AFTER = f"{_CREATED} <= %s AND ({_CREATED} < %s OR ({_CREATED} = %s AND {_ID} < %s))"
_ORDER = f"ORDER BY {_CREATED} DESC, {_ID} DESC LIMIT %s"


def quote_summary_page(
    *,
    company_id: int,
    status: str | None = None,
    client_id: int | None = None,
    owner_id: int | None = None,
    updated_since: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int,
) -> Page[dict[str, Any]]:
    """A page of the company's quotes as summary rows (the fields of SUMMARY_FIELDS,
    client and owner joined), with the API's filters, newest first (QUOTE_ORDER), after
    `cursor` (BadParameter if it is not one the API gave out): one query, the
    (company, created_at) index. An API key reads its whole company."""
    adapt = connection.ops.adapt_datetimefield_value
    sql = [_PAGE_SQL]
    params: list[Any] = [company_id]
    for name, value in (
        ("status", status),
        ("client_id", client_id),
        ("owner_id", owner_id),
        ("updated_since", updated_since and adapt(updated_since)),
    ):
        if value is not None and value != "":
            sql.append(f"AND {_FILTERS[name]}")
            params.append(value)
    if cursor:
        created_at, pk = decode_cursor(cursor, _ORDER_FIELDS)
        at = adapt(created_at)
        sql.append(f"AND {_AFTER}")
        params += [at, at, at, pk]
    sql.append(_ORDER)
    params.append(limit + 1)
    with prepared_cursor() as db:
        db.execute(" ".join(sql), params)
        found = db.fetchall()
    items = [
        dict(zip(_ROW_NAMES, values, strict=True))
        for values in _ROW_QUOTE.converted_rows(found[:limit])
    ]
    next_cursor = None
    if len(found) > limit:
        last = items[-1]
        next_cursor = encode_cursor([last["created_at"], last["id"]])
    return Page(items=items, next_cursor=next_cursor)


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
