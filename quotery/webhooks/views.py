"""Settings -> Webhooks (admins only): endpoints, their secrets and delivery logs. Each view
parses input, calls one service and renders; another company's ids are a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from quotery.accounts.access import ADMINS, MemberRequest, member_required
from quotery.core.exceptions import ValidationFailed
from quotery.core.forms import add_service_errors
from quotery.webhooks import selectors
from quotery.webhooks.forms import EndpointForm
from quotery.webhooks.models import WebhookEndpoint
from quotery.webhooks.services.endpoints import (
    EndpointWithSecret,
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_send_test,
    webhook_endpoint_update,
)


@member_required(ADMINS)
def endpoint_list(request: MemberRequest) -> HttpResponse:
    endpoints = selectors.webhook_endpoints_for_company(company=request.company)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@member_required(ADMINS)
def endpoint_new(request: MemberRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_new(request, EndpointForm())
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            created = webhook_endpoint_create(
                company=request.company, user=request.user, **form.cleaned_data
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            return _render_secret(request, created, rotated=False)
    return _render_new(request, form, status=422)


def _render_new(request: MemberRequest, form: EndpointForm, *, status: int = 200) -> HttpResponse:
    return render(request, "webhooks/endpoint_new.html", {"form": form}, status=status)


def _render_secret(
    request: MemberRequest, shown: EndpointWithSecret, *, rotated: bool
) -> HttpResponse:
    context = {"endpoint": shown.endpoint, "secret": shown.secret, "rotated": rotated}
    response = render(request, "webhooks/endpoint_secret.html", context)
    response["Cache-Control"] = "no-store"  # the secret is shown this once
    return response


@member_required(ADMINS)
def endpoint_detail(request: MemberRequest, pk: int) -> HttpResponse:
    """The endpoint, its settings form (a POST changes them) and its delivery log."""
    endpoint = selectors.webhook_endpoint_get(company=request.company, pk=pk)
    if request.method != "POST":
        return _render_detail(request, endpoint, EndpointForm.for_endpoint(endpoint))
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            webhook_endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The endpoint is saved.")
            return redirect("webhooks:detail", pk=endpoint.pk)
    endpoint.refresh_from_db()
    return _render_detail(request, endpoint, form, status=422)


def _render_detail(
    request: MemberRequest, endpoint: WebhookEndpoint, form: EndpointForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "endpoint": endpoint,
        "form": form,
        "deliveries": selectors.webhook_deliveries_for_endpoint(endpoint=endpoint),
        "now": timezone.now(),
    }
    return render(request, "webhooks/endpoint_detail.html", context, status=status)


@member_required(ADMINS)
@require_POST
def endpoint_rotate(request: MemberRequest, pk: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_get(company=request.company, pk=pk)
    return _render_secret(request, webhook_endpoint_rotate_secret(endpoint=endpoint), rotated=True)


@member_required(ADMINS)
@require_POST
def endpoint_disable(request: MemberRequest, pk: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_get(company=request.company, pk=pk)
    webhook_endpoint_disable(endpoint=endpoint)
    messages.success(request, "The endpoint is disabled: no events are sent to it.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@member_required(ADMINS)
@require_POST
def endpoint_enable(request: MemberRequest, pk: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_get(company=request.company, pk=pk)
    try:
        webhook_endpoint_enable(endpoint=endpoint)
    except ValidationFailed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The endpoint is enabled: new events are sent to it.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@member_required(ADMINS)
@require_POST
def endpoint_delete(request: MemberRequest, pk: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_get(company=request.company, pk=pk)
    webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, f"The endpoint {endpoint.url} and its delivery log are deleted.")
    return redirect("webhooks:list")


@member_required(ADMINS)
@require_POST
def delivery_replay(request: MemberRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = selectors.webhook_delivery_get(
        company=request.company, endpoint_pk=pk, pk=delivery_pk
    )
    try:
        webhook_delivery_replay(delivery=delivery)
    except ValidationFailed as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"{delivery.event.type} is being sent again with the same webhook-id."
        )
    return redirect("webhooks:detail", pk=pk)


@member_required(ADMINS)
@require_POST
def endpoint_test(request: MemberRequest, pk: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_get(company=request.company, pk=pk)
    try:
        delivery = webhook_endpoint_send_test(endpoint=endpoint)
    except ValidationFailed as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"A test event ({delivery.event.msg_id}) is on its way. Its answer shows in the "
            "delivery log below.",
        )
    return redirect("webhooks:detail", pk=endpoint.pk)
