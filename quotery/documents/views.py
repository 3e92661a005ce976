"""Staff downloads of stored documents."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from quotery.accounts.access import MemberRequest, member_required
from quotery.documents.acceptance import accepted_pdf
from quotery.quotes.selectors import quote_detail
from quotery.sharing.models import Acceptance


@require_safe
@member_required()
def accepted_quote_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    """The sealed accepted PDF of a quote the member may see: the very bytes the client got."""
    quote = quote_detail(membership=request.membership, pk=pk)
    acceptance = Acceptance.objects.filter(quote=quote, company=request.company).first()
    if acceptance is None:
        raise Http404("This quote has not been accepted.")
    response = HttpResponse(accepted_pdf(acceptance=acceptance), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.number}-accepted.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
