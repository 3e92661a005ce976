"""Reads of a company and its members, always scoped to that company."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from quotery.accounts.models import Company, Membership, Role


def member_list(*, company: Company) -> QuerySet[Membership]:
    """The company's members, active ones first, then by name."""
    return (
        Membership.objects.filter(company=company)
        .select_related("user")
        .order_by("-user__is_active", "user__full_name", "user__email")
    )


def member_get(*, company: Company, pk: int) -> Membership:
    """One member of `company`; a 404 for any other id, another company's included."""
    membership = Membership.objects.filter(company=company, pk=pk).select_related("user").first()
    if membership is None:
        raise Http404("No such member.")
    return membership


def active_admin_count(*, company: Company) -> int:
    return Membership.objects.filter(company=company, role=Role.ADMIN, user__is_active=True).count()


def company_with_logo(*, company_id: int) -> Company:
    """The company whose logo is asked for, or 404 when it has none."""
    company = Company.objects.filter(pk=company_id).only("logo", "logo_content_type").first()
    if company is None or not company.logo:
        raise Http404("No logo.")
    return company
