"""Company settings, branding and the company logo."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from quotery.accounts.access import ADMINS, MemberRequest, member_required
from quotery.accounts.models import Company


@member_required(ADMINS)
def company_settings(request: MemberRequest) -> HttpResponse:
    return render(request, "accounts/settings.html", {})


def company_logo(request: HttpRequest, company_id: int) -> HttpResponse:
    """The company's logo: public, because shared quotes and emails show it."""
    company = Company.objects.filter(pk=company_id).only("logo", "logo_content_type").first()
    if company is None or not company.logo:
        raise Http404("No logo.")
    response = FileResponse(company.logo.open("rb"), content_type=company.logo_content_type)
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
