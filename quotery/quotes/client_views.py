"""HTTP for the client pages that show quotes: the client list (with each client's number
of quotes) and a client's page (with their quotes). They are the quotes app's because they
read quotes; adding and editing clients and contacts are the clients app's views.

Everyone in the company sees them; a rep counts and sees only their own quotes.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from quotery.accounts.access import MemberRequest, member_required
from quotery.clients import selectors as client_selectors
from quotery.clients.forms import ContactForm
from quotery.quotes import selectors

PAGE_SIZE = 25
QUOTES_PAGE_SIZE = 25


@member_required()
def client_list(request: MemberRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    clients = selectors.clients_with_quote_counts(membership=request.membership, search=search)
    context = {
        "page": Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page")),
        "search": search,
        "can_edit": request.membership.can_edit_quotes,
    }
    return render(request, "clients/client_list.html", context)


@member_required()
def client_detail(request: MemberRequest, pk: int) -> HttpResponse:
    client = client_selectors.client_detail(company=request.company, pk=pk)
    quotes = selectors.quotes_of_client(membership=request.membership, client=client)
    context = {
        "client": client,
        "contacts": client_selectors.client_contacts(client=client),
        "quotes": Paginator(quotes, QUOTES_PAGE_SIZE).get_page(request.GET.get("page")),
        "can_edit": request.membership.can_edit_quotes,
        "contact_form": ContactForm(),
    }
    return render(request, "clients/client_detail.html", context)
