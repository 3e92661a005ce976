"""SECURITY.md 24: names, emails and IP addresses stay in the database, out of the logs.

Every check reads what the handlers configured in settings.LOGGING really write (Django's
loggers do not propagate to the root logger), or the files of a real gunicorn.

Exercises: quotery.core.logging.RedactPersonalData,
quotery.core.logging.RedactingGunicornLogger, quotery.portal.services.sharing.share_send,
quotery.notifications.delivery.outbox_email_deliver, quotery.portal.views.acceptance.accept,
quotery.portal.views.answers.decline, quotery.portal.views.answers.message,
quotery.portal.views.answers.request_changes, quotery.portal.views.client.page,
quotery.portal.views.client.pdf, quotery.portal.views.client.seen
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.urls import include, path, reverse

from quotery.notifications.delivery import outbox_email_deliver
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.portal.tests.portal_fixtures import latest_revision_hash, share_quote
from tests.logs import assert_no_token_piece, configured_output, running_gunicorn
from tests.network import free_port, smtp_mailers

pytestmark = pytest.mark.django_db

CLIENT_IP = "198.51.100.77"
CLIENT_NAME = "Anna Client"
CLIENT_EMAIL = "anna@client.test"


@contextmanager
def everything_logged() -> Iterator[list[str]]:
    """Every logger down to DEBUG, and what the configured handlers write (one string, in
    the list the block receives, once the block ends)."""
    loggers = [logging.getLogger(name) for name in ("", "django", "quotery")]
    levels = [logger.level for logger in loggers]
    written: list[str] = []
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        with configured_output("django", "quotery") as output:
            yield written
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
    written.append(output.getvalue())


def test_security_24_a_clients_visit_and_a_failed_email_log_no_personal_data(rep, settings) -> None:  # type: ignore[no-untyped-def]
    # given everything logged, down to DEBUG, and an SMTP server that is down
    settings.MAILERS = smtp_mailers(free_port(), timeout=2)

    # when a quote is shared, its email fails, and the client opens, views, downloads and
    # mistypes the link
    with everything_logged() as written:
        shared = share_quote(rep, email=CLIENT_EMAIL)
        email = OutboxEmail.objects.get(to_email=CLIENT_EMAIL)
        assert outbox_email_deliver(email_id=email.pk) == EmailStatus.PENDING
        browser = HttpClient(REMOTE_ADDR=CLIENT_IP)
        html = browser.get(shared.url).content.decode()
        view_token = re.search(r'data-open="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        assert browser.post(shared.seen_url, {"open": view_token}).status_code == 204
        assert browser.get(shared.pdf_url).status_code == 200
        assert browser.get(shared.url.replace(shared.token, "x" * 44)).status_code == 404

    # then the logs said something, but nothing about who
    logged = written[0]
    assert "Outbox email" in logged
    assert "Not Found: /p/[redacted]/" in logged
    for personal in (CLIENT_IP, CLIENT_NAME, CLIENT_EMAIL, rep.email):
        assert personal not in logged


def test_security_24_answering_a_quote_logs_no_personal_data(rep, settings) -> None:  # type: ignore[no-untyped-def]
    # given everything logged, down to DEBUG, and an SMTP server that is down
    settings.MAILERS = smtp_mailers(free_port(), timeout=2)
    browser = HttpClient(REMOTE_ADDR=CLIENT_IP)

    # when one client asks for changes, writes, then the other fails to accept once and
    # accepts, and a third quote is declined (each answer's emails fail and are retried)
    with everything_logged() as written:
        asking, accepting = (
            share_quote(rep, email="bo@client.test"),
            share_quote(rep, email=CLIENT_EMAIL),
        )
        changes = reverse("portal:changes", args=[asking.token])
        assert browser.post(changes, {"message": "Ten chairs, please."}).status_code == 302
        message = reverse("portal:message", args=[asking.token])
        assert browser.post(message, {"body": "Call me on Monday."}).status_code == 302
        accept = reverse("portal:accept", args=[accepting.token])
        form = {
            "signer_name": CLIENT_NAME,
            "signer_email": CLIENT_EMAIL,
            "revision_hash": latest_revision_hash(accepting.quote),
        }
        assert browser.post(accept, form).status_code == 422  # consent not ticked
        assert browser.post(accept, {**form, "consent": "on"}).status_code == 302
        declining = share_quote(rep, email="cy@client.test")
        decline = reverse("portal:decline", args=[declining.token])
        assert browser.post(decline, {"reason": "price"}).status_code == 302
        for email_id in OutboxEmail.objects.values_list("pk", flat=True):
            assert outbox_email_deliver(email_id=email_id) == EmailStatus.PENDING

    # then the logs said something, but nothing about who
    logged = written[0]
    assert "Outbox email" in logged
    assert "Unprocessable Entity: /p/[redacted]/accept/" in logged
    for personal in (CLIENT_IP, CLIENT_NAME, CLIENT_EMAIL, "bo@client.test", rep.email):
        assert personal not in logged


def test_security_24_csrf_failures_on_a_portal_post_log_no_personal_data(rep) -> None:  # type: ignore[no-untyped-def]
    # given a shared quote and a client whose answers fail the CSRF check
    shared = share_quote(rep, email=CLIENT_EMAIL)
    accept = reverse("portal:accept", args=[shared.token])
    form = {"signer_name": CLIENT_NAME, "signer_email": CLIENT_EMAIL, "consent": "on"}
    browser = HttpClient(enforce_csrf_checks=True, REMOTE_ADDR=CLIENT_IP)

    # when it posts without a CSRF cookie, then with the page's cookie and a wrong token,
    # then over HTTPS from a page whose address names the client
    with configured_output("django.security.csrf") as output:
        no_cookie = browser.post(accept, form).status_code
        assert browser.get(shared.url).status_code == 200
        wrong_token = browser.post(accept, {**form, "csrfmiddlewaretoken": "w" * 64}).status_code
        foreign_referer = browser.post(
            accept,
            form,
            secure=True,
            headers={"Referer": f"https://mail.example/read?from={CLIENT_EMAIL}"},
        ).status_code

    # then each is refused and logged, without the link or who the client is
    assert (no_cookie, wrong_token, foreign_referer) == (403, 403, 403)
    written = output.getvalue()
    assert "Forbidden (CSRF cookie not set.): /p/[redacted]/accept/\n" in written
    assert "Forbidden (CSRF token from POST incorrect.): /p/[redacted]/accept/\n" in written
    assert (
        "Forbidden (Referer checking failed - https://mail.example/read?from=[redacted] does"
        " not match any trusted origins.): /p/[redacted]/accept/\n"
    ) in written
    assert_no_token_piece(written, shared.token)
    for personal in (CLIENT_IP, CLIENT_NAME, CLIENT_EMAIL):
        assert personal not in written


def crashing_answer(request: HttpRequest, token: str) -> HttpResponse:
    """A portal view with a bug whose exception message carries what the client sent, as
    careless code writes them."""
    raise ValueError(
        f"Could not record the answer of {request.POST['signer_name']}"
        f" <{request.POST['signer_email']}> from {request.META['HTTP_X_FORWARDED_FOR']}"
        f" ({request.META['REMOTE_ADDR']}) on link {token}"
    )


# The project's URLs, and a portal page that fails (for the test below, through pytest.mark.urls).
urlpatterns = [
    path("p/<str:token>/crash/", crashing_answer),
    path("", include("config.urls")),
]


@pytest.mark.urls(__name__)
def test_security_24_a_500_logs_its_traceback_without_the_clients_data(rep) -> None:  # type: ignore[no-untyped-def]
    # given a portal page that fails, and a client behind a proxy
    shared = share_quote(rep, email=CLIENT_EMAIL)
    browser = HttpClient(
        raise_request_exception=False,
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR=CLIENT_IP,
        HTTP_USER_AGENT="Mozilla/5.0 (QuoteryTest; client-agent-42)",
    )
    browser.cookies["sessionid"] = "session-cookie-value-42"

    # when the client posts its answer to it
    with configured_output("django.request") as output:
        response = browser.post(
            f"/p/{shared.token}/crash/",
            {"signer_name": CLIENT_NAME, "signer_email": CLIENT_EMAIL, "note": "Call Anna"},
        )

    # then the failure is logged with its traceback, and nothing of the request: not the
    # link, the client's name, email or addresses, the form, the headers or the cookies
    assert response.status_code == 500
    written = output.getvalue()
    assert "ERROR django.request Internal Server Error: /p/[redacted]/crash/\n" in written
    assert "Traceback (most recent call last):" in written
    assert (
        "ValueError: Could not record the answer of [redacted] <[redacted]> from [redacted]"
        " ([redacted]) on link [redacted]\n"
    ) in written
    assert_no_token_piece(written, shared.token)
    for personal in (CLIENT_IP, "192.0.2.10", CLIENT_NAME, CLIENT_EMAIL, "Call Anna"):
        assert personal not in written
    for header in ("client-agent-42", "session-cookie-value-42", "csrftoken"):
        assert header not in written


@pytest.mark.django_db(transaction=True)
def test_security_24_gunicorn_logs_hold_no_client_address_or_email(rep, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # given a real share, committed, and gunicorn serving the test database
    shared = share_quote(rep, email=CLIENT_EMAIL)
    with_email = f"/accounts/login/?next=/&email={CLIENT_EMAIL.replace('@', '%40')}"

    # when a client behind a proxy opens the link, sends its email in a query string and a
    # Referer, and sends a request line gunicorn cannot parse
    with running_gunicorn(tmp_path) as server:
        forwarded = f"Host: 127.0.0.1\r\nX-Forwarded-For: {CLIENT_IP}"
        server.send(f"GET {shared.url} HTTP/1.1\r\n{forwarded}")
        server.send(f"GET {with_email} HTTP/1.1\r\n{forwarded}")
        server.send(
            f"GET /quotes/ HTTP/1.1\r\n{forwarded}\r\n"
            f"Referer: https://mail.example/read?from={CLIENT_EMAIL}"
        )
        server.send(f"GET  /quotes/ HTTP/1.1\r\n{forwarded}")
    access = server.access_log.read_text()

    # then the access log has the requests without address or email
    assert [line.split('"')[1] for line in access.splitlines()] == [
        "GET /p/[redacted]/ HTTP/1.1",
        "GET /accounts/login/?next=/&email=[redacted] HTTP/1.1",
        "GET /quotes/ HTTP/1.1",
    ]
    assert '"https://mail.example/read?from=[redacted]"' in access
    # and gunicorn's error log names the bad request, not who sent it
    errors = server.error_log.read_text()
    assert (
        "Invalid request from ip=[redacted]: Invalid HTTP request line: 'GET  /quotes/ HTTP/1.1'"
        in errors
    )
    everything = server.logs().replace(f"Listening at: http://127.0.0.1:{server.port}", "")
    for personal in ("127.0.0.1", CLIENT_IP, CLIENT_EMAIL, "anna%40client.test"):
        assert personal not in everything
