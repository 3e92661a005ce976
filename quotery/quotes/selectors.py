"""Reads of quotes and of the delivery notes made from them, always scoped to the member's
company and, for reps, to their own quotes; and the reads of clients and products that join
their quotes (the client list's counts, a client's quotes, a product's reservations)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, QueryDict

from quotery.accounts.models import Membership, Role, User
from quotery.catalog.models import Product
from quotery.clients.models import Client
from quotery.clients.selectors import client_list, count_per_client
from quotery.core.languages import client_language
from quotery.quotes.models import (
    OPEN_DELIVERY_STATES,
    DeliveryNote,
    DeliveryNoteLine,
    DeliveryNoteState,
    Line,
    Quote,
    QuoteState,
    Section,
)
from quotery.quotes.states import effective_state
from quotery.quotes.totals import quote_totals

# What finance works with: quotes the client has accepted.
FINANCE_STATES = (QuoteState.ACCEPTED, QuoteState.READY_FOR_BILLING, QuoteState.CLOSED)


def quotes_visible_to(membership: Membership) -> QuerySet[Quote]:
    quotes = Quote.objects.filter(company_id=membership.company_id)
    if membership.role == Role.REP:
        return quotes.filter(owner_id=membership.user_id)
    if membership.role == Role.FINANCE:
        return quotes.filter(state__in=FINANCE_STATES)
    return quotes


def quotes_editable_by(membership: Membership) -> QuerySet[Quote]:
    if not membership.can_edit_quotes:
        return Quote.objects.none()
    return quotes_visible_to(membership)


def clients_with_quote_counts(*, membership: Membership, search: str = "") -> QuerySet[Client]:
    """The client list page in one query: each client (matching `search`) with its number of
    contacts and the number of its quotes this member may see (a rep counts only their own)."""
    return client_list(company=membership.company, search=search).annotate(
        quote_count=count_per_client(quotes_visible_to(membership))
    )


def quotes_of_client(*, membership: Membership, client: Client) -> QuerySet[Quote]:
    """The client's quotes this member may see (a rep: their own), newest first."""
    return (
        quotes_visible_to(membership)
        .filter(client=client)
        .select_related("owner")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class QuoteFilters:
    state: str = ""
    owner_id: int | None = None
    search: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> QuoteFilters:
        """The filters of the list's query string; anything unknown is no filter."""
        state = query.get("state", "")
        owner = query.get("owner", "")
        return cls(
            state=state if state in QuoteState else "",
            owner_id=int(owner) if owner.isdigit() else None,
            search=query.get("q", "")[:100],
        )

    @property
    def active(self) -> bool:
        return bool(self.state or self.owner_id or self.search.strip())


@dataclass(frozen=True)
class QuoteRow:
    quote: Quote
    # What the list shows: an open quote past its validity reads as expired at once.
    display_state: QuoteState


def quote_rows(quotes: Iterable[Quote], *, zone: dt.tzinfo, now: dt.datetime) -> list[QuoteRow]:
    """The list's rows (one page of `quote_list`), each with the state to show."""
    return [
        QuoteRow(
            quote=quote,
            display_state=QuoteState(effective_state(quote.state, quote.valid_until, zone, now)),
        )
        for quote in quotes
    ]


def quote_list(*, membership: Membership, filters: QuoteFilters) -> QuerySet[Quote]:
    """The quote list page: one query for the rows (client and owner joined), each with
    its delivery note's state and latest shipment (`delivery_state`, `last_shipped_at`)."""
    open_note = DeliveryNote.objects.filter(quote=OuterRef("pk")).exclude(
        state=DeliveryNoteState.CANCELLED
    )
    quotes = (
        quotes_visible_to(membership)
        .select_related("client", "owner", "contact")
        .annotate(
            delivery_state=Subquery(open_note.values("state")[:1]),
            last_shipped_at=Subquery(open_note.values("last_shipped_at")[:1]),
        )
    )
    if filters.state:
        quotes = quotes.filter(state=filters.state)
    if filters.owner_id:
        quotes = quotes.filter(owner_id=filters.owner_id)
    term = filters.search.strip()
    if term:
        quotes = quotes.filter(
            Q(number__icontains=term) | Q(client__name__icontains=term) | Q(title__icontains=term)
        )
    return quotes.order_by("-created_at", "-id")


def quote_detail(*, membership: Membership, pk: int, for_edit: bool = False) -> Quote:
    """One quote with its sections and lines in a constant number of queries, or 404 when
    it does not exist for this member (another company's, another rep's)."""
    source = quotes_editable_by(membership) if for_edit else quotes_visible_to(membership)
    quote = (
        source.select_related("company", "client", "contact", "owner")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.order_by("position").prefetch_related(
                    Prefetch(
                        "lines",
                        queryset=Line.objects.order_by("position").select_related("product"),
                    )
                ),
            ),
            "revisions",
            Prefetch("delivery_notes", queryset=DeliveryNote.objects.order_by("-created_at")),
        )
        .filter(pk=pk)
        .first()
    )
    if quote is None:
        raise Http404("No such quote.")
    return quote


def quote_lines(quote: Quote) -> list[Line]:
    """The prefetched lines of a quote from quote_detail, in document order."""
    return [line for section in quote.sections.all() for line in section.lines.all()]


def quote_owners(*, membership: Membership) -> list[User]:
    """Who the owner filter offers: everyone in the company for managers, else nobody."""
    if not membership.sees_all_quotes:
        return []
    return list(
        User.objects.filter(membership__company_id=membership.company_id).order_by("full_name")
    )


@dataclass(frozen=True)
class DocumentLine:
    line: Line
    gross: Decimal
    discount: Decimal
    net: Decimal


@dataclass(frozen=True)
class DocumentSection:
    section: Section
    lines: list[DocumentLine]
    subtotal: Decimal


def quote_document(quote: Quote) -> dict[str, Any]:
    """The quote as the client reads it: sections with line amounts and subtotals, and the
    totals, computed from the rows prefetched by quote_detail (no further queries)."""
    sections = list(quote.sections.all())
    lines = [line for section in sections for line in section.lines.all()]
    totals = quote_totals(lines, quote.currency)
    amounts = iter(totals.lines)
    document_sections = []
    for section in sections:
        doc_lines = []
        for line in section.lines.all():
            amount = next(amounts)
            doc_lines.append(
                DocumentLine(
                    line=line, gross=amount.gross, discount=amount.discount, net=amount.net
                )
            )
        document_sections.append(
            DocumentSection(
                section=section,
                lines=doc_lines,
                subtotal=sum((d.net for d in doc_lines), Decimal(0)),
            )
        )
    return {"document_sections": document_sections, "totals": totals}


def delivery_notes_visible_to(*, membership: Membership) -> QuerySet[DeliveryNote]:
    quotes = quotes_visible_to(membership)
    return (
        DeliveryNote.objects.filter(company_id=membership.company_id, quote__in=quotes)
        .select_related("quote", "quote__client")
        .order_by("-created_at", "-id")
    )


ZERO = Decimal(0)
RESERVATIONS_SHOWN = 50


def delivery_notes_for_list(*, membership: Membership) -> QuerySet[DeliveryNote]:
    """The delivery notes list: newest first, each with `has_backorder`.

    Quantities are exact decimal text on SQLite, so the flag compares for equality with
    zero (exact on both databases) instead of summing or ordering in SQL.
    """
    backordered = DeliveryNoteLine.objects.filter(note=OuterRef("pk")).exclude(
        backorder_quantity=ZERO
    )
    return delivery_notes_visible_to(membership=membership).annotate(
        has_backorder=Exists(backordered)
    )


@dataclass(frozen=True)
class DeliveryNotePage:
    note: DeliveryNote
    lines: list[DeliveryNoteLine]
    reserved_units: Decimal
    backordered_units: Decimal
    backordered_lines: int
    shipped_units: Decimal
    can_cancel: bool
    can_ship: bool


def delivery_note_page(*, membership: Membership, pk: int) -> DeliveryNotePage:
    """One delivery note the member may see, its lines in order and its totals, or 404
    (another company's note, a colleague's for a rep, or none)."""
    note = (
        delivery_notes_visible_to(membership=membership)
        .select_related("cancelled_by")
        .filter(pk=pk)
        .first()
    )
    if note is None:
        raise Http404("No such delivery note.")
    lines = list(
        DeliveryNoteLine.objects.filter(note=note, company_id=note.company_id).order_by(
            "position", "pk"
        )
    )
    backordered = [line for line in lines if line.backorder_quantity > ZERO]
    can_edit = note.is_open and quotes_editable_by(membership).filter(pk=note.quote_id).exists()
    return DeliveryNotePage(
        note=note,
        lines=lines,
        reserved_units=sum((line.reserved_quantity for line in lines), ZERO),
        backordered_units=sum((line.backorder_quantity for line in backordered), ZERO),
        backordered_lines=len(backordered),
        shipped_units=sum((line.shipped_quantity for line in lines), ZERO),
        can_cancel=can_edit and note.is_draft,
        can_ship=can_edit and any(line.to_ship > ZERO for line in lines),
    )


def delivery_note_for_edit(*, membership: Membership, pk: int) -> DeliveryNote:
    """A delivery note the member may change (the quote's owning rep, managers, admins),
    or 404."""
    note = (
        DeliveryNote.objects.filter(
            company_id=membership.company_id, quote__in=quotes_editable_by(membership)
        )
        .filter(pk=pk)
        .first()
    )
    if note is None:
        raise Http404("No such delivery note.")
    return note


def reservations_for_product(*, product: Product, membership: Membership) -> list[DeliveryNoteLine]:
    """Lines of open (draft or partially shipped) delivery notes the member may see that
    reserve or backorder `product`, newest note first (at most RESERVATIONS_SHOWN)."""
    lines = (
        DeliveryNoteLine.objects.filter(
            company_id=membership.company_id,
            product=product,
            note__state__in=OPEN_DELIVERY_STATES,
            note__quote__in=quotes_visible_to(membership),
        )
        # Equality with zero is exact on both databases (text on SQLite, numeric on PG).
        .exclude(reserved_quantity=ZERO, backorder_quantity=ZERO)
        .select_related("note", "note__quote")
        .order_by("-note__created_at", "-note_id", "position")
    )
    return list(lines[:RESERVATIONS_SHOWN])


def quote_language(quote: Quote) -> str:
    """The language the quote's client reads it in: the client's own, else the company's
    (`quotery.core.languages.client_language`). One query when the client is not loaded."""
    own: str | None
    if Quote.client.is_cached(quote):
        own = quote.client.language
    else:
        own = Client.objects.filter(pk=quote.client_id).values_list("language", flat=True).first()
    return client_language(own or "", quote.company.language)
