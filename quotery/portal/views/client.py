"""The client's pages: the quote behind a portal link, the view beacon, the PDF, and the
staff preview of what the client sees.

Every response under /p/ carries the portal headers (SECURITY.md 5). Unknown, malformed,
forged and revoked links all get the same 404 bytes (SECURITY.md 3). GET and HEAD change no
business state; only a GET by someone who is not staff of the quote's company records an
open, and only the beacon of the page that recorded it, carrying that page's signed token,
turns that open into a counted view (SECURITY.md 9-10).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST, require_safe

from quotery.accounts.access import MemberRequest, member_required
from quotery.core.canonical import canonical_json
from quotery.core.exceptions import TooManyRequests, ValidationFailed
from quotery.core.request_meta import RequestMeta
from quotery.documents.services import quote_pdf, quote_pdf_filename
from quotery.portal import ratelimit
from quotery.portal.attention import MAX_BODY_BYTES, TOO_LARGE
from quotery.portal.presentation import (
    DONE_NOTICES,
    QuoteView,
    client_page_response,
    page_context,
    page_key,
    quote_view,
    render_body,
    revision_body,
    with_option_errors,
)
from quotery.portal.selectors import PortalPage, portal_page, share_for_token, thread_for_quote
from quotery.portal.services.attention import portal_attention_record
from quotery.portal.services.choices import OPEN_FOR_CHOICES, page_configuration
from quotery.portal.services.sharing import (
    portal_open_record_pending,
    portal_pdf_download_record,
    portal_view_confirm,
)
from quotery.portal.view_confirmation import view_token_for
from quotery.portal.views.common import (
    is_company_staff,
    live_share,
    over_post_limit,
    portal_headers,
    unknown_link,
)
from quotery.quotes.content import client_visible_content
from quotery.quotes.models import Quote, QuoteRevision
from quotery.quotes.selectors import quote_detail, quote_language
from quotery.quotes.states import effective_state
from quotery.sharing.links import split_token
from quotery.sharing.models import PortalShare

# ---------------------------------------------------------------------------------------
# Views


@portal_headers
@require_safe
def page(request: HttpRequest, token: str) -> HttpResponse:
    """The quote behind a link. A client's GET records an open (not yet a view) and hands
    the page a signed token naming that open for the beacon; HEAD and staff visits record
    nothing."""
    share = live_share(request, token)
    if isinstance(share, HttpResponse):
        return share
    current = portal_page(share)
    company = current.quote.company
    staff = is_company_staff(request, share)
    view_token = None
    # Django answers HEAD with this same function: only a real GET records the open.
    if request.method == "GET" and not staff:
        opened = portal_open_record_pending(share=share, meta=RequestMeta.from_request(request))
        view_token = view_token_for(share=share, pending_open=opened)
    done = request.GET.get("done", "")
    done = done if done in DONE_NOTICES else ""
    # The recipient's choices on a quote with options (the defaults until they choose).
    configuration = page_configuration(current)
    choosing = configuration is not None and current.state in OPEN_FOR_CHOICES

    def context() -> dict[str, Any]:
        # Only for a page this process has not rendered yet (see client_page_response).
        quote, body = revision_body(
            current.content_hash, current.content, configuration, choosing=choosing
        )
        return _page_values(current, quote=quote, body=body, staff=staff, done=done)

    key = page_key(
        company=company,
        content_hash=current.content_hash,
        state=current.state,
        valid_until=current.quote.valid_until,
        messages=current.messages,
        staff_visit=staff,
        counts_open=view_token is not None,
        answered=(
            current.acceptance.pk if current.acceptance else None,
            current.payment,
            (current.changes.from_revision, current.changes.to_revision)
            if current.changes
            else None,
            done,
            configuration.hash() if configuration else "",
        ),
    )
    return client_page_response(
        request,
        key=key,
        context=context,
        token=token,
        view_token=view_token,
        zone=company.zone,
    )


def choices_refused_page(
    request: HttpRequest, share: PortalShare, token: str, error: ValidationFailed
) -> HttpResponse:
    """The client page again after Update total was refused (no script): the choices kept
    for the link, unchanged, with each problem beside the control it is about and the whole
    refusal by the button. 422, like the client's other forms; records no open."""
    current = portal_page(share)
    configuration = page_configuration(current)
    choosing = configuration is not None and current.state in OPEN_FOR_CHOICES
    quote = with_option_errors(quote_view(current.content, configuration), error.field_errors)
    body = render_body(quote, choosing=choosing, option_error=error.message)
    staff = is_company_staff(request, share)

    def context() -> dict[str, Any]:
        return _page_values(current, quote=quote, body=body, staff=staff, done="")

    return client_page_response(
        request,
        key=(),
        context=context,
        token=token,
        view_token=None,
        zone=current.quote.company.zone,
        status=422,
        keep=False,
    )


def _page_values(
    current: PortalPage, *, quote: QuoteView, body: SafeString, staff: bool, done: str
) -> dict[str, Any]:
    values = page_context(
        company=current.quote.company,
        quote=quote,
        body=body,
        messages=current.messages,
        state=current.state,
        valid_until=current.quote.valid_until,
        content_hash=current.content_hash,
        acceptance=current.acceptance,
        payment_status=current.payment,
        changes=current.changes,
        done=done,
    )
    values.update(staff_visit=staff, preview=False)
    return values


@portal_headers
@require_POST
def seen(request: HttpRequest, token: str) -> HttpResponse:
    """The beacon: the page was visible in a browser for a moment, so the open its page
    recorded becomes a counted view. CSRF-protected like every POST. 204 whether or not it
    counted (a repeat counts once); 400 with a plain sentence, and nothing counted, when the
    `open` field is not the page's token for this link (a bare open number, an edited,
    foreign or stale token).

    One short transaction for the rate-limit counters and the view: on SQLite a write
    transaction holds the database's single write lock, so it takes it once per beacon, for
    as little time as possible."""
    share = share_for_token(token)  # revoked since the page loaded: nothing is counted
    if share is None:
        return unknown_link(request)
    with transaction.atomic():
        refusal = over_post_limit(request, share, ratelimit.VIEW)
        if refusal is not None:
            return refusal
        if is_company_staff(request, share):
            return HttpResponse(status=204)
        try:
            portal_view_confirm(
                share=share,
                view_token=request.POST.get("open", ""),
                meta=RequestMeta.from_request(request),
            )
        except ValidationFailed as error:  # raised before anything but the counters is written
            return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(status=204)


@portal_headers
@require_POST
def attention(request: HttpRequest, token: str) -> HttpResponse:
    """The attention beacon: the running seconds each part of the quote was on screen in a
    counted view's visible page (`portal_attention_record`). Same link, rate limits and
    token as the view beacon; staff record nothing. 204 when taken (or nothing was new);
    400, 413 or 429 with a plain sentence, and nothing stored, otherwise."""
    share = share_for_token(token)
    if share is None:
        return unknown_link(request)
    if _body_length(request) > MAX_BODY_BYTES:
        return _plain(TOO_LARGE, 413)
    with transaction.atomic():
        refusal = over_post_limit(request, share, ratelimit.ATTENTION)
        if refusal is not None:
            return refusal
        if is_company_staff(request, share):
            return HttpResponse(status=204)
        try:
            portal_attention_record(
                share=share,
                view_token=request.POST.get("open", ""),
                batch=request.POST.get("sections", ""),
                last=request.POST.get("last", "")[:40],
                meta=RequestMeta.from_request(request),
            )
        except (ValidationFailed, TooManyRequests) as error:
            # Raised before anything but the rate-limit counters is written.
            return _plain(error.message, error.http_status)
    return HttpResponse(status=204)


def _body_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_BODY_BYTES + 1  # not a length: refused like a body too large


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@portal_headers
@require_safe
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /p/: the same 404 as an unknown link, counted the same way. A
    link that lost its trailing slash (pasted by hand) is sent on by its shape alone, so
    the answer says nothing about whether the link exists; and it is sent on even from an
    address over its 404 limit, whose valid links still open."""
    if split_token(rest) is not None:
        return HttpResponsePermanentRedirect(reverse("portal:page", args=[rest]))
    return unknown_link(request)


@portal_headers
@require_safe
@member_required()
def preview(request: MemberRequest, pk: int) -> HttpResponse:
    """What the client would see now, from the live quote (not the last shared revision).
    Records nothing and sends no beacon."""
    quote = quote_detail(membership=request.membership, pk=pk)
    # In the client's language, as they will see it.
    with translation.override(quote_language(quote)):
        return _preview(request, quote)


def _preview(request: MemberRequest, quote: Quote) -> HttpResponse:
    sections = list(quote.sections.all())
    lines = [line for section in sections for line in section.lines.all()]
    # Through canonical JSON, so the preview formats exactly what a revision would hold.
    content = json.loads(canonical_json(client_visible_content(quote, sections, lines)))
    company = quote.company
    state = effective_state(quote.state, quote.valid_until, company.zone, timezone.now())
    view = quote_view(content)
    context = page_context(
        company=company,
        quote=view,
        body=render_body(view),
        messages=list(thread_for_quote(quote)),
        state=state,
        valid_until=quote.valid_until,
    )
    context.update(
        token=None,
        staff_visit=True,
        view_token=None,
        preview=True,
        preview_quote_pk=quote.pk,
    )
    with timezone.override(company.zone):
        return render(request, "portal/client/page.html", context)


@portal_headers
@require_safe
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The quote's PDF as a download, showing what the page shows: on a quote with options
    the link's current choices, the totals they come to and the options not taken. A
    client's GET records a download; HEAD and staff record nothing."""
    share = live_share(request, token)
    if isinstance(share, HttpResponse):
        return share
    current = portal_page(share)
    revision = QuoteRevision.objects.get(quote_id=share.quote_id, number=current.revision_number)
    # As the page shows it: the link's current choices (or those accepted), not the defaults.
    document = quote_pdf(
        revision=revision, company=current.quote.company, configuration=page_configuration(current)
    )
    if request.method == "GET" and not is_company_staff(request, share):
        portal_pdf_download_record(share=share, meta=RequestMeta.from_request(request))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{quote_pdf_filename(current.content)}"'
    )
    return response
