"""The client's acceptance: the form, the signature, and the accepted PDF.

GET shows the form and records nothing (SECURITY.md 9). Only a POST with the typed name,
email, the ticked consent box, the content hash of the revision the client saw and a CSRF
token accepts (SECURITY.md 11, 13, 22).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from quotery.core.exceptions import (
    AlreadyAnswered,
    ChoicesChanged,
    NotFound,
    QuoteNotAcceptable,
    RevisionMismatch,
    ValidationFailed,
)
from quotery.core.forms import add_service_errors
from quotery.core.languages import active_language
from quotery.core.request_meta import RequestMeta
from quotery.documents.acceptance import accepted_pdf
from quotery.documents.services import quote_pdf_filename
from quotery.portal import ratelimit
from quotery.portal.forms import AcceptForm
from quotery.portal.presentation import brand_for, revision_body
from quotery.portal.selectors import PortalPage, portal_page
from quotery.portal.services.acceptance import (
    ACCEPTABLE_STATES,
    REVIEW_AGAIN,
    acceptance_consent_text,
    not_acceptable_reason,
    quote_accept,
)
from quotery.portal.services.choices import share_configuration
from quotery.portal.services.sharing import portal_pdf_download_record
from quotery.portal.views.common import (
    is_company_staff,
    live_share,
    portal_headers,
    portal_post,
    unknown_link,
)
from quotery.quotes.options import Configuration, configured_content, has_options
from quotery.sharing.models import PortalShare

FORM_TEMPLATE = "portal/client/accept.html"


def _render(
    request: HttpRequest,
    current: PortalPage,
    token: str,
    *,
    form: AcceptForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    company = current.quote.company
    configuration = _configuration(current)
    quote, _body = revision_body(current.content_hash, current.content, configuration)
    consent_content = (
        configured_content(current.content, configuration) if configuration else current.content
    )
    context: dict[str, Any] = {
        "company": company,
        "brand": brand_for(company),
        "q": quote,
        "token": token,
        "revision_number": current.revision_number,
        "content_hash": current.content_hash,
        "consent_text": acceptance_consent_text(consent_content, company.name),
        "form": form,
        "problem": problem,
        "acceptance": current.acceptance,
    }
    with timezone.override(company.zone):
        return render(request, FORM_TEMPLATE, context, status=status)


def _fresh_page(share: PortalShare) -> PortalPage:
    """The page as it is now: the share's quote was read with the link, before quote_accept
    took the quote's lock, and a concurrent acceptance or edit may have changed it since."""
    share.quote.refresh_from_db()
    return portal_page(share)


def _configuration(current: PortalPage) -> Configuration | None:
    """The choices kept for this link on a quote with options (None without options)."""
    if not has_options(current.content):
        return None
    return share_configuration(current.share, current.content, current.content_hash)


def _blank_form(current: PortalPage, **typed: str) -> AcceptForm:
    configuration = _configuration(current)
    return AcceptForm(
        initial={
            "signer_email": current.share.recipient_email,
            **typed,
            "revision_hash": current.content_hash,
            "configuration_hash": configuration.hash() if configuration else "",
            "language": active_language(),  # the client's, activated for this request
        }
    )


@portal_headers
@require_http_methods(["GET", "HEAD", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _accept_post(request, token)
    share = live_share(request, token)
    if isinstance(share, HttpResponse):
        return share
    current = portal_page(share)
    if current.state not in ACCEPTABLE_STATES:
        return _render(request, current, token, problem=not_acceptable_reason(current.state))
    seen_hash = request.GET.get("r", "")
    if seen_hash and seen_hash != current.content_hash:
        return _render(request, current, token, problem=_(REVIEW_AGAIN))
    return _render(request, current, token, form=_blank_form(current))


@portal_post(ratelimit.ACCEPT)
def _accept_post(request: HttpRequest, share: PortalShare, *, token: str) -> HttpResponse:
    form = AcceptForm(request.POST)
    form.is_valid()  # every field is optional here: quote_accept judges the values
    data = form.cleaned_data
    try:
        quote_accept(
            share=share,
            signer_name=data.get("signer_name") or "",
            signer_email=data.get("signer_email") or "",
            consent=bool(data.get("consent")),
            revision_hash=data.get("revision_hash") or "",
            request_meta=RequestMeta.from_request(request),
            configuration_hash=data.get("configuration_hash") or "",
            language_shown=data.get("language") or "",
        )
    except ChoicesChanged as error:
        # The new total is shown and the form asks again, with the choices as they are now.
        share.refresh_from_db(fields=["choices", "choices_content_hash"])
        current = _fresh_page(share)
        typed = {
            "signer_name": data.get("signer_name") or "",
            "signer_email": data.get("signer_email") or "",
        }
        return _render(
            request,
            current,
            token,
            form=_blank_form(current, **typed),
            problem=error.message,
            status=409,
        )
    except ValidationFailed as error:
        add_service_errors(form, error)
        return _render(request, _fresh_page(share), token, form=form, status=422)
    except RevisionMismatch as error:
        return _render(request, _fresh_page(share), token, problem=error.message, status=409)
    except AlreadyAnswered as error:
        # A double click, a refresh or a second tab: a friendly page, not an error.
        return _render(request, _fresh_page(share), token, problem=error.message)
    except QuoteNotAcceptable as error:
        return _render(request, _fresh_page(share), token, problem=error.message, status=409)
    except NotFound:
        return unknown_link(request)
    return HttpResponseRedirect(f"{reverse('portal:page', args=[token])}?done=accepted")


@portal_headers
@require_safe
def accepted_pdf_download(request: HttpRequest, token: str) -> HttpResponse:
    """The sealed accepted PDF: the same bytes on every download (SECURITY.md 14). A
    client's GET records a download of the accepted copy; HEAD and staff record nothing."""
    share = live_share(request, token)
    if isinstance(share, HttpResponse):
        return share
    current = portal_page(share)
    if current.acceptance is None:
        return HttpResponseRedirect(reverse("portal:page", args=[token]))
    if request.method == "HEAD":
        # A link checker's HEAD neither records a download nor makes the sealed PDF.
        document = b""
    else:
        document = accepted_pdf(acceptance=current.acceptance)
        if not is_company_staff(request, share):
            portal_pdf_download_record(
                share=share, meta=RequestMeta.from_request(request), accepted_copy=True
            )
    response = HttpResponse(document, content_type="application/pdf")
    stem = quote_pdf_filename(current.content).removesuffix(".pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}-accepted.pdf"'
    return response
