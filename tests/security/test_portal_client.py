"""SECURITY.md 3-10, 21-22 on the client's pages under /p/ (page, beacon, PDF, 404s).

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.sharing.share_revoke, quotery.portal.ratelimit.hit,
quotery.portal.view_confirmation.open_named_by, quotery.core.logging.RedactPortalTokens,
quotery.core.logging.RedactingGunicornLogger, quotery.core.logging.redact_portal_paths,
quotery.portal.views.acceptance.accept, quotery.portal.views.answers.message,
quotery.portal.views.client.not_found, quotery.portal.views.client.page,
quotery.portal.views.client.pdf, quotery.portal.views.client.preview,
quotery.portal.views.client.seen, quotery.quotes.views.quote_cancel,
quotery.quotes.views.quote_detail
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config as GunicornConfig

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.core.logging import RedactingGunicornLogger, RedactPortalTokens
from quotery.engagement.chain import pending_opens_fold
from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.portal import ratelimit
from quotery.portal.models import RateLimitCounter
from quotery.portal.presentation import _PAGES, VIEW_TOKEN_MARK
from quotery.portal.services.sharing import share_revoke, share_send
from quotery.portal.tests.portal_fixtures import Shared, latest_revision_hash, share_quote
from quotery.portal.view_confirmation import NamedOpen, open_named_by
from quotery.quotes.models import Quote, QuoteRevision
from quotery.sharing.links import share_token
from quotery.sharing.models import Acceptance, AuthorKind, ConversationMessage

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


def events(quote: Quote) -> list[tuple[int, str]]:
    """The quote's log as the rep's pages read it: opens the page recorded but has not
    chained yet are chained first (quotery.engagement.pending_opens)."""
    pending_opens_fold(quote.pk)
    return list(
        QuoteEvent.objects.filter(quote=quote).order_by("sequence").values_list("sequence", "kind")
    )


def business_state(quote: Quote) -> tuple[object, ...]:
    quote.refresh_from_db()
    return (
        quote.state,
        quote.revision_number,
        quote.first_shared_at,
        QuoteRevision.objects.filter(quote=quote).count(),
        ConversationMessage.objects.filter(quote=quote).count(),
    )


def page_view_token(html: str) -> str:
    """What the page hands its beacon: the signed token naming the open it recorded."""
    match = re.search(r'data-open="([^"]+)"', html)
    assert match
    return match.group(1)


# --- 3: one 404 for every link that opens nothing ----------------------------------------


def test_security_3_unknown_malformed_forged_and_revoked_links_get_the_same_404(client, rep):
    # given a live share and a revoked one
    live = share_quote(rep)
    revoked = share_quote(rep, email="gone@client.test")
    share_revoke(share=revoked.share, user=rep)
    key = live.share.key
    forged = key + share_token(key=key, quote_id=live.quote.pk + 1, email="x@y.test")[22:]
    tokens = {
        "unknown": "A" * 44,
        "malformed": "not-a-token",
        "malformed with bad characters": "%3Cscript%3E" + "a" * 32,
        "forged signature": forged,
        "revoked": revoked.token,
    }

    # when each is opened
    responses = {name: client.get(f"/p/{token}/") for name, token in tokens.items()}
    responses["other path under /p/"] = client.get(f"/p/{live.token}/nothing/here/")

    # then every answer is the same 404, byte for byte, and says nothing about the quote
    bodies = {response.content for response in responses.values()}
    assert {response.status_code for response in responses.values()} == {404}
    assert len(bodies) == 1
    body = bodies.pop().decode()
    assert "This link does not open a quote" in body
    for secret in (live.quote.number, live.quote.title, revoked.quote.number, rep.full_name):
        assert secret not in body
    # and nothing was recorded for the revoked link
    assert EventKind.LINK_OPENED not in [kind for _, kind in events(revoked.quote)]


def test_security_3_the_404_is_the_same_for_the_beacon_and_the_pdf(client, rep):
    live = share_quote(rep)
    page_404 = client.get("/p/" + "B" * 44 + "/").content

    assert client.post("/p/" + "B" * 44 + "/seen/", {"open": 1}).content == page_404
    assert client.get("/p/" + "B" * 44 + "/pdf/").content == page_404
    assert client.get(f"/p/{live.token[:-1]}/pdf/").content == page_404


# --- 4: state checked on every POST -------------------------------------------------------


def test_security_4_the_beacon_of_a_revoked_link_is_refused(client, rep):
    # given a client who opened the page, then the rep revoked the link
    shared = share_quote(rep)
    view_token = page_view_token(client.get(shared.url).content.decode())
    share_revoke(share=shared.share, user=rep)
    before = events(shared.quote)

    # when the page's beacon arrives
    response = client.post(shared.seen_url, {"open": view_token})

    # then it is refused and no view is counted
    assert response.status_code == 404
    assert events(shared.quote) == before


# --- 5: headers and no third-party resources ----------------------------------------------


def assert_portal_headers(response) -> None:  # type: ignore[no-untyped-def]
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store"
    policy = response["Content-Security-Policy"]
    directives = {
        part.strip().split(" ")[0]: part.strip().split(" ")[1:] for part in policy.split(";")
    }
    assert directives["script-src"] == ["'self'"]  # no inline script, no other origin
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]


def test_security_5_portal_headers_on_every_answer_under_p(client, rep):
    shared = share_quote(rep)
    view_token = page_view_token(client.get(shared.url).content.decode())

    answers = [
        client.get(shared.url),
        client.head(shared.url),
        client.post(shared.seen_url, {"open": view_token}),
        client.get("/p/" + "C" * 44 + "/"),
        client.get("/p/whatever/"),
    ]
    for response in answers:
        assert_portal_headers(response)


def test_security_5_portal_headers_on_the_pdf(client, rep):
    shared = share_quote(rep)

    response = client.get(shared.pdf_url)

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert_portal_headers(response)
    assert response["Content-Disposition"].startswith("attachment;")


def test_security_5_portal_headers_on_the_staff_preview(login, rep):
    shared = share_quote(rep)
    response = login(rep).get(reverse("portal:preview", args=[shared.quote.pk]))
    assert response.status_code == 200
    assert_portal_headers(response)


def test_security_5_no_third_party_resources_and_no_inline_script(client, rep):
    shared = share_quote(rep)

    html = client.get(shared.url).content.decode()

    urls = re.findall(r'(?:src|href|action)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert url.startswith(("/", "#", "mailto:")), url
    for script in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S):
        assert script.strip() == ""  # every script is a file of our own
    assert re.search(r"<script[^>]*\ssrc=\"/static/js/portal.js\"", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


# --- 6: absolute links from BASE_URL -----------------------------------------------------


@override_settings(BASE_URL="https://quotes.example.com")
def test_security_6_absolute_links_use_base_url_not_the_host_header(rep):
    shared = share_quote(rep)
    browser = HttpClient(HTTP_HOST="evil.example")

    with override_settings(ALLOWED_HOSTS=["evil.example", "testserver"]):
        html = browser.get(shared.url).content.decode()

    assert "evil.example" not in html
    for url in re.findall(r'(?:src|href|action)="(https?://[^"]+)"', html):
        assert url.startswith(settings.BASE_URL), url


# --- 7: the token never appears in logs ---------------------------------------------------


@contextmanager
def console_output() -> Iterator[io.StringIO]:
    """What the configured console handler writes (the one every logger ends in)."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactPortalTokens) for f in handler.filters)
    ]
    assert handlers, "the root handler has no token-redacting filter"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)  # type: ignore[attr-defined]


def test_security_7_django_404_and_405_warnings_do_not_carry_the_token(client, rep):
    shared = share_quote(rep)
    with console_output() as output:
        client.get("/p/" + "D" * 44 + "/")  # unknown: "Not Found: /p/..."
        client.get(f"/p/{shared.token}/extra/")
        client.post(shared.url)  # 405: "Method Not Allowed (POST): /p/..."
        client.get(shared.seen_url)  # 405 on the beacon
    written = output.getvalue()
    assert "Not Found: /p/[redacted]/" in written
    assert "Method Not Allowed (POST): /p/[redacted]/" in written
    assert "D" * 44 not in written
    assert shared.token not in written and shared.share.key not in written


def test_security_7_development_server_request_lines_do_not_carry_the_token(rep):
    shared = share_quote(rep)
    with console_output() as output:
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /p/{shared.token}/ HTTP/1.1", 200, 5120
        )
    assert '"GET /p/[redacted]/ HTTP/1.1" 200 5120' in output.getvalue()
    assert shared.token not in output.getvalue()


def test_security_7_gunicorn_access_log_does_not_carry_the_token(rep, tmp_path):
    # given gunicorn configured by the project's gunicorn.conf.py, logging to a file
    shared = share_quote(rep)
    conf = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    config = GunicornConfig()
    config.set("logger_class", conf["logger_class"])
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = config.logger_class(config)
    assert isinstance(logger, RedactingGunicornLogger)

    # when it logs a client's requests (page, beacon with a referer, PDF) and an error
    for path, referer in [
        (f"/p/{shared.token}/", "-"),
        (f"/p/{shared.token}/seen/", f"http://127.0.0.1:8000/p/{shared.token}/"),
        (f"/p/{shared.token}/pdf/", "-"),
    ]:
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": path,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "198.51.100.7",
            "HTTP_REFERER": referer,
            "HTTP_USER_AGENT": "Mozilla/5.0",
        }
        response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
        request = SimpleNamespace(headers=[("REFERER", referer)])
        logger.access(response, request, environ, dt.timedelta(milliseconds=3))
    logger.error("Error handling request %s", f"/p/{shared.token}/")
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.flush()

    # then the lines are there, with the paths redacted
    access = (tmp_path / "access.log").read_text()
    errors = (tmp_path / "error.log").read_text()
    assert len(access.splitlines()) == 3
    assert '"GET /p/[redacted]/ HTTP/1.1" 200 1234 "-"' in access
    assert '"GET /p/[redacted]/pdf/ HTTP/1.1"' in access
    assert (
        '"GET /p/[redacted]/seen/ HTTP/1.1" 200 1234 "http://127.0.0.1:8000/p/[redacted]/"'
        in access
    )
    assert "Error handling request /p/[redacted]/" in errors
    assert shared.token not in access + errors
    assert shared.share.key not in access + errors


def test_security_7_the_staff_preview_path_holds_no_secret_and_stays_readable():
    from quotery.core.logging import redact_portal_paths

    assert redact_portal_paths("GET /p/preview/12/") == "GET /p/preview/12/"
    assert redact_portal_paths("GET /p/abc_DEF-123/pdf/?x=1") == "GET /p/[redacted]/pdf/?x=1"


# --- 8: rate limits ------------------------------------------------------------------------

TIGHT = {
    ratelimit.NOT_FOUND_PER_IP: (3, 600),
    ratelimit.VIEW.per_ip: (4, 600),
    ratelimit.VIEW.per_link_ip: (3, 600),
}


def accept_url(shared: Shared) -> str:
    return reverse("portal:accept", args=[shared.token])


def acceptance_form(shared: Shared) -> dict[str, str]:
    return {
        "signer_name": "Anna Client",
        "signer_email": "anna@client.test",
        "consent": "on",
        "revision_hash": latest_revision_hash(shared.quote),
    }


def assert_told_to_wait(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert_portal_headers(response)


@override_settings(PORTAL_RATE_LIMITS=TIGHT)
def test_security_8_a_404_storm_gets_429_with_a_clear_page(client):
    # given a client IP guessing links
    guesses = [client.get(f"/p/{n:044d}/", REMOTE_ADDR="203.0.113.9") for n in range(5)]

    # then the first three are 404s and then the address is told to wait
    assert [r.status_code for r in guesses] == [404, 404, 404, 429, 429]
    assert_told_to_wait(guesses[-1])
    # and so is every unknown link it tries while the window lasts, on every portal URL
    for path in ("/p/" + "G" * 44 + "/", "/p/" + "G" * 44 + "/pdf/", "/p/whatever/"):
        assert client.get(path, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert client.post("/p/" + "G" * 44 + "/seen/", REMOTE_ADDR="203.0.113.9").status_code == 429
    # while another address is answered as usual
    assert client.get("/p/" + "G" * 44 + "/", REMOTE_ADDR="198.51.100.1").status_code == 404


OFFICE_NAT = "203.0.113.60"


def test_security_8_a_nat_address_that_walked_unknown_links_still_opens_and_answers_its_valid_link(
    rep,
):
    # given an office behind one NAT address, where someone walked 25 unknown links
    shared = share_quote(rep)
    office = HttpClient(REMOTE_ADDR=OFFICE_NAT)
    walked = [office.get(f"/p/{n:044d}/").status_code for n in range(25)]
    assert walked == [404] * 20 + [429] * 5
    before = events(shared.quote)

    # when a colleague opens the office's own link (pasted without its trailing slash),
    # reads it, downloads it and accepts
    pasted = office.get(shared.url.rstrip("/"))
    page = office.get(pasted["Location"])
    beacon = office.post(shared.seen_url, {"open": page_view_token(page.content.decode())})
    pdf = office.get(shared.pdf_url)
    form = office.get(accept_url(shared))
    accepted = office.post(accept_url(shared), acceptance_form(shared))

    # then every step goes through and is recorded
    statuses = [r.status_code for r in (pasted, page, beacon, pdf, form, accepted)]
    assert statuses == [301, 200, 204, 200, 200, 302]
    assert [kind for _, kind in events(shared.quote)][len(before) :] == [
        EventKind.LINK_OPENED,
        EventKind.QUOTE_VIEWED,
        EventKind.PDF_DOWNLOADED,
        EventKind.QUOTE_ACCEPTED,
    ]
    assert Acceptance.objects.get(quote=shared.quote).ip == OFFICE_NAT
    # and unknown links from that address are still refused
    assert office.get("/p/" + "H" * 44 + "/").status_code == 429


def test_security_8_a_flood_on_a_link_from_one_address_leaves_its_client_able_to_accept(rep):
    # given someone holding the link who floods it from their address, with the default
    # limits: beacons, messages, and acceptances that cannot succeed
    shared = share_quote(rep)
    flooder = HttpClient(REMOTE_ADDR="198.51.100.66")
    message_url = reverse("portal:message", args=[shared.token])
    beacons = [flooder.post(shared.seen_url, {"open": "1"}).status_code for _ in range(61)]
    messages = [flooder.post(message_url, {"body": "Spam"}).status_code for _ in range(21)]
    accepts = [flooder.post(accept_url(shared), {}).status_code for _ in range(21)]

    # then the flood itself is told to wait once it spent its own budgets
    assert beacons == [400] * 60 + [429]
    assert messages == [302] * 20 + [429]
    assert accepts == [422] * 20 + [429]
    assert_told_to_wait(flooder.post(shared.seen_url, {"open": "1"}))
    assert_told_to_wait(flooder.post(message_url, {"body": "Spam"}))
    assert_told_to_wait(flooder.post(accept_url(shared), acceptance_form(shared)))
    assert not Acceptance.objects.filter(quote=shared.quote).exists()

    # when the client opens the page at their own address, is counted, and accepts
    client = HttpClient(REMOTE_ADDR="203.0.113.70")
    page = client.get(shared.url)
    beacon = client.post(shared.seen_url, {"open": page_view_token(page.content.decode())})
    accepted = client.post(accept_url(shared), acceptance_form(shared))

    # then it all goes through
    assert [page.status_code, beacon.status_code, accepted.status_code] == [200, 204, 302]
    assert Acceptance.objects.get(quote=shared.quote).ip == "203.0.113.70"


@override_settings(PORTAL_RATE_LIMITS=TIGHT, TRUSTED_PROXY_COUNT=0)
def test_security_8_a_spoofed_x_forwarded_for_does_not_reset_the_limit(client):
    statuses = [
        client.get(
            f"/p/{n:044d}/", REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]


@override_settings(PORTAL_RATE_LIMITS=TIGHT, TRUSTED_PROXY_COUNT=0)
def test_security_8_a_spoofed_x_forwarded_for_does_not_reset_a_links_post_limit(client, rep):
    shared = share_quote(rep)
    statuses = [
        client.post(
            shared.seen_url,
            {"open": "1"},
            REMOTE_ADDR="203.0.113.11",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]


@override_settings(PORTAL_RATE_LIMITS=TIGHT, TRUSTED_PROXY_COUNT=1)
def test_security_8_behind_a_trusted_proxy_the_forwarded_address_is_limited(client):
    # the proxy's own address is the same for everybody; the client's comes from the header
    first = [
        client.get(
            f"/p/{n:044d}/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20"
        ).status_code
        for n in range(4)
    ]
    other = client.get(
        "/p/" + "E" * 44 + "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.21"
    )
    assert first == [404, 404, 404, 429]
    assert other.status_code == 404


@override_settings(PORTAL_RATE_LIMITS=TIGHT)
def test_security_8_beacon_posts_are_limited_per_link_and_address(client, rep):
    # given one link, opened once
    shared = share_quote(rep)
    view_token = page_view_token(client.get(shared.url).content.decode())

    # when its beacon is posted again and again from one address
    statuses = [
        client.post(shared.seen_url, {"open": view_token}, REMOTE_ADDR="198.51.100.5").status_code
        for _ in range(5)
    ]

    # then that address's allowance on the link runs out
    assert statuses == [204, 204, 204, 429, 429]
    # while the same link from another address still counts its own page's view
    other = HttpClient(REMOTE_ADDR="198.51.100.6")
    token = page_view_token(other.get(shared.url).content.decode())
    assert other.post(shared.seen_url, {"open": token}).status_code == 204
    kinds = [kind for _, kind in events(shared.quote)]
    assert kinds.count(EventKind.QUOTE_VIEWED) == 2


@override_settings(PORTAL_RATE_LIMITS=TIGHT)
def test_security_8_beacon_posts_are_limited_per_ip(client, rep):
    links = [share_quote(rep, email=f"r{n}@client.test") for n in range(3)]
    statuses = [
        client.post(link.seen_url, {"open": "1"}, REMOTE_ADDR="203.0.113.30").status_code
        for link in links + links
    ]
    assert statuses == [400, 400, 400, 400, 429, 429]


@pytest.mark.django_db(transaction=True)
def test_security_8_counters_are_exact_across_concurrent_connections():
    # given many connections (as gunicorn's workers have) hitting one bucket at once
    per_thread, threads = 25, 8
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker() -> None:
        start.wait()
        try:
            outcomes = [
                ratelimit.hit(ratelimit.VIEW.per_ip, "203.0.113.40", now=1_000_000.0)
                for _ in range(per_thread)
            ]
            with lock:
                results.extend(outcomes)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    # then no hit is lost and exactly the allowance (120 beacons per address) is granted
    counter = RateLimitCounter.objects.get(bucket__startswith=f"{ratelimit.VIEW.per_ip}:")
    assert counter.hits == 200
    assert results.count(True) == 120


def test_security_8_counters_hold_no_ip_address(client, rep):
    shared = share_quote(rep)
    client.get("/p/" + "F" * 44 + "/", REMOTE_ADDR="203.0.113.50")
    client.post(shared.seen_url, {"open": "1"}, REMOTE_ADDR="203.0.113.50")
    buckets = list(RateLimitCounter.objects.values_list("bucket", flat=True))
    assert len(buckets) == 3  # the 404s of the address; beacons of the address, of the link
    assert all("203.0.113" not in bucket for bucket in buckets)


# --- 9 and 10: what GET, HEAD and the beacon record ---------------------------------------


def test_security_9_get_and_head_change_no_business_state_and_head_records_nothing(client, rep):
    shared = share_quote(rep)
    state = business_state(shared.quote)
    before = events(shared.quote)

    head = client.head(shared.url)

    assert head.status_code == 200
    assert events(shared.quote) == before  # HEAD: nothing at all
    client.get(shared.url)
    assert business_state(shared.quote) == state  # GET: an open, no business change
    assert [kind for _, kind in events(shared.quote)][len(before) :] == [EventKind.LINK_OPENED]


def test_security_9_head_of_the_pdf_records_nothing(client, rep):
    shared = share_quote(rep)
    before = events(shared.quote)

    assert client.head(shared.pdf_url).status_code == 200

    assert events(shared.quote) == before


def test_security_10_a_plain_get_is_an_open_never_a_view(rep):
    # given a link scanner that fetches the page and runs no script
    shared = share_quote(rep)
    scanner = HttpClient(HTTP_USER_AGENT="LinkScanner/1.0")

    scanner.get(shared.url)
    scanner.get(shared.url)

    kinds = [kind for _, kind in events(shared.quote)]
    assert kinds.count(EventKind.LINK_OPENED) == 2
    assert EventKind.QUOTE_VIEWED not in kinds


def test_security_10_views_by_company_staff_count_nothing(login, rep):
    shared = share_quote(rep)
    before = events(shared.quote)
    browser = login(member(rep.membership.company, Role.REP))

    html = browser.get(shared.url).content.decode()
    browser.post(shared.seen_url, {"open": before[-1][0]})

    assert "data-open" not in html
    assert events(shared.quote) == before


def views(quote: Quote) -> list[dict[str, object]]:
    return list(
        QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_VIEWED)
        .order_by("sequence")
        .values_list("data", flat=True)
    )


def last_open(quote: Quote) -> int:
    pending_opens_fold(quote.pk)
    return (
        QuoteEvent.objects.filter(quote=quote, kind=EventKind.LINK_OPENED)
        .order_by("-sequence")
        .values_list("sequence", flat=True)[0]
    )


def assert_refused_in_words(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "nothing was counted" in response.content.decode()
    assert_portal_headers(response)


def test_security_10_the_honest_page_counts_the_open_it_recorded(client, rep):
    shared = share_quote(rep)

    view_token = page_view_token(client.get(shared.url).content.decode())
    response = client.post(shared.seen_url, {"open": view_token})

    assert response.status_code == 204
    assert views(shared.quote) == [{"open": last_open(shared.quote)}]


def test_security_10_an_earlier_opens_number_is_refused(client, rep):
    # given a link scanner's fetch (an open, never confirmed), then the client's own page
    shared = share_quote(rep)
    HttpClient(HTTP_USER_AGENT="LinkScanner/1.0").get(shared.url)
    scanner_open = last_open(shared.quote)
    client.get(shared.url)
    before = events(shared.quote)

    # when a beacon names the scanner's open by its number
    response = client.post(shared.seen_url, {"open": str(scanner_open)})

    # then it is refused in words and the scanner's open stays an open
    assert_refused_in_words(response)
    assert events(shared.quote) == before


def test_security_10_a_token_older_than_the_window_is_refused(client, rep):
    # given a page served now, and another one served later
    shared = share_quote(rep)
    served = timezone.now()
    stale = page_view_token(client.get(shared.url).content.decode())
    with time_machine.travel(served + dt.timedelta(minutes=20), tick=False):
        fresh = page_view_token(client.get(shared.url).content.decode())
    before = events(shared.quote)

    # when both beacons arrive 31 minutes after the first page was served
    with time_machine.travel(served + dt.timedelta(minutes=31), tick=False):
        late = client.post(shared.seen_url, {"open": stale})
        timely = client.post(shared.seen_url, {"open": fresh})

    # then the first is refused (the window is 30 minutes); the second, 11 minutes old, counts
    assert_refused_in_words(late)
    assert "opened too long ago" in late.content.decode()
    assert timely.status_code == 204
    assert [kind for _, kind in events(shared.quote)][len(before) :] == [EventKind.QUOTE_VIEWED]
    assert views(shared.quote) == [{"open": last_open(shared.quote)}]


@override_settings(PORTAL_VIEW_CONFIRM_SECONDS=300)
def test_security_10_the_window_is_a_setting(client, rep):
    shared = share_quote(rep)
    served = timezone.now()
    view_token = page_view_token(client.get(shared.url).content.decode())
    before = events(shared.quote)

    with time_machine.travel(served + dt.timedelta(minutes=6), tick=False):
        response = client.post(shared.seen_url, {"open": view_token})

    assert_refused_in_words(response)
    assert events(shared.quote) == before


def test_security_10_a_token_for_another_share_or_link_is_refused(client, rep):
    # given pages of two recipients of the same quote, and of another quote
    anna = share_quote(rep)
    bob = share_quote(rep, email="bob@client.test")
    other_quote = share_quote(rep, email="anna@client.test", title="Another quote")
    bobs_token = page_view_token(client.get(bob.url).content.decode())
    other_token = page_view_token(client.get(other_quote.url).content.decode())
    # and a page of Anna's link, then revoked and re-issued (same share, a new link)
    annas_old_token = page_view_token(client.get(anna.url).content.decode())
    share_revoke(share=anna.share, user=rep)
    share_send(
        quote=anna.quote, user=rep, recipient_name="Anna", recipient_email="anna@client.test"
    )
    anna.share.refresh_from_db()
    new_link = reverse(
        "portal:seen",
        args=[share_token(key=anna.share.key, quote_id=anna.quote.pk, email="anna@client.test")],
    )
    before = [events(anna.quote), events(bob.quote), events(other_quote.quote)]

    # when each token is posted to a beacon it was not made for
    responses = [
        client.post(new_link, {"open": bobs_token}),
        client.post(new_link, {"open": other_token}),
        client.post(new_link, {"open": annas_old_token}),
        client.post(bob.seen_url, {"open": other_token}),
    ]

    # then each is refused and nothing is counted anywhere
    for response in responses:
        assert_refused_in_words(response)
    assert [events(anna.quote), events(bob.quote), events(other_quote.quote)] == before


def tampered(view_token: str) -> dict[str, str]:
    payload, timestamp, signature = view_token.split(":")
    share_pk, named = payload.split(".")  # "<share>.p<pending open>" or "<share>.<sequence>"
    flipped = ("A" if signature[5] != "A" else "B").join([signature[:5], signature[6:]])
    prefix = "p" if named.startswith("p") else ""
    earlier = f"{share_pk}.{prefix}{int(named.removeprefix('p')) - 1}"
    return {
        "an earlier open, same signature": f"{earlier}:{timestamp}:{signature}",
        "a later timestamp, same signature": f"{payload}:{timestamp}x:{signature}",
        "one character of the signature": f"{payload}:{timestamp}:{flipped}",
        "no signature": f"{payload}:{timestamp}",
        "no timestamp": f"{payload}:{signature}",
        "the payload alone": payload,
    }


def test_security_10_a_tampered_token_is_refused(client, rep):
    # given a scanner's open and then the client's page
    shared = share_quote(rep)
    HttpClient().get(shared.url)
    view_token = page_view_token(client.get(shared.url).content.decode())
    before = events(shared.quote)

    for name, forged in tampered(view_token).items():
        # when the token is edited and posted
        response = client.post(shared.seen_url, {"open": forged})
        # then it is refused and nothing is counted
        assert response.status_code == 400, name
        assert_refused_in_words(response)
    assert events(shared.quote) == before


def test_security_10_the_same_token_twice_counts_once(client, rep):
    shared = share_quote(rep)
    view_token = page_view_token(client.get(shared.url).content.decode())

    first = client.post(shared.seen_url, {"open": view_token})
    second = client.post(shared.seen_url, {"open": view_token})

    assert (first.status_code, second.status_code) == (204, 204)
    assert views(shared.quote) == [{"open": last_open(shared.quote)}]


@pytest.mark.parametrize(
    "value",
    [
        "1" * 25,  # once an OverflowError and a 500
        "9" * 5000,
        "-1",
        "0",
        "soon",
        "",
        " 5 ",
        "1e999",
        "\u0661\u0662",  # Arabic-Indic digits, which int() would read as 12
        "1.0",
        "\x00",
    ],
    ids=[
        "25 digits",
        "5000 digits",
        "negative",
        "zero",
        "words",
        "empty",
        "spaces",
        "exponent",
        "non-ascii digits",
        "decimal",
        "nul",
    ],
)
def test_security_10_an_open_that_is_no_token_is_a_400_and_records_nothing(client, rep, value):
    shared = share_quote(rep)
    client.get(shared.url)
    before = events(shared.quote)

    response = client.post(shared.seen_url, {"open": value})

    assert_refused_in_words(response)
    assert "must name the open this page recorded" in response.content.decode()
    assert events(shared.quote) == before


def test_security_10_a_beacon_without_an_open_field_is_a_400(client, rep):
    shared = share_quote(rep)
    client.get(shared.url)
    before = events(shared.quote)

    assert_refused_in_words(client.post(shared.seen_url))
    assert events(shared.quote) == before


def test_security_10_the_kept_page_holds_no_open_of_its_own(rep):
    # given the same page served (from the kept copy) to two browsers in turn
    shared = share_quote(rep)
    pages = [HttpClient().get(shared.url).content.decode() for _ in range(2)]

    # then each carries a different token, each naming its own open
    first, second = (page_view_token(html) for html in pages)
    assert first != second
    opens = list(
        PendingOpen.objects.filter(quote=shared.quote).order_by("pk").values_list("pk", flat=True)
    )
    assert len(opens) == 2
    assert [open_named_by(share=shared.share, view_token=t) for t in (first, second)] == [
        NamedOpen(pending=pk) for pk in opens
    ]
    # and the page kept for the next visitor holds the mark, never a token
    kept = [
        html
        for html in _PAGES._values.values()
        if shared.quote.number in html and "data-seen-url" in html
    ]
    assert kept
    for html in kept:
        assert f'data-open="{VIEW_TOKEN_MARK}"' in html
        assert f'data-open="{first}"' not in html and f'data-open="{second}"' not in html


# --- 21: hostile client text is escaped ---------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_security_21_hostile_client_name_and_message_are_escaped(client, rep, company):
    # given a client whose name and message carry markup
    shared = share_quote(rep, message="")
    client_record = shared.quote.client
    client_record.name = f"Evil {HOSTILE} GmbH"
    client_record.save()
    from quotery.portal.services.sharing import share_send

    share_send(
        quote=shared.quote, user=rep, recipient_name="Anna", recipient_email="anna@client.test"
    )  # a new revision carries the new client name
    ConversationMessage.objects.create(
        company=company,
        quote=shared.quote,
        author_kind=AuthorKind.CLIENT,
        author_name=f"Mallory {HOSTILE}",
        author_email="m@client.test",
        share=shared.share,
        body=f"Hello{HOSTILE}\nline two",
    )

    html = client.get(shared.url).content.decode()

    assert "<script>alert" not in html and "<img src=x" not in html
    assert "Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Mallory &lt;script&gt;" in html
    assert (
        "Hello&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        "&lt;img src=x onerror=alert(1)&gt;<br>line two" in html
    )


# --- 22: CSRF and Origin on the beacon ----------------------------------------------------


def opened_page(shared: Shared) -> tuple[HttpClient, str, str]:
    browser = HttpClient(enforce_csrf_checks=True)
    html = browser.get(shared.url).content.decode()
    return browser, page_view_token(html), browser.cookies["csrftoken"].value


def test_security_22_beacon_without_csrf_token_is_refused(rep):
    shared = share_quote(rep)
    browser, view_token, _ = opened_page(shared)
    before = events(shared.quote)

    response = browser.post(shared.seen_url, {"open": view_token})

    assert response.status_code == 403
    assert events(shared.quote) == before


def test_security_22_beacon_from_a_cross_site_origin_is_refused(rep):
    shared = share_quote(rep)
    browser, view_token, token = opened_page(shared)
    before = events(shared.quote)

    response = browser.post(
        shared.seen_url,
        {"open": view_token},
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="https://attacker.example",
    )

    assert response.status_code == 403
    assert events(shared.quote) == before


def test_security_22_beacon_with_token_from_the_page_origin_counts(rep):
    shared = share_quote(rep)
    browser, view_token, token = opened_page(shared)

    response = browser.post(
        shared.seen_url,
        {"open": view_token},
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 204
    assert events(shared.quote)[-1][1] == EventKind.QUOTE_VIEWED


# Under the portal's `Referrer-Policy: no-referrer`, browsers send the page's own form posts
# with `Origin: null`; on portal URLs that is the browser declining to name the origin, so
# the token decides. Anywhere else, and without the token, it is refused.


def test_security_22_portal_post_from_a_no_referrer_page_with_token_counts(rep):
    shared = share_quote(rep)
    browser, view_token, token = opened_page(shared)

    response = browser.post(
        shared.seen_url, {"open": view_token}, HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN="null"
    )

    assert response.status_code == 204
    assert events(shared.quote)[-1][1] == EventKind.QUOTE_VIEWED


def test_security_22_portal_post_over_https_with_null_origin_needs_no_referer(rep, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://testserver"]
    shared = share_quote(rep)
    browser = HttpClient(enforce_csrf_checks=True)
    html = browser.get(shared.url, secure=True).content.decode()
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        shared.seen_url,
        {"open": page_view_token(html)},
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="null",
        secure=True,
    )

    assert response.status_code == 204


def test_security_22_null_origin_without_token_is_refused(rep):
    shared = share_quote(rep)
    browser, view_token, _ = opened_page(shared)
    before = events(shared.quote)

    response = browser.post(shared.seen_url, {"open": view_token}, HTTP_ORIGIN="null")

    assert response.status_code == 403
    assert events(shared.quote) == before


def test_security_22_null_origin_is_refused_on_staff_pages(rep, login):
    shared = share_quote(rep)
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(rep)
    browser.get(reverse("quotes:detail", args=[shared.quote.pk]))
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        reverse("quotes:cancel", args=[shared.quote.pk]),
        {"csrfmiddlewaretoken": token},
        HTTP_ORIGIN="null",
    )

    assert response.status_code == 403
    shared.quote.refresh_from_db()
    assert shared.quote.state == "sent"
