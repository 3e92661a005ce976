"""Settings → API keys (admins only): list with last use, create (the key shown once), revoke."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from quotery.accounts.access import ADMINS, MemberRequest, member_required
from quotery.api.forms import ApiKeyForm
from quotery.api.keys import api_key_create, api_key_revoke
from quotery.api.selectors import api_key_of, api_keys_of
from quotery.core.exceptions import ValidationFailed
from quotery.core.forms import add_service_errors


@member_required(ADMINS)
def key_list(request: MemberRequest) -> HttpResponse:
    return _render_list(request, ApiKeyForm())


def _render_list(request: MemberRequest, form: ApiKeyForm, *, status: int = 200) -> HttpResponse:
    context = {"keys": api_keys_of(request.company), "form": form}
    return render(request, "api/key_list.html", context, status=status)


@require_POST
@member_required(ADMINS)
def key_create(request: MemberRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            made = api_key_create(
                company=request.company,
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            response = render(
                request, "api/key_created.html", {"made": made, "api_base": settings.BASE_URL}
            )
            response["Cache-Control"] = "no-store"  # it shows the key
            return response
    return _render_list(request, form, status=422)


@require_POST
@member_required(ADMINS)
def key_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    key = api_key_of(request.company, pk)
    if key.is_revoked:
        messages.info(request, f"The key “{key.name}” was already revoked.")
    else:
        api_key_revoke(key=key, user=request.user)
        messages.success(request, f"The key “{key.name}” no longer works.")
    return redirect("api_keys:list")
