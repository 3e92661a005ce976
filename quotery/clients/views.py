"""HTTP for adding and editing clients and contacts: parse input, call one service or
selector, render. The client list and a client's page show quotes, so they are the quotes
app's (quotery.quotes.client_views).

Everyone who edits quotes (reps, managers, admins) manages clients; finance may look.
A member without the role, or a foreign id, gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from quotery.accounts.access import EDITORS, MemberRequest, member_required
from quotery.clients import selectors, services
from quotery.clients.forms import ClientForm, ContactForm
from quotery.clients.models import Client, Contact
from quotery.core.exceptions import ValidationFailed
from quotery.core.forms import add_service_errors


@member_required(EDITORS)
def client_new(request: MemberRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, with_first_contact=True)
    if request.method == "POST":
        if form.is_valid():
            try:
                client = services.client_create(company=request.company, **form.cleaned_data)
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Client {client.name} added.")
                return redirect("clients:detail", pk=client.pk)
        return _render_client_form(request, form, client=None, status=422)
    return _render_client_form(request, form, client=None)


@member_required(EDITORS)
def client_edit(request: MemberRequest, pk: int) -> HttpResponse:
    client = selectors.client_detail(company=request.company, pk=pk)
    if request.method == "POST":
        form = ClientForm(request.POST)
        if form.is_valid():
            try:
                services.client_update(client=client, **form.cleaned_data)
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Client {client.name} saved.")
                return redirect("clients:detail", pk=client.pk)
        return _render_client_form(request, form, client=client, status=422)
    initial = {
        "name": client.name,
        "address": client.address,
        "vat_number": client.vat_number,
        "language": client.language,
    }
    return _render_client_form(request, ClientForm(initial=initial), client=client)


def _render_client_form(
    request: MemberRequest, form: ClientForm, client: Client | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "client": client, "has_errors": status != 200}
    return render(request, "clients/client_form.html", context, status=status)


@member_required(EDITORS)
def contact_new(request: MemberRequest, pk: int) -> HttpResponse:
    client = selectors.client_detail(company=request.company, pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                contact = services.contact_create(client=client, **form.cleaned_data)
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Contact {contact.name} added.")
                return redirect("clients:detail", pk=client.pk)
        return _render_contact_form(request, form, client, contact=None, status=422)
    return _render_contact_form(request, form, client, contact=None)


@member_required(EDITORS)
def contact_edit(request: MemberRequest, pk: int, contact_pk: int) -> HttpResponse:
    client = selectors.client_detail(company=request.company, pk=pk)
    contact = selectors.contact_detail(client=client, pk=contact_pk)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.contact_update(contact=contact, **form.cleaned_data)
            except ValidationFailed as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Contact {contact.name} saved.")
                return redirect("clients:detail", pk=client.pk)
        return _render_contact_form(request, form, client, contact=contact, status=422)
    initial = {"name": contact.name, "email": contact.email, "phone": contact.phone}
    return _render_contact_form(request, ContactForm(initial=initial), client, contact=contact)


def _render_contact_form(
    request: MemberRequest,
    form: ContactForm,
    client: Client,
    *,
    contact: Contact | None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "client": client, "contact": contact, "has_errors": status != 200}
    return render(request, "clients/contact_form.html", context, status=status)
