"""The client page behind a portal link, its view beacon and the staff preview."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.branding import LINK_BACKGROUND, contrast_between, contrast_with_white
from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.engagement.chain import pending_opens_fold
from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.portal.presentation import brand_for
from quotery.portal.services.answers import quote_decline, quote_request_changes
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    accept_shared,
    client_message,
    event_kinds,
    expire,
    latest_revision_hash,
    share_quote,
)
from quotery.portal.view_confirmation import NamedOpen, open_named_by
from quotery.quotes.models import Line
from quotery.quotes.services.quotes import quote_cancel

pytestmark = pytest.mark.django_db


def view_token(html: str) -> str:
    match = re.search(r'data-open="([^"]+)"', html)
    assert match, "the page carries no token for the beacon"
    return match.group(1)


def test_client_page_shows_the_quote_as_shared(client, rep, company):
    # given a shared quote of a company with portal text
    company.portal_text = "Thank you for considering us.\nWe deliver across Europe."
    company.brand_colour = "#0b7a3e"
    company.save()
    shared = share_quote(rep, sections=2, lines_per_section=3)

    # when the client opens the link
    response = client.get(shared.url)

    # then the page shows the quote from the shared revision, in sections, with totals
    assert response.status_code == 200
    html = response.content.decode()
    quote = shared.quote
    assert quote.number in html and "Office fit-out" in html
    assert "Thank you for considering us.<br>We deliver across Europe." in html
    assert "--brand: #0b7a3e" in html
    for section in ("Section 1", "Section 2"):
        assert "<h3 id" in html and section in html
        assert f"Subtotal, {section}" in html
    for line in ("Item 1.1", "Item 1.3", "Item 2.2"):
        assert line in html
    assert "€19.99" in html and "5 %" in html and "Tax 20 %" in html and "Tax 7 %" in html
    assert f"€{quote.total:,.2f}" in html
    assert "Delivery within two weeks of acceptance." in html
    assert "Here is the quote we discussed." in html  # the share's message opens the thread
    assert rep.full_name in html
    assert f'href="{shared.pdf_url}"' in html and ">Download PDF<" in html
    # the three answers lead to their forms; Accept carries the revision the page shows
    revision_hash = latest_revision_hash(quote)
    accept_url = reverse("portal:accept", args=[shared.token])
    assert f'href="{accept_url}?r={revision_hash}">Accept</a>' in html
    assert f'href="{reverse("portal:changes", args=[shared.token])}"' in html
    assert f'href="{reverse("portal:decline", args=[shared.token])}"' in html
    assert not re.search(r"<button[^>]*disabled", html)


def test_client_page_get_records_an_open_and_hands_its_token_to_the_beacon(client, rep):
    shared = share_quote(rep)
    before = event_kinds(shared.quote.pk)

    response = client.get(shared.url)

    # the open is recorded at once, outside the chain, and named by the page's token
    pending = PendingOpen.objects.get(quote=shared.quote)
    token = view_token(response.content.decode())
    assert open_named_by(share=shared.share, view_token=token) == NamedOpen(pending=pending.pk)
    assert (pending.share_id, pending.revision_number) == (shared.share.pk, 1)
    # and joins the chain with the same facts when the log is next appended to or read
    assert event_kinds(shared.quote.pk) == before
    assert pending_opens_fold(shared.quote.pk) == 1
    opened = QuoteEvent.objects.filter(quote=shared.quote).order_by("-sequence").first()
    assert opened is not None
    assert event_kinds(shared.quote.pk) == [*before, EventKind.LINK_OPENED]
    assert (opened.share_id, opened.data) == (shared.share.pk, {"pending": pending.pk})
    assert opened.recipient_email == "anna@client.test"
    assert opened.occurred_at == pending.occurred_at
    assert not PendingOpen.objects.exists()
    assert 'src="/static/js/portal.js"' in response.content.decode()
    assert "csrftoken" in response.cookies  # the beacon's CSRF token works for anonymous clients


def test_client_beacon_turns_the_open_into_one_counted_view(client, rep):
    # given a client who opened the page
    shared = share_quote(rep)
    token = view_token(client.get(shared.url).content.decode())

    # when the page's script confirms it, twice (a retry)
    first = client.post(shared.seen_url, {"open": token})
    second = client.post(shared.seen_url, {"open": token})

    # then the open is chained, and one view is counted, bound to that open and revision
    assert first.status_code == 204 and second.status_code == 204
    opened = QuoteEvent.objects.get(quote=shared.quote, kind=EventKind.LINK_OPENED)
    assert not PendingOpen.objects.exists()
    views = QuoteEvent.objects.filter(quote=shared.quote, kind=EventKind.QUOTE_VIEWED)
    assert views.count() == 1
    assert views.get().data == {"open": opened.sequence}
    shared.share.refresh_from_db()
    assert shared.share.last_viewed_revision == shared.quote.revision_number


def test_client_beacon_without_an_open_number_is_refused_and_counts_nothing(client, rep):
    shared = share_quote(rep)
    client.get(shared.url)
    before = event_kinds(shared.quote.pk)

    response = client.post(shared.seen_url, {"open": "soon"})

    assert response.status_code == 400
    assert "must name the open" in response.content.decode()
    assert event_kinds(shared.quote.pk) == before


def test_client_beacon_for_an_open_of_another_share_counts_nothing(client, rep):
    # given two recipients of the same quote; Bob opened the page
    anna = share_quote(rep)
    bob_share = share_quote(rep, email="bob@client.test")
    bob_token = view_token(client.get(bob_share.url).content.decode())
    before = event_kinds(bob_share.quote.pk)

    # when Anna's link confirms Bob's open
    response = client.post(anna.seen_url, {"open": bob_token})

    # then it is refused and nothing is counted
    assert response.status_code == 400
    assert event_kinds(bob_share.quote.pk) == before


def test_client_page_by_company_staff_records_nothing_and_has_no_beacon(login, rep):
    shared = share_quote(rep)
    before = event_kinds(shared.quote.pk)
    browser = login(member(rep.membership.company, Role.MANAGER))

    response = browser.get(shared.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "this visit is not counted" in html
    assert "data-open" not in html and "portal.js" not in html
    assert event_kinds(shared.quote.pk) == before
    # and a beacon sent by staff anyway counts nothing
    assert browser.post(shared.seen_url, {"open": len(before)}).status_code == 204
    assert event_kinds(shared.quote.pk) == before


def test_client_page_by_staff_of_another_company_is_a_client_open(login, rep, other_company):
    shared = share_quote(rep)
    browser = login(member(other_company, Role.ADMIN))

    browser.get(shared.url)

    assert PendingOpen.objects.filter(quote=shared.quote).count() == 1
    pending_opens_fold(shared.quote.pk)
    assert event_kinds(shared.quote.pk)[-1] == EventKind.LINK_OPENED


def test_client_page_of_an_expired_quote_stays_readable_and_cannot_be_accepted(client, rep):
    # given a quote whose validity ended three days ago
    shared = share_quote(rep)
    expire(shared.quote)
    ended = timezone.localdate() - dt.timedelta(days=3)

    response = client.get(shared.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"This quote expired on {ended.day} {ended:%B %Y}." in html
    assert "Item 1.1" in html  # still readable
    # Accept and Decline are off with a sentence that says why; Request changes still works
    assert re.search(r"<button[^>]*disabled[^>]*answer-note[^>]*>Accept</button>", html)
    assert re.search(r"<button[^>]*disabled[^>]*answer-note[^>]*>Decline</button>", html)
    assert "This quote has expired, so it can no longer be accepted or declined." in html
    assert f'href="{reverse("portal:changes", args=[shared.token])}"' in html
    assert reverse("portal:accept", args=[shared.token]) not in html


def test_client_page_shows_the_thread_in_the_company_time_zone(client, rep, company):
    # given a company in New York and a client message at 15:30 UTC
    company.time_zone = "America/New_York"
    company.save()
    shared = share_quote(rep, message="")
    client_message(
        shared, "First line\nSecond line", created_at=dt.datetime(2026, 7, 1, 15, 30, tzinfo=dt.UTC)
    )

    html = client.get(shared.url).content.decode()

    assert "1 Jul 2026, 11:30 EDT" in html
    assert "First line<br>Second line" in html
    assert "Anna Client" in html


def test_client_page_shows_the_company_logo_from_the_public_logo_url(client, rep, company):
    company.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    company.logo_content_type = "image/png"
    company.save()
    shared = share_quote(rep)

    html = client.get(shared.url).content.decode()

    logo_url = reverse("accounts:logo", args=[company.pk])
    assert f'<img class="portal-logo" src="{logo_url}" alt="{company.name}">' in html


def test_client_page_queries_do_not_grow_with_the_number_of_lines(rep):
    small = share_quote(rep, sections=1, lines_per_section=5)
    large = share_quote(rep, sections=4, lines_per_section=50, email="big@client.test")
    counts = []
    for shared in (small, large):
        browser = HttpClient()
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(shared.url).status_code == 200
        counts.append(len([q for q in queries if "SAVEPOINT" not in q["sql"]]))
    assert counts[0] == counts[1], counts
    # the share (with quote and company), the revision, the thread, and the open (one
    # insert, outside the chain); a valid link reads no 404 counter
    assert counts[0] == 4, counts


@pytest.mark.parametrize(
    ("colour", "on_colour"),
    [
        ("#1f6feb", "#ffffff"),
        ("#ffd400", "#000000"),
        ("#000000", "#ffffff"),
        ("#f0f0f0", "#000000"),
    ],
)
def test_client_brand_text_colour_is_picked_by_contrast(company, colour, on_colour):
    company.brand_colour = colour
    brand = brand_for(company)
    assert brand.on_colour == on_colour
    # the ink for brand-coloured text on white reaches WCAG AA
    assert contrast_with_white(brand.ink) >= 4.5
    assert contrast_between(brand.ink, LINK_BACKGROUND) >= 4.5


def test_client_preview_shows_the_live_quote_to_staff_and_records_nothing(login, rep):
    # given a shared quote whose rep then renamed a line (not yet shared again)
    shared = share_quote(rep)
    line = Line.objects.filter(section__quote=shared.quote).order_by("pk").first()
    assert line is not None
    line.description = "Renamed after sharing"
    line.save()
    before = event_kinds(shared.quote.pk)

    response = login(rep).get(reverse("portal:preview", args=[shared.quote.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: what the client sees; not counted" in html
    assert "Renamed after sharing" in html
    assert "data-open" not in html and "portal.js" not in html
    assert event_kinds(shared.quote.pk) == before
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_security_23_the_preview_of_another_companys_quote_is_not_found(login, rep, other_company):
    shared = share_quote(rep)
    outsider = member(other_company, Role.ADMIN)

    response = login(outsider).get(reverse("portal:preview", args=[shared.quote.pk]))

    assert response.status_code == 404


def test_client_preview_needs_a_login(client, rep):
    shared = share_quote(rep)

    response = client.get(reverse("portal:preview", args=[shared.quote.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_client_link_without_its_trailing_slash_is_sent_on_by_shape_alone(client, rep):
    shared = share_quote(rep)

    real = client.get(f"/p/{shared.token}")
    unknown = client.get("/p/" + "Q" * 44)

    assert real.status_code == unknown.status_code == 301
    assert real["Location"] == shared.url
    assert unknown["Location"] == "/p/" + "Q" * 44 + "/"
    assert client.get("/p/short").status_code == 404


# ---------------------------------------------------------------------------------------
# The answer bar: the total and Accept, shown exactly while Accept is possible


def answer_bar(html: str) -> str | None:
    found = re.search(
        r'<nav class="action-bar" aria-label="Answer this quote">.*?</nav>', html, re.S
    )
    return found.group(0) if found else None


def test_client_page_answer_bar_holds_the_total_and_accept_as_the_one_primary_action(client, rep):
    shared = share_quote(rep)

    html = client.get(shared.url).content.decode()

    bar = answer_bar(html)
    assert bar is not None
    assert f"€{shared.quote.total:,.2f}" in bar
    accept_url = reverse("portal:accept", args=[shared.token])
    revision_hash = latest_revision_hash(shared.quote)
    assert (
        f'<a class="button-link action-bar__accept" href="{accept_url}?r={revision_hash}">' in bar
    )
    changes_url = reverse("portal:changes", args=[shared.token])
    decline_url = reverse("portal:decline", args=[shared.token])
    assert f'class="button-link button-link--secondary" href="{changes_url}"' in bar
    assert f'class="button-link button-link--secondary" href="{decline_url}"' in bar
    assert f'<a class="quiet-link" href="{shared.pdf_url}">Download PDF</a>' in bar
    # the bar holds the answers: no second Accept, and no "Your answer" box above the lines
    assert html.count(">Accept<") == 1 and "Your answer" not in html


@pytest.mark.parametrize(
    ("answer", "bar_shown"),
    [("changes", True), ("accepted", False), ("declined", False), ("withdrawn", False)],
)
def test_client_page_answer_bar_follows_the_answer_in_the_same_process(
    client, rep, answer, bar_shown
):
    # given a client page already rendered (and kept) with its bar
    shared = share_quote(rep)
    assert answer_bar(client.get(shared.url).content.decode()) is not None

    # when the quote is answered or withdrawn
    if answer == "changes":
        quote_request_changes(share=shared.share, message="Oak, please.", request_meta=CLIENT_META)
    elif answer == "accepted":
        accept_shared(shared)
    elif answer == "declined":
        quote_decline(share=shared.share, reason="", detail="", request_meta=CLIENT_META)
    else:
        quote_cancel(quote=shared.quote, user=rep)

    # then the page shows the bar exactly while Accept is still possible
    html = client.get(shared.url).content.decode()
    assert (answer_bar(html) is not None) is bar_shown
    assert (reverse("portal:accept", args=[shared.token]) + "?r=" in html) is bar_shown


def test_client_page_of_an_expired_quote_has_no_answer_bar(client, rep):
    shared = share_quote(rep)
    expire(shared.quote)

    html = client.get(shared.url).content.decode()

    assert answer_bar(html) is None
    assert f'<a class="quiet-link" href="{shared.pdf_url}">Download PDF</a>' in html


def test_client_page_names_the_quote_number_once_above_the_lines(client, rep):
    shared = share_quote(rep)

    html = client.get(shared.url).content.decode()

    body = html.split("<body", 1)[1]
    first_screen = body.split('class="quote-lines"', 1)[0]
    assert first_screen.count(shared.quote.number) == 1
