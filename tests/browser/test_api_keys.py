"""The README's API quick start in a real browser: an admin opens Settings → API keys,
creates a key (shown once), lists quotes with it over HTTP, revokes it; the API docs page
renders from our own static files under the strict CSP.

Exercises: quotery.api.views.key_list, quotery.api.views.key_create,
quotery.api.views.key_revoke, quotery.api.api (openapi.json, docs)
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import cast

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.quotes.factories import make_quote
from tests.browser.accessibility import serious_violations
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _list_quotes(base_url: str, token: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 (the live server)
        f"{base_url}/api/v1/quotes", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def axe_page(browser, live_server):  # type: ignore[no-untyped-def]
    """A page whose context lets axe's injected script run (bypass_csp)."""
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def test_security_26_create_use_and_revoke_a_key(axe_page, live_server) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    company = CompanyFactory(name="Northwind")
    admin = member(company, Role.ADMIN, email="ada@northwind.test", full_name="Ada Admin")
    quote = make_quote(owner=admin, title="Standing desks")
    log_in(page, "ada@northwind.test")
    page.goto("/accounts/settings/")
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="API keys"
    ).click()
    page.get_by_role("heading", name="API keys").wait_for()
    assert serious_violations(page) == []
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_label("Read: lists and reads").check()
    page.get_by_role("button", name="Create key").click()
    page.get_by_role("heading", name="Your key").wait_for()
    token = page.locator("#api-key").inner_text().strip()
    assert token.startswith("qk_")
    status, body = _list_quotes(live_server.url, token)
    assert status == 200
    items = cast(list[dict[str, object]], body["items"])
    assert [item["title"] for item in items] == [quote.title]
    page.get_by_role("link", name="Back to API keys").click()
    row = page.get_by_role("row", name="CRM sync")
    assert token not in page.content()
    row.get_by_role("button", name="Revoke CRM sync").click()
    page.get_by_text("no longer works").wait_for()
    assert _list_quotes(live_server.url, token)[0] == 401


def test_the_api_docs_render_from_our_own_files(page, live_server) -> None:  # type: ignore[no-untyped-def]
    foreign: list[str] = []
    problems: list[str] = []
    page.on(
        "request",
        lambda r: foreign.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto("/api/v1/docs/")
    page.get_by_text("List quotes").first.wait_for()
    assert page.get_by_role("heading", name="Quotery API").count() >= 1
    assert foreign == [url for url in foreign if url.startswith("data:")]
    assert [text for text in problems if "Content Security Policy" in text] == []
