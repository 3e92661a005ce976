"""SECURITY.md 7: a portal link's token never appears in a log, however the link was written:
in what Django's configured handlers write, what the development server writes, and in the
access and error logs of a real gunicorn started with gunicorn.conf.py.

Exercises: quotery.core.logging.redact_portal_paths, quotery.core.logging.RedactPortalTokens,
quotery.core.logging.RedactingGunicornLogger, quotery.portal.services.sharing.share_send,
django.contrib.auth.views.LoginView, quotery.portal.views.acceptance.accept,
quotery.portal.views.client.not_found, quotery.portal.views.client.page,
quotery.portal.views.client.seen
"""

from __future__ import annotations

import re
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.test import Client as HttpClient

from quotery.core.logging import redact_portal_paths
from quotery.portal.tests.portal_fixtures import share_quote
from tests.logs import assert_no_token_piece, configured_output, running_gunicorn
from tests.network import free_port

TOKEN = "AbCdEfGhIjKlMnOpQrStUv0123456789-_wXyZaBcDeF"  # the shape of a link token: 44 base64url


def percent_encoded(text: str) -> str:
    return "".join(f"%{ord(character):02X}" for character in text)


# --- the shape: what is redacted and what is left alone ----------------------------------

HIDDEN = [
    # (written in a log, what the log keeps)
    (f"GET /p/{TOKEN}/ HTTP/1.1", "GET /p/[redacted]/ HTTP/1.1"),
    (f"Not Found: /p//{TOKEN}/", "Not Found: /p//[redacted]/"),
    (f"Not Found: /P/{TOKEN}/", "Not Found: /P/[redacted]/"),
    (f"GET /%70/{TOKEN}/ HTTP/1.1", "GET /%70/[redacted]/ HTTP/1.1"),
    (f"GET /p%2F{TOKEN}/ HTTP/1.1", "GET /p%2F[redacted]/ HTTP/1.1"),
    (f"GET /p%2f{TOKEN}/ HTTP/1.1", "GET /p%2f[redacted]/ HTTP/1.1"),
    (f"GET /p%252F{TOKEN}/ HTTP/1.1", "GET /p%252F[redacted]/ HTTP/1.1"),
    (f"Not Found: /p/preview/{TOKEN}/", "Not Found: /p/preview/[redacted]/"),
    (f"GET /accounts/login/?next=/p/{TOKEN}/", "GET /accounts/login/?next=/p/[redacted]/"),
    (
        f"GET /accounts/login/?next=%2Fp%2F{TOKEN}%2Fpdf%2F",
        "GET /accounts/login/?next=%2Fp%2F[redacted]%2Fpdf%2F",
    ),
    (
        f'"https://quotes.example.com/p/{TOKEN}/" "Mozilla/5.0"',
        '"https://quotes.example.com/p/[redacted]/" "Mozilla/5.0"',
    ),
    # the token's own characters escaped: once, in lower case, twice, every one of them
    (f"GET /p/%41{TOKEN[1:]}/", "GET /p/[redacted]/"),
    (f"GET /x/{TOKEN[:10]}%5f{TOKEN[11:]}/", "GET /x/[redacted]/"),
    (f"GET /x/{TOKEN[:10]}%255F{TOKEN[11:]}/", "GET /x/[redacted]/"),
    (f"GET /x/{percent_encoded(TOKEN)}/", "GET /x/[redacted]/"),
    (f"GET /x/{TOKEN[:10]}%{'25' * 9}4B{TOKEN[11:]}/", "GET /x/[redacted]/"),
    # anywhere, under any path: a token missing a character, or with more glued on
    (f"Not Found: /anything/{TOKEN[:-1]}/", "Not Found: /anything/[redacted]/"),
    (f"Not Found: /anything/{TOKEN[:40]}/", "Not Found: /anything/[redacted]/"),
    (f"Not Found: /anything/{TOKEN}extra/", "Not Found: /anything/[redacted]/"),
    (
        f"Reverse for 'accept' with arguments '('{TOKEN}',)'",
        "Reverse for 'accept' with arguments '('[redacted]',)'",
    ),
    # after /p/, even what is too short to be a token
    ("GET /p/abc_DEF-123/pdf/?x=1", "GET /p/[redacted]/pdf/?x=1"),
]

LEFT_ALONE = [
    "GET /p/preview/12/ HTTP/1.1",
    # SHA-256 in hex (chain hashes, PDF digests), a UUID, a long snake_case name, a number
    "hash " + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "hash " + "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
    "id 7c9e6679-7425-40de-944b-e07fc1f90ae7",
    'File "x.py", line 30, in test_security_24_a_clients_visit_and_a_failed_email_log',
    "total 1234567890123456789012345678901234567890123456",
    # a token-shaped run shorter than 40, and ordinary words and paths
    f"key {TOKEN[:39]} ok",
    "GET /quotes/12/edit/?section=3 HTTP/1.1",
    "Outbox email 7 (share) attempt 2 failed: SMTPServerDisconnected",
    "discount 100% off, 50%-60% of lines",
]


@pytest.mark.parametrize(("logged", "kept"), HIDDEN)
def test_security_7_a_token_is_redacted_however_it_is_written(logged: str, kept: str) -> None:
    assert redact_portal_paths(logged) == kept


@pytest.mark.parametrize("logged", LEFT_ALONE)
def test_security_7_hashes_names_and_words_are_left_alone(logged: str) -> None:
    assert redact_portal_paths(logged) == logged


# --- Django's handlers as configured --------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_security_7_djangos_404_405_and_csrf_warnings_hold_no_token(rep) -> None:  # type: ignore[no-untyped-def]
    # given a real share and a client sending its link in the forms that do not resolve
    token = share_quote(rep).token
    browser = HttpClient(enforce_csrf_checks=True)
    not_found = {
        # path requested -> path in Django's "Not Found" warning (the test client decodes
        # the path once, as a web server does)
        f"/p//{token}/": "/p//[redacted]/",
        f"/P/{token}/": "/P/[redacted]/",
        f"/p/preview/{token}/": "/p/preview/[redacted]/",
        f"/p%252F{token}/": "/p%2F[redacted]/",
        f"/p/{token[:-1]}/": "/p/[redacted]/",
        f"/p/{token}extra/": "/p/[redacted]/",
        f"/{token}/": "/[redacted]/",
        f"/p/{token}/unknown/": "/p/[redacted]/unknown/",
    }

    # when
    with configured_output("django.request", "django.security.csrf") as output:
        statuses = [browser.get(path).status_code for path in not_found]
        method_not_allowed = browser.get(f"/p/{token}/seen/").status_code
        forbidden = browser.post(f"/p/{token}/accept/", {"signer_name": "x"}).status_code

    # then each is logged, with the token redacted
    assert statuses == [404] * len(not_found)
    assert (method_not_allowed, forbidden) == (405, 403)
    written = output.getvalue()
    for logged in not_found.values():
        assert f"WARNING django.request Not Found: {logged}\n" in written
    assert "Method Not Allowed (GET): /p/[redacted]/seen/\n" in written
    assert "Forbidden (CSRF cookie not set.): /p/[redacted]/accept/\n" in written
    assert_no_token_piece(written, token)


@contextmanager
def development_server() -> Iterator[int]:
    """Django's development server (runserver's WSGIServer and request handler, whose
    request lines go to the `django.server` logger) on a free port, in a thread."""
    port = free_port()
    server = WSGIServer(("127.0.0.1", port), WSGIRequestHandler)
    # WSGIHandler, not get_wsgi_application(): that runs django.setup() again, which would
    # replace the configured handlers the test reads.
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.django_db(transaction=True)
def test_security_7_development_server_request_lines_hold_no_token(rep) -> None:  # type: ignore[no-untyped-def]
    # given a real share and the development server
    token = share_quote(rep).token
    targets = {
        # what the client sends -> what the request line in the log shows
        f"/p/{token}/": "/p/[redacted]/",
        f"/%70/{token}/": "/%70/[redacted]/",
        f"/p%2F{token}/": "/p%2F[redacted]/",
        f"/p/preview/{token}/": "/p/preview/[redacted]/",
        f"/accounts/login/?next=%2Fp%2F{token}%2F": "/accounts/login/?next=%2Fp%2F[redacted]%2F",
    }

    # when the client requests the link in each form (the server stops, so has written its
    # last line, before the output is read)
    with configured_output("django.server") as output, development_server() as port:
        for target in targets:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{target}", timeout=30).close()
            except urllib.error.HTTPError as error:
                error.close()

    # then every request line is logged, redacted
    written = output.getvalue()
    for logged in targets.values():
        assert f'"GET {logged} HTTP/1.1"' in written
    assert_no_token_piece(written, token)


# --- a real gunicorn ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_security_7_gunicorn_logs_hold_no_token_however_the_link_is_written(rep, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # given a real share, committed, and gunicorn serving the test database
    token = share_quote(rep).token
    requests = {
        # request line and headers sent -> (request line in the access log, status)
        f"GET /p/{token}/ HTTP/1.1": ("GET /p/[redacted]/ HTTP/1.1", "200"),
        f"GET /p//{token}/ HTTP/1.1": ("GET /p//[redacted]/ HTTP/1.1", "404"),
        f"GET /P/{token}/ HTTP/1.1": ("GET /P/[redacted]/ HTTP/1.1", "404"),
        f"GET /%70/{token}/ HTTP/1.1": ("GET /%70/[redacted]/ HTTP/1.1", "200"),
        f"GET /p%2F{token}/ HTTP/1.1": ("GET /p%2F[redacted]/ HTTP/1.1", "200"),
        f"GET /p%2f{token}/ HTTP/1.1": ("GET /p%2f[redacted]/ HTTP/1.1", "200"),
        f"GET /p%252F{token}/ HTTP/1.1": ("GET /p%252F[redacted]/ HTTP/1.1", "404"),
        f"GET /p/preview/{token}/ HTTP/1.1": ("GET /p/preview/[redacted]/ HTTP/1.1", "404"),
        f"GET /p/{percent_encoded(token)}/ HTTP/1.1": ("GET /p/[redacted]/ HTTP/1.1", "200"),
        f"GET /p/%{ord(token[0]):02x}{token[1:]}/ HTTP/1.1": ("GET /p/[redacted]/ HTTP/1.1", "200"),
        f"GET /p/{token[:-1]}/ HTTP/1.1": ("GET /p/[redacted]/ HTTP/1.1", "404"),
        f"GET /p/{token} HTTP/1.1": ("GET /p/[redacted] HTTP/1.1", "301"),
        f"GET /accounts/login/?next=/p/{token}/ HTTP/1.1": (
            "GET /accounts/login/?next=/p/[redacted]/ HTTP/1.1",
            "200",
        ),
        f"GET /accounts/login/?next=%2Fp%2F{token}%2F HTTP/1.1": (
            "GET /accounts/login/?next=%2Fp%2F[redacted]%2F HTTP/1.1",
            "200",
        ),
        f"POST /p/{token}/accept/ HTTP/1.1\r\nContent-Length: 0": (
            "POST /p/[redacted]/accept/ HTTP/1.1",
            "403",
        ),
        f"GET /p/{token}/seen/ HTTP/1.1\r\nReferer: http://127.0.0.1/p/{token}/": (
            "GET /p/[redacted]/seen/ HTTP/1.1",
            "405",
        ),
    }

    # when a client sends each of them, and one request line gunicorn cannot parse
    with running_gunicorn(tmp_path) as server:
        for request in requests:
            server.send(f"{request}\r\nHost: 127.0.0.1")
        server.send(f"GET  /p/{token}/ HTTP/1.1\r\nHost: 127.0.0.1")
    access = server.access_log.read_text()

    # then each request is in the access log, in order, with its status and the token redacted
    logged = [
        (match.group(1), match.group(2))
        for match in re.finditer(r'^\S+ \S+ "(.*?)" (\d{3}) ', access, flags=re.MULTILINE)
    ]
    assert logged == list(requests.values())
    assert '"http://127.0.0.1/p/[redacted]/"' in access
    # and Django's warnings and gunicorn's error log name the requests, without the token
    everything = server.logs()
    assert "Not Found: /p//[redacted]/" in everything
    assert "Forbidden (CSRF cookie not set.): /p/[redacted]/accept/" in everything
    errors = server.error_log.read_text()
    assert "Invalid HTTP request line: 'GET  /p/[redacted]/ HTTP/1.1'" in errors
    assert_no_token_piece(everything, token)
