"""Company settings, branding, the company logo and user management (admins only)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from quotery.accounts import selectors, services
from quotery.accounts.access import ADMINS, MemberRequest, member_required
from quotery.accounts.branding import CleanLogo, link_colour, text_colour_on
from quotery.accounts.forms import (
    PLAN_FEATURES,
    ROLE_DESCRIPTIONS,
    CompanySettingsForm,
    EmailLoginForm,
    MemberCreateForm,
    MemberRoleForm,
    time_zone_names,
)
from quotery.accounts.held_logo import logo_checked, logo_data_url, logo_held, logo_hold
from quotery.accounts.login_throttle import AccountThrottle
from quotery.accounts.models import Membership, Plan
from quotery.core.exceptions import ValidationFailed
from quotery.core.forms import add_service_errors


def login_paused(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The answer to a sign-in while its account or address is paused (axes calls it, see
    AXES_LOCKOUT_CALLABLE): the login page again, saying why and for how long, with 429 and
    Retry-After. Also for the Django admin's login, whose form posts the same fields."""
    wait = AccountThrottle().pause_ends(request, credentials) - timezone.now()
    seconds = max(1, math.ceil(wait.total_seconds()))
    context = {
        "form": EmailLoginForm(request, initial={"username": request.POST.get("username", "")}),
        "next": request.POST.get("next", ""),
        "paused_minutes": math.ceil(seconds / 60),
    }
    paused = render(request, "accounts/login.html", context, status=429)
    paused["Retry-After"] = str(seconds)
    return paused


@member_required(ADMINS)
def company_settings(request: MemberRequest) -> HttpResponse:
    company = request.company
    if request.method != "POST":
        return _render_settings(request, CompanySettingsForm.for_company(company))
    form = CompanySettingsForm(request.POST, request.FILES)
    held = logo_held(company_id=company.pk, value=request.POST.get("held_logo", ""))
    if form.is_valid():
        upload = form.cleaned_data["logo"]
        remove_logo = form.cleaned_data["remove_logo"]
        if upload is None and held is not None and not remove_logo:
            upload = ContentFile(held.content, name=f"logo.{held.extension}")
        try:
            services.company_update(
                company=company,
                data=form.settings_input(),
                logo=upload,
                logo_size=upload.size if upload else None,
                remove_logo=remove_logo,
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("accounts:settings")
    # A newly chosen logo that passed its checks is kept for the next try; a refused one
    # replaces any logo kept before (the admin chose another file).
    upload = request.FILES.get("logo")
    if upload is not None:
        held = logo_checked(upload, size=upload.size)
    return _render_settings(request, form, held=held, status=422)


def _render_settings(
    request: MemberRequest,
    form: CompanySettingsForm,
    *,
    held: CleanLogo | None = None,
    status: int = 200,
) -> HttpResponse:
    company = request.company
    preview_colour = form.preview_colour(company.brand_colour)
    logo_version = (company.logo.name or "").rsplit("/", 1)[-1]
    saved_logo = (
        f"{reverse('accounts:logo', args=[company.pk])}?{urlencode({'v': logo_version})}"
        if company.logo
        else ""
    )
    context = {
        "form": form,
        "preview_colour": preview_colour,
        "preview_text_colour": text_colour_on(preview_colour),
        "preview_ink": link_colour(preview_colour),
        "preview_text": form["portal_text"].value() if form.is_bound else company.portal_text,
        "preview_name": (form["name"].value() if form.is_bound else company.name) or company.name,
        "saved_logo": saved_logo,
        "held_logo": logo_hold(company_id=company.pk, logo=held) if held else "",
        "held_logo_url": logo_data_url(held) if held else "",
        "plan_features": [(value, label, PLAN_FEATURES[value]) for value, label in Plan.choices],
        "time_zones": time_zone_names(),
        "lost_upload": form.is_bound
        and bool(request.FILES.get("logo"))
        and bool(form.errors)
        and held is None,
    }
    return render(request, "accounts/settings.html", context, status=status)


def company_logo(request: HttpRequest, company_id: int) -> FileResponse:
    """The company's logo: public, because shared quotes and emails show it."""
    company = selectors.company_with_logo(company_id=company_id)
    try:
        # Streamed from the default storage: the local disk, or the private bucket.
        logo = company.logo.open("rb")
    except FileNotFoundError:
        raise Http404("No logo.") from None
    response = FileResponse(logo, content_type=company.logo_content_type)
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required(ADMINS)
def member_list(request: MemberRequest) -> HttpResponse:
    members = selectors.member_list(company=request.company)
    return render(request, "accounts/member_list.html", {"members": members})


@member_required(ADMINS)
def member_new(request: MemberRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_member_new(request, MemberCreateForm())
    form = MemberCreateForm(request.POST)
    if form.is_valid():
        try:
            created = services.member_create(company=request.company, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            response = render(request, "accounts/member_created.html", {"created": created})
            response["Cache-Control"] = "no-store"  # it may show a password
            return response
    return _render_member_new(request, form, status=422)


def _render_member_new(
    request: MemberRequest, form: MemberCreateForm, *, status: int = 200
) -> HttpResponse:
    context = {"form": form, "role_descriptions": ROLE_DESCRIPTIONS}
    return render(request, "accounts/member_new.html", context, status=status)


@member_required(ADMINS)
def member_detail(request: MemberRequest, pk: int) -> HttpResponse:
    membership = selectors.member_get(company=request.company, pk=pk)
    if request.method != "POST":
        form = MemberRoleForm(initial={"role": membership.role})
        return _render_member_detail(request, membership, form)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            changed = services.member_change_role(
                membership=membership, role=form.cleaned_data["role"], acting=request.user
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{changed.user}'s role: {changed.get_role_display()}.")
            return redirect("accounts:member_detail", pk=membership.pk)
    return _render_member_detail(request, membership, form, status=422)


def _render_member_detail(
    request: MemberRequest, membership: Membership, form: MemberRoleForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "member": membership,
        "form": form,
        "role_descriptions": ROLE_DESCRIPTIONS,
        "is_self": membership.user_id == request.user.pk,
        "is_last_admin": membership.is_admin
        and membership.user.is_active
        and selectors.active_admin_count(company=request.company) == 1,
    }
    return render(request, "accounts/member_detail.html", context, status=status)


@member_required(ADMINS)
@require_POST
def member_deactivate(request: MemberRequest, pk: int) -> HttpResponse:
    membership = selectors.member_get(company=request.company, pk=pk)
    try:
        services.member_deactivate(membership=membership, acting=request.user)
    except ValidationFailed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user} is deactivated and can no longer log in.")
    return redirect("accounts:member_detail", pk=membership.pk)


@member_required(ADMINS)
@require_POST
def member_reactivate(request: MemberRequest, pk: int) -> HttpResponse:
    membership = selectors.member_get(company=request.company, pk=pk)
    services.member_reactivate(membership=membership)
    messages.success(request, f"{membership.user} can log in again.")
    return redirect("accounts:member_detail", pk=membership.pk)


@member_required()
def password_change(request: MemberRequest) -> HttpResponse:
    """Any member changes their own password; the session stays logged in."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "Your password has been changed.")
        return redirect("quotes:list")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)
