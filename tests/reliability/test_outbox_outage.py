"""SECURITY.md 20 for the acceptance emails: SMTP down means delayed mail, never lost mail,
and a worker killed while the mail server holds the message still delivers it exactly once
per dedupe key."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.services import (
    CLAIM_TIMEOUT,
    outbox_due_ids,
    outbox_email_deliver,
)
from quotery.notifications.tasks import deliver_due_emails
from quotery.portal.emails.layout import message_id
from quotery.portal.models import Acceptance, PortalShare
from quotery.portal.tests.portal_fixtures import Shared, accept_shared, share_quote
from quotery.quotes.models import QuoteState
from tests.network import free_port, smtp_mailers
from tests.reliability.stalling_smtp import StallingInbox

# transaction=True: the rows are committed, so the killed worker (another process) sees them
# in the test database, a file on SQLite or a database on the PostgreSQL server.
pytestmark = pytest.mark.django_db(transaction=True)

KINDS = ("acceptance_rep", "acceptance_client")
BASE_DIR = Path(django_settings.BASE_DIR)


def acceptance_rows() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind__in=KINDS).order_by("kind"))


def message_ids(messages) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message["Message-ID"]) for message in messages]


@pytest.fixture
def shared(rep, settings) -> Shared:  # type: ignore[no-untyped-def]
    """A shared quote; its share email has gone out (to memory) before the test begins."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    return share_quote(rep, products=[None, None])


@pytest.fixture
def stalling_smtp() -> Iterator[tuple[StallingInbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = StallingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    inbox.release.set()
    controller.stop()


def test_security_20_smtp_down_during_acceptance_delays_the_mail_and_loses_none(
    shared: Shared, settings
) -> None:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    # given the mail server is down (nothing listens on its port)
    port = free_port()
    settings.MAILERS = smtp_mailers(port, timeout=2)

    # when the client accepts (the commit tries to send at once, as the worker would)
    acceptance = accept_shared(shared)

    # then the acceptance stands, and both emails wait in the outbox with the error noted
    assert Acceptance.objects.filter(pk=acceptance.pk).exists()
    assert shared.quote.__class__.objects.get(pk=shared.quote.pk).state == QuoteState.CLOSED
    rows = acceptance_rows()
    assert [row.kind for row in rows] == ["acceptance_client", "acceptance_rep"]
    for row in rows:
        assert row.status == EmailStatus.PENDING
        assert row.attempts == 1
        assert "Connection" in row.last_error or "refused" in row.last_error.lower()
        assert row.next_attempt_at > timezone.now()
        assert row.sent_at is None

    # and nothing is due again before its retry time
    assert not set(outbox_due_ids()) & {row.pk for row in rows}

    # when the mail server is back and the retry time has come
    inbox = StallingInbox()
    inbox.stalling = False
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        OutboxEmail.objects.filter(status=EmailStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )
        deliver_due_emails.call()
        deliver_due_emails.call()  # a second worker round sends nothing again

        # then each acceptance email arrived exactly once
        ids = message_ids(inbox.wait_for(2))
        time.sleep(0.2)
        ids = message_ids(inbox.messages)
    finally:
        controller.stop()
    for kind in KINDS:
        assert ids.count(message_id(f"{kind}:{acceptance.pk}")) == 1, ids
    assert len(ids) == 2
    assert {row.status for row in acceptance_rows()} == {EmailStatus.SENT}
    client_mail = next(
        m
        for m in inbox.messages
        if m["Message-ID"] == message_id(f"acceptance_client:{acceptance.pk}")
    )
    assert [a.get_content_type() for a in client_mail.iter_attachments()] == ["application/pdf"]


def database_url() -> str:
    """The test database, as the child process's settings read it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(str(db.get("USER") or ""))
    password = urllib.parse.quote(str(db.get("PASSWORD") or ""))
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{db['NAME']}"


WORKER = """
from quotery.notifications.services import outbox_email_deliver
print("worker status:", outbox_email_deliver(email_id={email_id}), flush=True)
"""


def start_worker(email_id: int, smtp_port: int) -> subprocess.Popen[bytes]:
    """A worker process delivering one outbox email, with the test's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    return subprocess.Popen(  # noqa: S603 (our own manage.py with our interpreter)
        [sys.executable, "manage.py", "shell", "-c", WORKER.format(email_id=email_id)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_security_20_a_worker_killed_mid_send_delivers_later_exactly_once(
    shared: Shared, settings, stalling_smtp
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = stalling_smtp
    # given an acceptance whose emails wait for the worker (no worker runs on commit here)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    acceptance = accept_shared(shared)
    rep_email = OutboxEmail.objects.get(kind="acceptance_rep")
    assert rep_email.status == EmailStatus.PENDING

    # when a worker process sends it and dies (SIGKILL) while the server holds the message
    # but has not answered DATA
    worker = start_worker(rep_email.pk, port)
    try:
        deadline = time.monotonic() + 30
        while not inbox.in_data.wait(0.1):
            if worker.poll() is not None or time.monotonic() > deadline:
                output = worker.stdout.read().decode() if worker.stdout else ""
                pytest.fail(f"the worker never reached DATA: {output}")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert worker.returncode == -signal.SIGKILL
    inbox.stalling = False

    # then the row stays claimed by the dead worker and nothing was accepted by the server
    rep_email.refresh_from_db()
    assert rep_email.status == EmailStatus.SENDING and rep_email.claimed_at is not None
    assert inbox.messages == []
    # and while the claim is fresh no other worker sends it (it could still be in flight)
    settings.MAILERS = smtp_mailers(port, timeout=5)
    assert rep_email.pk not in outbox_due_ids()
    assert outbox_email_deliver(email_id=rep_email.pk) == EmailStatus.SENDING
    assert inbox.messages == []

    # when the claim has timed out, the next worker round sends it
    OutboxEmail.objects.filter(pk=rep_email.pk).update(
        claimed_at=timezone.now() - CLAIM_TIMEOUT - dt.timedelta(seconds=1)
    )
    assert rep_email.pk in outbox_due_ids()
    deliver_due_emails.call()
    deliver_due_emails.call()

    # then the server has exactly one copy per dedupe key
    ids = message_ids(inbox.wait_for(2))
    time.sleep(0.2)
    ids = message_ids(inbox.messages)
    for kind in KINDS:
        assert ids.count(message_id(f"{kind}:{acceptance.pk}")) == 1, ids
    assert len(ids) == 2
    rep_email.refresh_from_db()
    assert rep_email.status == EmailStatus.SENT and rep_email.claimed_at is None
    assert PortalShare.objects.filter(pk=shared.share.pk, revoked_at__isnull=True).exists()
