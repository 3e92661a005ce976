"""SECURITY.md 20 for the acceptance emails: SMTP down means delayed mail, never lost mail.
A worker killed before the mail server accepted the message delivers it later exactly once;
a worker killed after the server accepted it (250 to the end of DATA) and before it wrote
the row down sends a second copy with the same Message-ID, the dedupe key a receiving
client drops the duplicate by: at-least-once delivery, never a lost email.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.acceptance.quote_accept, quotery.notifications.tasks.deliver_due_emails,
quotery.notifications.delivery.outbox_due_ids,
quotery.notifications.delivery.outbox_email_deliver, quotery.portal.emails.layout.message_id
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from quotery.notifications.delivery import (
    CLAIM_TIMEOUT,
    outbox_due_ids,
    outbox_email_deliver,
)
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.tasks import deliver_due_emails
from quotery.portal.emails.layout import message_id
from quotery.portal.tests.portal_fixtures import Shared, accept_shared, share_quote
from quotery.quotes.models import QuoteState
from quotery.sharing.models import Acceptance, PortalShare
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
def stalling_smtp() -> Iterator[Callable[..., tuple[StallingInbox, int]]]:
    """stalling_smtp(stall_in) starts an SMTP server that hangs in DATA or in QUIT."""
    from aiosmtpd.controller import Controller

    started: list[tuple[StallingInbox, Controller]] = []

    def start(stall_in: Literal["DATA", "QUIT"] = "DATA") -> tuple[StallingInbox, int]:
        inbox = StallingInbox(stall_in=stall_in)
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append((inbox, controller))
        return inbox, port

    yield start
    for inbox, controller in started:
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
from quotery.notifications.delivery import outbox_email_deliver
print("worker status:", outbox_email_deliver(email_id={email_id}), flush=True)
"""
FROM = "quotes@quotery.example"


def start_worker(email_id: int, smtp_port: int) -> subprocess.Popen[bytes]:
    """A worker process delivering one outbox email, with the test's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DEFAULT_FROM_EMAIL": FROM,
    }
    return subprocess.Popen(  # noqa: S603 (our own manage.py with our interpreter)
        [sys.executable, "manage.py", "shell", "-c", WORKER.format(email_id=email_id)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def kill_worker_when_stalled(email_id: int, inbox: StallingInbox, port: int) -> None:
    """Starts a worker on one outbox email and kills it (SIGKILL: no cleanup of any kind)
    once the server hangs where `inbox` stalls."""
    worker = start_worker(email_id, port)
    try:
        deadline = time.monotonic() + 30
        while not inbox.stalled.wait(0.1):
            if worker.poll() is not None or time.monotonic() > deadline:
                output = worker.stdout.read().decode() if worker.stdout else ""
                pytest.fail(f"the worker never reached {inbox.stall_in}: {output}")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert worker.returncode == -signal.SIGKILL
    inbox.stalling = False
    inbox.release.set()


def test_security_20_a_worker_killed_mid_send_delivers_later_exactly_once(
    shared: Shared, settings, stalling_smtp
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = stalling_smtp("DATA")
    # given an acceptance whose emails wait for the worker (no worker runs on commit here)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    acceptance = accept_shared(shared)
    rep_email = OutboxEmail.objects.get(kind="acceptance_rep")
    assert rep_email.status == EmailStatus.PENDING

    # when a worker process sends it and dies (SIGKILL) while the server holds the message
    # but has not answered DATA
    kill_worker_when_stalled(rep_email.pk, inbox, port)

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


def expected_message_id(dedupe_key: str) -> str:
    """The Message-ID the outbox row with this key carries: 32 hex digits of the key's
    SHA-256 at the sender's domain."""
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@quotery.example>"


def body_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_security_20_a_worker_killed_after_250_resends_once_with_the_same_message_id(
    shared: Shared, settings, stalling_smtp
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = stalling_smtp("QUIT")
    # given an acceptance whose emails wait for the worker (no worker runs on commit here)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.DEFAULT_FROM_EMAIL = FROM
    acceptance = accept_shared(shared)
    rep_email = OutboxEmail.objects.get(kind="acceptance_rep")
    rep_id = expected_message_id(f"acceptance_rep:{acceptance.pk}")
    client_id = expected_message_id(f"acceptance_client:{acceptance.pk}")

    # when a worker process sends it, the server answers 250 to the end of DATA, and the
    # worker dies (SIGKILL) before it writes the row down: it has read the 250 (it sent
    # QUIT) and waits for the server's goodbye
    kill_worker_when_stalled(rep_email.pk, inbox, port)

    # then the server has the message, once
    assert [d.rcpt_tos for d in inbox.deliveries] == [[shared.quote.owner.email]]
    assert message_ids(inbox.messages) == [rep_id]
    # and the row still says the dead worker is sending it, with no attempt counted
    rep_email.refresh_from_db()
    assert rep_email.status == EmailStatus.SENDING
    assert rep_email.claimed_at is not None
    assert (rep_email.attempts, rep_email.sent_at) == (0, None)
    # and while the claim is fresh no other worker sends it (it could still be in flight)
    settings.MAILERS = smtp_mailers(port, timeout=5)
    assert rep_email.pk not in outbox_due_ids()
    assert outbox_email_deliver(email_id=rep_email.pk) == EmailStatus.SENDING
    assert len(inbox.deliveries) == 1

    # when the claim has timed out and the worker rounds run (the second sends nothing)
    later = timezone.now() + CLAIM_TIMEOUT + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert rep_email.pk in outbox_due_ids()
        assert deliver_due_emails.call() == 2  # the rep's email again, the client's first
        assert deliver_due_emails.call() == 0

    # then the rep has two copies with the same Message-ID, the client one: a receiving
    # client that drops duplicates by Message-ID shows each email once
    assert sorted(message_ids(inbox.messages)) == sorted([rep_id, rep_id, client_id])
    first, second = [m for m in inbox.messages if m["Message-ID"] == rep_id]
    for header in ("From", "To", "Subject"):
        assert str(first[header]) == str(second[header]), header
    assert body_text(first) == body_text(second)
    assert [d.rcpt_tos for d in inbox.deliveries].count([shared.quote.owner.email]) == 2
    # and the row is sent, with the one attempt it recorded
    rep_email.refresh_from_db()
    assert (rep_email.status, rep_email.attempts, rep_email.claimed_at) == (
        EmailStatus.SENT,
        1,
        None,
    )
    assert {row.status for row in acceptance_rows()} == {EmailStatus.SENT}
