"""SECURITY.md 5 on every portal URL: each route of `quotery.portal.urls`, asked with GET,
HEAD and POST in every outcome it has (the page, redirects, refusals, 404, 405, 429, and the
pages of accepted, declined and expired quotes), answers with the portal headers.

The routes come from the URL registry itself, so a new portal URL is checked without anybody
remembering to add it here; if the test does not know how to fill one of its parts, or which
outcomes it has, it says so.

Exercises: quotery.core.headers.add_portal_headers, quotery.portal.views.common.portal_headers,
quotery.portal.services.sharing.share_send, quotery.portal.services.acceptance.quote_accept,
quotery.portal.services.answers.quote_decline, quotery.portal.views.acceptance.accept,
quotery.portal.views.acceptance.accepted_pdf_download, quotery.portal.views.answers.decline,
quotery.portal.views.answers.message, quotery.portal.views.answers.request_changes,
quotery.portal.views.client.not_found, quotery.portal.views.client.page,
quotery.portal.views.client.pdf, quotery.portal.views.client.preview,
quotery.portal.views.client.seen, quotery.portal.views.client.attention
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import URLPattern, reverse
from django.urls.resolvers import RegexPattern

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.portal import ratelimit
from quotery.portal import urls as portal_urls
from quotery.portal.services import answers
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    Shared,
    accept_shared,
    expire,
    latest_revision_hash,
    share_quote,
)
from quotery.quotes.factories import make_quote
from tests.security.test_portal_client import assert_portal_headers

pytestmark = pytest.mark.django_db

PREFIX = "/p/"
UNKNOWN_TOKEN = "Z" * 44


def route_id(pattern: URLPattern) -> str:
    return pattern.name or f"unnamed {pattern.pattern}"


ROUTES = {route_id(pattern): pattern for pattern in portal_urls.urlpatterns}

# The outcomes each route has across the scenarios below, written out: a route that stops
# answering one of them (or starts answering another) is looked at again.
OUTCOMES: dict[str, set[int]] = {
    "preview": {200, 302, 404, 405},
    "page": {200, 404, 405, 429},
    "seen": {204, 400, 404, 405, 429},
    "attention": {204, 400, 404, 405, 429},
    "pdf": {200, 404, 405, 429},
    "accept": {200, 302, 404, 409, 422, 429},
    # the scenarios' quotes have no options: a client's choices are refused (409)
    "choices": {404, 405, 409, 429},
    "accepted_pdf": {200, 302, 404, 405, 429},
    "changes": {200, 302, 404, 409, 422, 429},
    "decline": {200, 302, 404, 409, 422, 429},
    "message": {302, 404, 405, 422, 429},
    "unnamed ^(?P<rest>.*)$": {301, 404, 405, 429},
}


def test_security_5_the_outcome_table_names_every_portal_url():
    assert set(ROUTES) == set(OUTCOMES)


def route_path(pattern: URLPattern, parts: dict[str, str]) -> str:
    """The path of `pattern` with its parts (`<str:token>`, `(?P<rest>...)`) filled in."""

    def part(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in parts:
            pytest.fail(f"Do not know how to fill <{name}> of the portal URL {pattern.pattern}")
        return parts[name]

    route = str(pattern.pattern)
    if isinstance(pattern.pattern, RegexPattern):
        route = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", part, route)
        return PREFIX + route.removeprefix("^").removesuffix("$")
    return PREFIX + re.sub(r"<(?:\w+:)?(?P<name>\w+)>", part, route)


@dataclass
class Scenario:
    """Who asks (a browser) and which links it holds: the parts to fill each URL with."""

    browser: HttpClient
    shared: Shared | None
    parts: list[dict[str, str]] = field(default_factory=list)


def live_parts(shared: Shared) -> dict[str, str]:
    # `rest` is the link without its trailing slash: the catch-all sends it on (301).
    return {"token": shared.token, "pk": str(shared.quote.pk), "rest": shared.token}


# No route takes this: an answer form refuses it (422), the beacon too (400).
NONSENSE = {"reason": "no-such-reason", "open": "1"}
UNKNOWN_PARTS = {"token": UNKNOWN_TOKEN, "pk": "999999999", "rest": "no/such/page/"}
EVERY_LIMIT_SPENT = {name: (0, 600) for name in ratelimit.DEFAULT_LIMITS}


@contextmanager
def sent(rep, other_company) -> Iterator[Scenario]:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, email="sent@client.test")
    yield Scenario(HttpClient(), shared, [live_parts(shared)])


@contextmanager
def unknown_link(rep, other_company) -> Iterator[Scenario]:  # type: ignore[no-untyped-def]
    yield Scenario(HttpClient(), None, [UNKNOWN_PARTS])


@contextmanager
def over_every_limit(rep, other_company) -> Iterator[Scenario]:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, email="limited@client.test")
    with override_settings(PORTAL_RATE_LIMITS=EVERY_LIMIT_SPENT):
        yield Scenario(HttpClient(), shared, [live_parts(shared), UNKNOWN_PARTS])


@contextmanager
def accepted(rep, other_company) -> Iterator[Scenario]:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, email="anna@client.test")
    accept_shared(shared)
    yield Scenario(HttpClient(), shared, [live_parts(shared)])


@contextmanager
def declined(rep, other_company) -> Iterator[Scenario]:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, email="declined@client.test")
    answers.quote_decline(share=shared.share, reason="price", detail="", request_meta=CLIENT_META)
    yield Scenario(HttpClient(), shared, [live_parts(shared)])


@contextmanager
def expired(rep, other_company) -> Iterator[Scenario]:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, email="expired@client.test")
    expire(shared.quote)
    yield Scenario(HttpClient(), shared, [live_parts(shared)])


@contextmanager
def staff(rep, other_company) -> Iterator[Scenario]:  # type: ignore[no-untyped-def]
    shared = share_quote(rep, email="staff@client.test")
    browser = HttpClient()
    browser.force_login(rep)
    foreign = make_quote(owner=member(other_company, Role.REP))
    yield Scenario(browser, shared, [live_parts(shared), {**UNKNOWN_PARTS, "pk": str(foreign.pk)}])


SCENARIOS: list[Callable[..., AbstractContextManager[Scenario]]] = [
    sent,
    unknown_link,
    over_every_limit,
    accepted,
    declined,
    expired,
    staff,
]


def valid_post(name: str, scenario: Scenario, parts: dict[str, str]) -> dict[str, str]:
    """What the client's own page would post to the route: its answer, the beacon's token."""
    shared = scenario.shared
    if shared is None or parts["token"] != shared.token:
        return {"open": "1"} if name == "seen" else {}
    if name == "seen":
        html = scenario.browser.get(shared.url).content.decode()
        match = re.search(r'data-open="([^"]+)"', html)
        return {"open": match.group(1) if match else ""}
    return {
        "accept": {
            "signer_name": "Anna Client",
            "signer_email": "anna@client.test",
            "consent": "on",
            "revision_hash": latest_revision_hash(shared.quote),
        },
        "changes": {"message": "Could it be cheaper?"},
        "decline": {"reason": "price"},
        "message": {"body": "Hello"},
    }.get(name, {})


@pytest.mark.parametrize("name", list(ROUTES))
def test_security_5_every_portal_url_sends_the_portal_headers_in_every_outcome(
    rep, other_company, name
):
    pattern = ROUTES[name]
    outcomes: set[int] = set()
    for scenario_of in SCENARIOS:
        with scenario_of(rep, other_company) as scenario:
            for parts in scenario.parts:
                path = route_path(pattern, parts)
                browser = scenario.browser
                answers_ = [
                    ("GET", browser.get(path)),
                    ("HEAD", browser.head(path)),
                    ("POST nonsense", browser.post(path, NONSENSE)),
                    ("POST", browser.post(path, valid_post(name, scenario, parts))),
                ]
                for method, response in answers_:
                    where = f"{scenario_of.__name__}: {method} {pattern.pattern}"  # type: ignore[attr-defined]
                    try:
                        assert_portal_headers(response)
                    except (AssertionError, KeyError) as error:
                        pytest.fail(f"{where} ({response.status_code}) lacks a header: {error!r}")
                    outcomes.add(response.status_code)
    assert outcomes == OUTCOMES.get(name), f"{name} answered {sorted(outcomes)}"


def test_security_5_the_route_parts_are_filled_as_reverse_would(rep):
    shared = share_quote(rep)
    parts = live_parts(shared)
    for name in ("page", "seen", "pdf", "accept", "accepted_pdf", "changes", "decline", "message"):
        assert route_path(ROUTES[name], parts) == reverse(f"portal:{name}", args=[shared.token])
    assert route_path(ROUTES["preview"], parts) == reverse("portal:preview", args=[shared.quote.pk])
