"""The client's choices on a quote with options (quotery.quotes.options).

The page's script posts each change (and shows the figures at once); without the script the
Update total button posts the same form, and the page comes back with the server's figures.
The server's figures are the ones that count.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from quotery.core.exceptions import ApplicationError, NotFound, ValidationFailed
from quotery.core.request_meta import RequestMeta
from quotery.portal import ratelimit
from quotery.portal.forms import choices_data_from_post
from quotery.portal.selectors import revision_content
from quotery.portal.services.choices import portal_choices_save
from quotery.portal.views.answers import refused_page
from quotery.portal.views.client import choices_refused_page
from quotery.portal.views.common import (
    is_company_staff,
    not_found_body,
    portal_headers,
    portal_post,
)
from quotery.sharing.models import PortalShare

# The page's script asks with this header and wants a short answer, not a page.
SCRIPT_HEADER = "X-Quotery-Choices"


@portal_headers
@require_POST
@portal_post(ratelimit.CHOICE)
def choices(request: HttpRequest, share: PortalShare, *, token: str) -> HttpResponse:
    """Saves the choices (and records each change, for a client): 204 for the script, else
    back to the page. A refusal says why, in words, and changes nothing: choices the quote
    does not offer bring the page back (422) with the message beside the refused field."""
    by_script = SCRIPT_HEADER in request.headers
    content = revision_content(share.quote).content
    try:
        portal_choices_save(
            share=share,
            data=choices_data_from_post(content, request.POST),
            meta=RequestMeta.from_request(request),
            by_client=not is_company_staff(request, share),
        )
    except ApplicationError as error:
        if isinstance(error, NotFound):
            return HttpResponse(not_found_body(), status=404)
        if by_script:
            return HttpResponse(
                error.message, status=error.http_status, content_type="text/plain; charset=utf-8"
            )
        if isinstance(error, ValidationFailed):  # the page again, each problem by its field
            return choices_refused_page(request, share, token, error)
        return refused_page(request, share, token, error)
    if by_script:
        return HttpResponse(status=204)
    page = reverse("portal:page", args=[token])
    return HttpResponseRedirect(f"{page}#totals-heading", status=303)
