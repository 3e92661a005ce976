"""The client's pages: the quote behind a portal link, the view beacon, the PDF, and the
staff preview of what the client sees.

Every response under /p/ carries the portal headers (SECURITY.md 5). Unknown, malformed,
forged and revoked links all get the same 404 bytes (SECURITY.md 3). GET and HEAD change no
business state; only a GET by someone who is not staff of the quote's company records an
open, and only the page's beacon turns that open into a counted view (SECURITY.md 9-10).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from threading import Lock
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST, require_safe

from quotery.accounts.access import MemberRequest, member_required
from quotery.accounts.models import Company
from quotery.core.canonical import canonical_json
from quotery.core.money import UnknownCurrency, format_money
from quotery.core.request_meta import RequestMeta, client_ip
from quotery.documents.services import quote_pdf, quote_pdf_filename
from quotery.portal import ratelimit
from quotery.portal.links import split_token
from quotery.portal.models import ConversationMessage, PortalShare
from quotery.portal.selectors import PortalPage, portal_page, share_for_token, thread_for_quote
from quotery.portal.services import (
    portal_open_record,
    portal_pdf_download_record,
    portal_view_confirm,
)
from quotery.quotes.content import client_visible_content
from quotery.quotes.models import QuoteState, end_of_validity
from quotery.quotes.selectors import quote_detail
from quotery.quotes.states import effective_state

PORTAL_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}

View = Callable[..., HttpResponse]


def portal_headers(view: View) -> View:
    """SECURITY.md 5: the link must not leak through Referer, search engines or caches."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        for header, value in PORTAL_HEADERS.items():
            response[header] = value
        return response

    return wrapped


# ---------------------------------------------------------------------------------------
# Presentation of a revision's canonical content


@dataclass(frozen=True)
class LineView:
    description: str
    sku: str
    quantity: str
    unit_price: str
    discount: str
    tax: str
    total: str


@dataclass(frozen=True)
class SectionView:
    title: str
    lines: list[LineView]
    subtotal: str


@dataclass(frozen=True)
class TaxView:
    rate: str
    amount: str


@dataclass(frozen=True)
class QuoteView:
    number: str
    title: str
    currency: str
    issue_date: dt.date
    valid_until: dt.date
    client: str
    contact_name: str
    prepared_by_name: str
    prepared_by_email: str
    notes: str
    sections: list[SectionView]
    line_count: int
    before_discount: str
    discount: str
    has_discount: bool
    subtotal: str
    taxes: list[TaxView]
    total: str


def _money(amount: Decimal, currency: str) -> str:
    try:
        return format_money(amount, currency)
    except UnknownCurrency:
        return f"{amount:f} {currency}"


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def quote_view(content: dict[str, Any]) -> QuoteView:
    """The canonical content (all strings) made readable: money formatted for the currency,
    section subtotals summed from the rounded line totals, dates as dates."""
    currency = content["currency"]
    sections = []
    line_count = 0
    for section in content["sections"]:
        lines = [
            LineView(
                description=line["description"],
                sku=line["sku"],
                quantity=line["quantity"],
                unit_price=_money(Decimal(line["unit_price"]), currency),
                discount=f"{line['discount_percent']} %"
                if Decimal(line["discount_percent"])
                else "",
                tax=f"{line['tax_rate']} %",
                total=_money(Decimal(line["net"]), currency),
            )
            for line in section["lines"]
        ]
        line_count += len(lines)
        subtotal = sum((Decimal(line["net"]) for line in section["lines"]), Decimal(0))
        sections.append(
            SectionView(title=section["title"], lines=lines, subtotal=_money(subtotal, currency))
        )
    totals = content["totals"]
    discount = Decimal(totals["discount"])
    contact = content.get("contact") or {}
    prepared_by = content.get("prepared_by") or {}
    return QuoteView(
        number=content["number"],
        title=content["title"],
        currency=currency,
        issue_date=_date(content["issue_date"]),
        valid_until=_date(content["valid_until"]),
        client=content["client"],
        contact_name=contact.get("name", ""),
        prepared_by_name=prepared_by.get("name", "") or prepared_by.get("email", ""),
        prepared_by_email=prepared_by.get("email", ""),
        notes=content.get("notes", ""),
        sections=sections,
        line_count=line_count,
        before_discount=_money(Decimal(totals["subtotal"]) + discount, currency),
        discount=_money(discount, currency),
        has_discount=bool(discount),
        subtotal=_money(Decimal(totals["subtotal"]), currency),
        taxes=[
            TaxView(rate=tax["rate"], amount=_money(Decimal(tax["amount"]), currency))
            for tax in totals["taxes"]
        ],
        total=_money(Decimal(totals["total"]), currency),
    )


# A revision's content never changes (its hash names it), so its formatted view and
# rendered body can be kept. Per process, bounded: the page then costs its queries and a
# small outer template, whatever the number of lines.
_BODY_CACHE: OrderedDict[str, tuple[QuoteView, SafeString]] = OrderedDict()
_BODY_CACHE_SIZE = 256
_BODY_CACHE_LOCK = Lock()


def _render_body(quote: QuoteView) -> SafeString:
    return SafeString(render_to_string("portal/client/_quote.html", {"q": quote}))


def revision_body(content_hash: str, content: dict[str, Any]) -> tuple[QuoteView, SafeString]:
    with _BODY_CACHE_LOCK:
        cached = _BODY_CACHE.get(content_hash)
        if cached is not None:
            _BODY_CACHE.move_to_end(content_hash)
            return cached
    quote = quote_view(content)
    rendered = (quote, _render_body(quote))
    with _BODY_CACHE_LOCK:
        _BODY_CACHE[content_hash] = rendered
        if len(_BODY_CACHE) > _BODY_CACHE_SIZE:
            _BODY_CACHE.popitem(last=False)
    return rendered


# ---------------------------------------------------------------------------------------
# Branding


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: float, b: float) -> float:
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


DARK_TEXT = "#111827"
WHITE = "#ffffff"


@dataclass(frozen=True)
class Brand:
    colour: str  # backgrounds: the header band, the primary button
    on_colour: str  # text on the brand colour: white or dark, whichever reads better
    ink: str  # the brand colour darkened until it reads as text on white (WCAG AA 4.5:1)


def brand_for(company: Company) -> Brand:
    colour = company.brand_colour
    if not (len(colour) == 7 and colour.startswith("#")):
        colour = "#1f6feb"
    try:
        luminance = _luminance(colour)
    except ValueError:
        colour, luminance = "#1f6feb", _luminance("#1f6feb")
    dark = _luminance(DARK_TEXT)
    on_colour = WHITE if _contrast(1.0, luminance) >= _contrast(luminance, dark) else DARK_TEXT
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    ink = colour
    for step in range(21):
        factor = 1 - step * 0.05
        ink = "#" + "".join(f"{round(c * factor):02x}" for c in channels)
        if _contrast(1.0, _luminance(ink)) >= 4.5:
            break
    return Brand(colour=colour, on_colour=on_colour, ink=ink)


# ---------------------------------------------------------------------------------------
# Responses shared by every portal URL


def _not_found_body() -> bytes:
    # No request in the context: the bytes are the same whoever asks (SECURITY.md 3).
    return render_to_string("portal/not_found.html").encode()


def _too_many(name: str) -> HttpResponse:
    response = HttpResponse(render_to_string("portal/rate_limited.html"), status=429)
    response["Retry-After"] = str(ratelimit.retry_after(name))
    return response


def _unknown_link(request: HttpRequest) -> HttpResponse:
    """The one answer to every link that opens nothing. Counts towards the 404 limit."""
    if not ratelimit.hit(ratelimit.NOT_FOUND_PER_IP, _ip(request)):
        return _too_many(ratelimit.NOT_FOUND_PER_IP)
    return HttpResponse(_not_found_body(), status=404)


def _ip(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _is_company_staff(request: HttpRequest, share: PortalShare) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.company_id == share.company_id


def _state_notice(state: str) -> str:
    return {
        QuoteState.ACCEPTED: "This quote has been accepted.",
        QuoteState.READY_FOR_BILLING: "This quote has been accepted.",
        QuoteState.CLOSED: "This quote has been accepted and is closed.",
        QuoteState.DECLINED: "This quote was declined.",
        QuoteState.CANCELLED: "This quote has been withdrawn.",
    }.get(QuoteState(state), "")


def _page_context(
    *,
    company: Company,
    quote: QuoteView,
    body: SafeString,
    messages: Sequence[ConversationMessage],
    state: str,
    valid_until: dt.date,
) -> dict[str, Any]:
    return {
        "company": company,
        "brand": brand_for(company),
        "q": quote,
        "body": body,
        "messages": messages,
        "state": state,
        "expired": state == QuoteState.EXPIRED,
        "valid_until": valid_until,
        "open_for_answer": state in {QuoteState.SENT, QuoteState.CHANGES_REQUESTED},
        "state_notice": _state_notice(state),
    }


# ---------------------------------------------------------------------------------------
# Views


@portal_headers
@require_safe
def page(request: HttpRequest, token: str) -> HttpResponse:
    """The quote behind a link. A client's GET records an open (not yet a view) and hands
    the page the open's number for the beacon; HEAD and staff visits record nothing."""
    if ratelimit.exceeded(ratelimit.NOT_FOUND_PER_IP, _ip(request)):
        return _too_many(ratelimit.NOT_FOUND_PER_IP)
    share = share_for_token(token)
    if share is None:
        return _unknown_link(request)
    current: PortalPage = portal_page(share)
    staff = _is_company_staff(request, share)
    open_sequence = None
    # Django answers HEAD with this same function: only a real GET records the open.
    if request.method == "GET" and not staff:
        opened = portal_open_record(share=share, meta=RequestMeta.from_request(request))
        open_sequence = opened.sequence
    quote, body = revision_body(current.revision.content_hash, current.content)
    context = _page_context(
        company=current.quote.company,
        quote=quote,
        body=body,
        messages=current.messages,
        state=current.state,
        valid_until=current.quote.valid_until,
    )
    context.update(token=token, staff_visit=staff, open_sequence=open_sequence, preview=False)
    with timezone.override(current.quote.company.zone):
        return render(request, "portal/client/page.html", context)


@portal_headers
@require_POST
def seen(request: HttpRequest, token: str) -> HttpResponse:
    """The beacon: the page was visible in a browser for a moment, so the open it names
    becomes a counted view. CSRF-protected like every POST; 204 whether or not it counted."""
    if not ratelimit.hit(ratelimit.POST_PER_IP, _ip(request)):
        return _too_many(ratelimit.POST_PER_IP)
    share = share_for_token(token)  # revoked since the page loaded: nothing is counted
    if share is None:
        return _unknown_link(request)
    if not ratelimit.hit(ratelimit.POST_PER_LINK, str(share.pk)):
        return _too_many(ratelimit.POST_PER_LINK)
    try:
        open_sequence = int(request.POST.get("open", ""))
    except ValueError:
        return HttpResponse(
            "The view confirmation must name the open it confirms.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if not _is_company_staff(request, share):
        portal_view_confirm(
            share=share, open_sequence=open_sequence, meta=RequestMeta.from_request(request)
        )
    return HttpResponse(status=204)


@portal_headers
@require_safe
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /p/: the same 404 as an unknown link, counted the same way. A
    link that lost its trailing slash (pasted by hand) is sent on by its shape alone, so
    the answer says nothing about whether the link exists."""
    if ratelimit.exceeded(ratelimit.NOT_FOUND_PER_IP, _ip(request)):
        return _too_many(ratelimit.NOT_FOUND_PER_IP)
    if split_token(rest) is not None:
        return HttpResponsePermanentRedirect(reverse("portal:page", args=[rest]))
    return _unknown_link(request)


@portal_headers
@require_safe
@member_required()
def preview(request: MemberRequest, pk: int) -> HttpResponse:
    """What the client would see now, from the live quote (not the last shared revision).
    Records nothing and sends no beacon."""
    quote = quote_detail(membership=request.membership, pk=pk)
    sections = list(quote.sections.all())
    lines = [line for section in sections for line in section.lines.all()]
    # Through canonical JSON, so the preview formats exactly what a revision would hold.
    content = json.loads(canonical_json(client_visible_content(quote, sections, lines)))
    company = quote.company
    state = effective_state(quote.state, quote.valid_until, company.zone, timezone.now())
    view = quote_view(content)
    context = _page_context(
        company=company,
        quote=view,
        body=_render_body(view),
        messages=list(thread_for_quote(quote)),
        state=state,
        valid_until=quote.valid_until,
    )
    context.update(
        token=None,
        staff_visit=True,
        open_sequence=None,
        preview=True,
        preview_quote_pk=quote.pk,
        valid_until_end=end_of_validity(quote.valid_until, company.zone),
    )
    with timezone.override(company.zone):
        return render(request, "portal/client/page.html", context)


@portal_headers
@require_safe
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The quote's PDF as a download. A client's GET records a download; HEAD and staff
    record nothing."""
    if ratelimit.exceeded(ratelimit.NOT_FOUND_PER_IP, _ip(request)):
        return _too_many(ratelimit.NOT_FOUND_PER_IP)
    share = share_for_token(token)
    if share is None:
        return _unknown_link(request)
    current = portal_page(share)
    document = quote_pdf(revision=current.revision, company=current.quote.company)
    if request.method == "GET" and not _is_company_staff(request, share):
        portal_pdf_download_record(share=share, meta=RequestMeta.from_request(request))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{quote_pdf_filename(current.content)}"'
    )
    return response
