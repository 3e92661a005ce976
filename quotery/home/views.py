"""The start page: what needs the member, what their quotes are worth, then the quotes."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from quotery.accounts.access import MemberRequest, member_required
from quotery.home import selectors
from quotery.quotes import selectors as quote_selectors
from quotery.quotes.models import QuoteState

# The start page shows the latest quotes; the quote list pages through all of them.
LATEST_QUOTES = 10


@member_required()
def start_page(request: MemberRequest) -> HttpResponse:
    now, membership = timezone.now(), request.membership
    filters = quote_selectors.QuoteFilters()
    quotes = quote_selectors.quote_list(membership=membership, filters=filters)
    latest = list(quotes[: LATEST_QUOTES + 1])
    context = {
        "start": selectors.start_page(membership=membership, now=now),
        "rows": quote_selectors.quote_rows(
            latest[:LATEST_QUOTES], zone=request.company.zone, now=now
        ),
        "more_quotes": len(latest) > LATEST_QUOTES,
        "filters": filters,
        "states": QuoteState.choices,
        "owners": quote_selectors.quote_owners(membership=membership),
        "can_create": membership.can_edit_quotes,
    }
    return render(request, "home/start.html", context)
