"""SECURITY.md 24: names, emails and IP addresses stay in the database, out of the logs."""

from __future__ import annotations

import datetime as dt
import logging
import re
import runpy
from types import SimpleNamespace

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from gunicorn.config import Config as GunicornConfig

from config.env import BASE_DIR
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.services import outbox_email_deliver
from quotery.portal.tests.portal_fixtures import latest_revision_hash, share_quote
from tests.network import free_port, smtp_mailers

pytestmark = pytest.mark.django_db

CLIENT_IP = "198.51.100.77"
CLIENT_NAME = "Anna Client"
CLIENT_EMAIL = "anna@client.test"


def test_security_24_a_clients_visit_and_a_failed_email_log_no_personal_data(
    rep, settings, caplog
) -> None:  # type: ignore[no-untyped-def]
    # given everything logged, down to DEBUG, and an SMTP server that is down
    caplog.set_level(logging.DEBUG)
    settings.MAILERS = smtp_mailers(free_port(), timeout=2)

    # when a quote is shared, its email fails, and the client opens, views, downloads and
    # mistypes the link
    shared = share_quote(rep, email=CLIENT_EMAIL)
    email = OutboxEmail.objects.get(to_email=CLIENT_EMAIL)
    assert outbox_email_deliver(email_id=email.pk) == EmailStatus.PENDING
    browser = HttpClient(REMOTE_ADDR=CLIENT_IP)
    html = browser.get(shared.url).content.decode()
    sequence = re.search(r'data-open="(\d+)"', html).group(1)  # type: ignore[union-attr]
    assert browser.post(shared.seen_url, {"open": sequence}).status_code == 204
    assert browser.get(shared.pdf_url).status_code == 200
    assert browser.get(shared.url.replace(shared.token, "x" * 44)).status_code == 404

    # then the logs said something, but nothing about who
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Outbox email" in logged
    for personal in (CLIENT_IP, CLIENT_NAME, CLIENT_EMAIL, rep.email):
        assert personal not in logged


def test_security_24_gunicorn_access_log_writes_no_client_address(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # given gunicorn configured by the project's gunicorn.conf.py
    conf = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    config = GunicornConfig()
    config.set("logger_class", conf["logger_class"])
    config.set("access_log_format", conf["access_log_format"])
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = config.logger_class(config)

    # when it logs a request
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/quotes/",
        "PATH_INFO": "/quotes/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": CLIENT_IP,
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=4))
    for handler in logger.access_log.handlers:
        handler.flush()

    # then the line is there, without the address
    line = (tmp_path / "access.log").read_text()
    assert '"GET /quotes/ HTTP/1.1" 200 512' in line
    assert CLIENT_IP not in line


def test_security_24_answering_a_quote_logs_no_personal_data(rep, settings, caplog) -> None:  # type: ignore[no-untyped-def]
    # given everything logged, down to DEBUG, and an SMTP server that is down
    caplog.set_level(logging.DEBUG)
    settings.MAILERS = smtp_mailers(free_port(), timeout=2)
    asking, accepting = (
        share_quote(rep, email="bo@client.test"),
        share_quote(rep, email=CLIENT_EMAIL),
    )
    browser = HttpClient(REMOTE_ADDR=CLIENT_IP)

    # when one client asks for changes, writes, then the other fails to accept once and
    # accepts, and a third quote is declined (each answer's emails fail and are retried)
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
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Outbox email" in logged
    for personal in (CLIENT_IP, CLIENT_NAME, CLIENT_EMAIL, "bo@client.test", rep.email):
        assert personal not in logged
