"""Opens recorded without the chain, then chained: exactly once, whatever races or crashes.

A page GET inserts a pending open and answers; the view beacon chains the quote's waiting
opens and its view in one transaction under the quote's row lock; reads of the log chain
what waits. Real processes killed with SIGKILL at the moments that matter, and real
threads racing (PostgreSQL; SQLite admits one writer at a time):

- killed right after the page's open was recorded: the open is there (it committed before
  the response);
- killed inside a fold, before its commit: nothing chained, nothing lost; the next fold
  chains each open once;
- killed right after the beacon's service returned (its response would follow): the view
  and its open are in the chain;
- beacons and folds racing on one quote: each open chained once, one view per open, the
  chain verifies.

Exercises: quotery.engagement.pending_opens.pending_open_insert,
quotery.engagement.chain.pending_opens_fold, quotery.engagement.chain.append_events,
quotery.engagement.events.event_link_opened_pending,
quotery.engagement.events.event_pending_open_viewed,
quotery.portal.services.sharing.portal_open_record_pending,
quotery.portal.services.sharing.portal_view_confirm
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from quotery.engagement.chain import pending_opens_fold, verify_quote_chain
from quotery.engagement.models import EventKind, PendingOpen, QuoteEvent
from quotery.portal.services.sharing import portal_open_record_pending, portal_view_confirm
from quotery.portal.tests.portal_fixtures import CLIENT_META, share_quote
from quotery.portal.view_confirmation import view_token_for
from quotery.quotes.locks import quote_chain_head
from quotery.sharing.models import PortalShare
from tests.concurrency import run_at_once
from tests.reliability.test_outbox_outage import database_url

# Committed rows: the killed process (another process) sees them in the test database.
pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(django_settings.BASE_DIR)

# The child does its step, says so, and is killed by the kernel before anything else runs
# (SIGKILL: no cleanup, no rollback by Python, the connection just drops).
CHILD = """
import os, signal, sys
from django.db import transaction
from quotery.core.request_meta import RequestMeta
from quotery.engagement.chain import pending_opens_fold
from quotery.portal.services.sharing import portal_open_record_pending, portal_view_confirm
from quotery.sharing.models import PortalShare
share = PortalShare.objects.select_related("quote__company").get(pk={share})
meta = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0")
step = "{step}"
if step == "open":
    print("pending", portal_open_record_pending(share=share, meta=meta), flush=True)
elif step == "fold":
    with transaction.atomic():
        print("folded", pending_opens_fold(share.quote_id), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
elif step == "beacon":
    print("counted", portal_view_confirm(share=share, view_token="{token}", meta=meta), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def killed_after(step: str, share: PortalShare, token: str = "") -> str:
    """Runs `step` in a fresh process on the test database, which kills itself with
    SIGKILL right after the step (inside the fold's transaction, for "fold"); returns
    what it printed."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
    }
    code = CHILD.format(share=share.pk, step=step, token=token)
    child = subprocess.run(  # noqa: S603 (our own manage.py with our interpreter)
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    return child.stdout


def loaded(share: PortalShare) -> PortalShare:
    return PortalShare.objects.select_related("quote__company").get(pk=share.pk)


def chained_kinds(quote_id: int) -> list[str]:
    return list(
        QuoteEvent.objects.filter(quote_id=quote_id)
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


def test_an_open_is_kept_when_the_server_dies_right_after_recording_it(rep):
    share = loaded(share_quote(rep).share)

    printed = killed_after("open", share)

    pending = int(printed.split()[-1])
    assert list(PendingOpen.objects.values_list("pk", flat=True)) == [pending]


def test_a_fold_killed_before_its_commit_chains_nothing_and_loses_nothing(rep):
    # given two opens waiting
    share = loaded(share_quote(rep).share)
    waiting = [portal_open_record_pending(share=share, meta=CLIENT_META) for _ in range(2)]
    head = quote_chain_head(share.quote_id)
    before = chained_kinds(share.quote_id)

    # when a process folds them and dies before its transaction commits
    assert "folded 2" in killed_after("fold", share)

    # then the chain and its head are as they were, and both opens still wait
    assert chained_kinds(share.quote_id) == before
    assert quote_chain_head(share.quote_id) == head
    assert sorted(PendingOpen.objects.values_list("pk", flat=True)) == waiting
    # and the next fold chains each exactly once
    assert pending_opens_fold(share.quote_id) == 2
    assert chained_kinds(share.quote_id) == [*before, EventKind.LINK_OPENED, EventKind.LINK_OPENED]
    assert verify_quote_chain(share.quote_id).ok


def test_a_view_is_kept_when_the_server_dies_right_after_the_beacon(rep):
    # given a client's open waiting, and its page's token
    share = loaded(share_quote(rep).share)
    pending = portal_open_record_pending(share=share, meta=CLIENT_META)
    token = view_token_for(share=share, pending_open=pending)

    # when the beacon's service returns and the process dies before anything else
    assert "counted True" in killed_after("beacon", share, token)

    # then the open and its view are in the chain, and the open no longer waits
    assert chained_kinds(share.quote_id)[-2:] == [EventKind.LINK_OPENED, EventKind.QUOTE_VIEWED]
    assert not PendingOpen.objects.exists()
    assert verify_quote_chain(share.quote_id).ok


def test_racing_beacons_and_folds_chain_each_open_once_and_count_one_view_per_open(rep):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and parallel writers: PostgreSQL")
    # given six opens of one quote waiting, each with its page's token
    share = loaded(share_quote(rep).share)
    opens = [portal_open_record_pending(share=share, meta=CLIENT_META) for _ in range(6)]
    tokens = [view_token_for(share=share, pending_open=pending) for pending in opens]
    before = quote_chain_head(share.quote_id).length

    def beacon(token: str) -> object:
        return portal_view_confirm(share=loaded(share), view_token=token, meta=CLIENT_META)

    # when every beacon arrives twice, at once, while two reads of the log fold
    def fold() -> object:
        return pending_opens_fold(share.quote_id)

    jobs: list[Callable[[], object]] = [
        functools.partial(beacon, token) for token in tokens for _ in range(2)
    ]
    jobs += [fold, fold]
    results, errors = run_at_once(jobs)

    # then each open is chained once and counted once; the chain verifies
    assert errors == []
    assert results.count(True) == 6
    rows = list(QuoteEvent.objects.filter(quote_id=share.quote_id, sequence__gt=before))
    opened = sorted(row.data["pending"] for row in rows if row.kind == EventKind.LINK_OPENED)
    confirmed = sorted(
        row.confirmed_open or 0 for row in rows if row.kind == EventKind.QUOTE_VIEWED
    )
    assert opened == sorted(opens)
    assert len(confirmed) == len(set(confirmed)) == 6
    assert not PendingOpen.objects.exists()
    assert verify_quote_chain(share.quote_id).ok
