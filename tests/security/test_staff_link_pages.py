"""SECURITY.md 5 on the staff side: a page that shows a client's portal link carries a
capability, so no browser cache or proxy may keep it (`Cache-Control: no-store`).

Today that is the rep's quote page (the Shared with panel, with the copy-link button). The
crawl below walks every staff page a member of each role reaches by following links and htmx
fragments, and holds each one that shows a live link to the same rule, so a new page or
fragment that shows one is held to it too.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.acceptance.quote_accept, django.views.generic.base.RedirectView,
quotery.accounts.views.company_settings, quotery.accounts.views.member_detail,
quotery.accounts.views.member_list, quotery.accounts.views.member_new,
quotery.accounts.views.password_change, quotery.billing.views.payment_list,
quotery.catalog.views.product_list, quotery.catalog.views.product_new,
quotery.clients.views.client_edit, quotery.clients.views.client_new,
quotery.clients.views.contact_edit, quotery.documents.views.accepted_quote_pdf,
quotery.engagement.views.dashboard, quotery.notifications.views.notification_bell,
quotery.notifications.views.notification_list, quotery.portal.views.rep.share,
quotery.quotes.client_views.client_detail, quotery.quotes.client_views.client_list,
quotery.quotes.views.delivery_note_detail, quotery.quotes.views.delivery_note_list,
quotery.quotes.views.quote_detail, quotery.quotes.views.quote_edit,
quotery.quotes.views.quote_list, quotery.quotes.views.quote_new
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role, User
from quotery.portal.services.sharing import share_send
from quotery.portal.tests.portal_fixtures import accept_shared, client_message, share_quote
from quotery.sharing.links import share_token

pytestmark = pytest.mark.django_db

# Client pages (covered in test_portal_headers), files, the admin and logging out are not
# staff pages to walk; the local mailbox is off in tests.
NOT_WALKED = ("/p/", "/static/", "/media/", "/django-admin/", "/accounts/logout/", "/mailbox/")
MOST_PAGES = 150


def cache_directives(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_security_5_the_quote_page_showing_portal_links_is_not_stored(login, rep):
    # given a quote shared with two clients
    anna = share_quote(rep)
    bob = share_send(
        quote=anna.quote, user=rep, recipient_name="Bob", recipient_email="bob@client.test"
    )
    bobs_token = share_token(key=bob.key, quote_id=anna.quote.pk, email=bob.recipient_email)

    # when the rep opens the quote's page
    response = login(rep).get(reverse("quotes:detail", args=[anna.quote.pk]))

    # then it shows both links (with the copy button) and may not be stored
    html = response.content.decode()
    assert response.status_code == 200
    assert anna.token in html and bobs_token in html and "Copy link" in html
    assert "no-store" in cache_directives(response)


def links_in(html: str, base: str) -> list[str]:
    found = re.findall(r'(?:href|hx-get)="([^"#]+)', html)
    paths = []
    for url in found:
        absolute = urljoin(base, url.replace("&amp;", "&"))
        parts = urlsplit(absolute)
        if parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith(NOT_WALKED):
            paths.append(path)
    return paths


def walk(browser: HttpClient, start: list[str]) -> dict[str, object]:
    """GET every staff page reachable from `start` (at most MOST_PAGES): path -> response."""
    seen: dict[str, object] = {}
    queue = list(start)
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        response = browser.get(path)
        seen[path] = response
        if response.status_code in (301, 302, 303):
            queue.extend(links_in(f'href="{response["Location"]}"', path))
        elif response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            queue.extend(links_in(response.content.decode(), path))
    return seen


@pytest.mark.parametrize(
    ("role", "sees_sent_quotes"),
    [(Role.REP, True), (Role.MANAGER, True), (Role.ADMIN, True), (Role.FINANCE, False)],
)
def test_security_5_every_staff_page_that_shows_a_portal_link_is_not_stored(
    company, rep, role, sees_sent_quotes
):
    # given quotes in several states, shared, answered and talked about
    shared = share_quote(rep)
    client_message(shared, "Can you deliver on Monday?")
    accepted = share_quote(rep, email="accepting@client.test", title="Meeting room")
    accept_shared(accepted, email="accepting@client.test")
    user: User = rep if role == Role.REP else member(company, role)
    browser = HttpClient()
    browser.force_login(user)

    # when the member walks every page they can reach
    pages = walk(browser, ["/", reverse("quotes:detail", args=[shared.quote.pk])])

    # then every page that shows a live link may not be stored; the sent quote's page is
    # one for those who may see it (finance sees accepted quotes only)
    tokens = (shared.token, accepted.token)
    showing = {
        path
        for path, response in pages.items()
        if any(token in response.content.decode(errors="replace") for token in tokens)  # type: ignore[attr-defined]
    }
    quote_page = reverse("quotes:detail", args=[shared.quote.pk])
    assert (quote_page in showing) is sees_sent_quotes
    assert reverse("quotes:detail", args=[accepted.quote.pk]) in showing
    for path in showing:
        assert "no-store" in cache_directives(pages[path]), path
    assert pages[quote_page].status_code == (200 if sees_sent_quotes else 404)  # type: ignore[attr-defined]
    assert len(pages) > 10, sorted(pages)  # the walk went well past the first pages
