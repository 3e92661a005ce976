"""The rep's quote page once the client has answered: what comes first, and what it is
called."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from quotery.quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db


def sidebar(http, quote: Quote) -> str:  # type: ignore[no-untyped-def]
    html = http.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    return str(html.split('aria-label="Quote details"', 1)[1].split("</aside>", 1)[0])


def headings(html: str) -> list[str]:
    return [
        heading
        for heading in (
            "delivery-heading",
            "acceptance-heading",
            "summary-heading",
            "engagement-heading",
            "revisions-heading",
        )
        if f'id="{heading}"' in html
    ]


def order_of(html: str) -> list[str]:
    return sorted(headings(html), key=lambda heading: html.index(f'id="{heading}"'))


@pytest.mark.parametrize(
    "state", [QuoteState.ACCEPTED, QuoteState.READY_FOR_BILLING, QuoteState.CLOSED]
)
def test_once_accepted_the_delivery_notes_and_acceptance_come_before_the_timeline(
    login, rep, state
):
    # given an accepted quote (a draft delivery note, the signature), in each later state
    shared = share_quote(rep)
    accept_shared(shared)
    Quote.objects.filter(pk=shared.quote.pk).update(state=state)

    html = sidebar(login(rep), shared.quote)

    assert order_of(html) == [
        "delivery-heading",
        "acceptance-heading",
        "summary-heading",
        "engagement-heading",
        "revisions-heading",
    ]
    assert html.count('id="delivery-heading"') == 1 and html.count('id="acceptance-heading"') == 1


def test_before_acceptance_the_engagement_comes_after_the_summary(login, rep):
    shared = share_quote(rep)

    html = sidebar(login(rep), shared.quote)

    assert order_of(html) == ["summary-heading", "engagement-heading", "revisions-heading"]


def test_a_closed_quote_is_labelled_won_with_no_share_and_no_buying_signal(login, rep):
    # given a quote the client accepted, closed (no finance gate), after a hot reading
    shared = share_quote(rep)
    accept_shared(shared)
    shared.quote.refresh_from_db()
    assert shared.quote.state == QuoteState.CLOSED

    html = login(rep).get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()

    assert '<span class="state state--closed">Won (closed)</span>' in html
    assert "<dt>State</dt><dd>Won (closed)</dd>" in html
    assert "Strong buying signal" not in html
    assert "share-unavailable" not in html and ">Share</" not in html


def test_an_accepted_quote_awaiting_payment_is_not_yet_called_won(login, rep):
    shared = share_quote(rep)
    accept_shared(shared)
    Quote.objects.filter(pk=shared.quote.pk).update(state=QuoteState.READY_FOR_BILLING)

    html = login(rep).get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()

    assert "Won" not in html
    assert ">Ready for billing</span>" in html
    assert ">Share</" not in html
