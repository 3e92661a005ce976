"""Staff downloads of stored documents."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from quotery.accounts.access import MemberRequest, member_required
from quotery.documents.acceptance import accepted_pdf
from quotery.documents.delivery_notes import delivery_note_pdf, delivery_note_pdf_filename
from quotery.quotes.selectors import delivery_note_page, quote_detail
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


@require_safe
@member_required()
def delivery_note_pdf_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The printable PDF of a delivery note the member may see (another company's: 404),
    typeset as the note stands now."""
    detail = delivery_note_page(membership=request.membership, pk=pk)
    pdf = delivery_note_pdf(note=detail.note, lines=detail.lines)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = delivery_note_pdf_filename(detail.note)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
