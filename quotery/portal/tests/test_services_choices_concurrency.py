"""Two tabs save the client's choices at the same moment on PostgreSQL: the link's choices
are read under the quote's lock, so a change is recorded once and the chain stays whole."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection, connections, transaction
from django.http import QueryDict
from django.utils import timezone

from quotery.core.exceptions import NotFound
from quotery.core.request_meta import RequestMeta
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.tests.tampering import verify
from quotery.portal.forms import choices_data_from_post
from quotery.portal.selectors import revision_content, share_choices_locked
from quotery.portal.services.choices import portal_choices_save
from quotery.portal.tests.portal_fixtures import share_options_quote
from quotery.quotes.locks import quote_lock
from quotery.sharing.models import PortalShare
from tests.concurrency import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and parallel writers are a PostgreSQL concern; SQLite's IMMEDIATE "
        "transactions admit one writer at a time",
    ),
]

META = RequestMeta(ip="203.0.113.9", user_agent="Browser")


def save(share_pk: int, form: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    """A job saving the options form `form` (as the page posts it) through the link."""

    def job() -> object:
        share = PortalShare.objects.select_related("quote").get(pk=share_pk)
        content = revision_content(share.quote).content
        data = choices_data_from_post(content, QueryDict(urlencode(form, doseq=True)))
        return portal_choices_save(share=share, data=data, meta=META, by_client=True)

    return job


def test_the_same_change_from_two_tabs_at_once_is_recorded_once(rep):
    shared = share_options_quote(rep)
    data = {"include": ["0.1"], "choose.1": "1.1", "quantity.0.2": "6.5"}

    _, errors = run_at_once([save(shared.share.pk, data)] * 2)

    assert errors == []
    events = QuoteEvent.objects.filter(quote_id=shared.quote.pk, kind=EventKind.OPTION_CHANGED)
    assert [event.data["change"] for event in events] == ["added"]
    assert "quote(s) verified." in verify()


def test_different_changes_at_once_each_chain_after_the_other(rep):
    shared = share_options_quote(rep)
    forms: list[dict[str, Any]] = [
        {"include": ["0.1"], "choose.1": "1.1", "quantity.0.2": "6.5"},
        {"choose.1": "1.0", "quantity.0.2": "6.5"},
        {"choose.1": "1.1", "quantity.0.2": "9"},
    ]

    _, errors = run_at_once([save(shared.share.pk, form) for form in forms])

    assert errors == []
    sequences = list(
        QuoteEvent.objects.filter(quote_id=shared.quote.pk).values_list("sequence", flat=True)
    )
    assert sequences == sorted(sequences) == list(range(1, len(sequences) + 1))
    assert QuoteEvent.objects.filter(kind=EventKind.OPTION_CHANGED).count() >= 3
    assert "quote(s) verified." in verify()


def test_a_link_revoked_while_the_change_waits_for_the_lock_is_refused(rep):
    shared = share_options_quote(rep)
    data = {"include": ["0.1"], "choose.1": "1.1", "quantity.0.2": "6.5"}
    holding, waiting = threading.Event(), threading.Event()

    def revoke_holding_the_lock() -> None:
        try:
            with transaction.atomic():
                quote_lock(shared.quote.pk)
                PortalShare.objects.filter(pk=shared.share.pk).update(revoked_at=timezone.now())
                holding.set()
                waiting.wait(timeout=30)
                time.sleep(0.3)  # the change below is now waiting for the lock
        finally:
            connections.close_all()

    revoker = threading.Thread(target=revoke_holding_the_lock)
    revoker.start()
    assert holding.wait(timeout=30)
    waiting.set()
    with pytest.raises(NotFound):
        save(shared.share.pk, data)()  # read the link as live before the lock: not decided on
    revoker.join(timeout=30)

    assert PortalShare.objects.get(pk=shared.share.pk).choices == ""
    assert not QuoteEvent.objects.filter(kind=EventKind.OPTION_CHANGED).exists()


def test_choices_saved_while_the_change_waits_for_the_lock_are_the_ones_it_compares_with(rep):
    shared = share_options_quote(rep)
    data = {"include": ["0.1"], "choose.1": "1.1", "quantity.0.2": "6.5"}
    holding, waiting = threading.Event(), threading.Event()

    def save_holding_the_lock() -> None:
        try:
            with transaction.atomic():
                quote_lock(shared.quote.pk)
                holding.set()
                waiting.wait(timeout=30)
                time.sleep(0.3)  # the change below is now waiting for the lock
                save(shared.share.pk, data)()  # the same change, saved first
        finally:
            connections.close_all()

    saver = threading.Thread(target=save_holding_the_lock)
    saver.start()
    assert holding.wait(timeout=30)
    waiting.set()
    save(shared.share.pk, data)()
    saver.join(timeout=30)

    events = QuoteEvent.objects.filter(quote_id=shared.quote.pk, kind=EventKind.OPTION_CHANGED)
    assert [event.data["change"] for event in events] == ["added"]  # once, not twice
    assert "quote(s) verified." in verify()


def test_the_locked_read_takes_the_quote_before_the_link(rep):
    # While another transaction holds the quote, the read waits for it without holding
    # the link's row: a revocation (the quote, then the link) cannot wait on it in turn.
    shared = share_options_quote(rep)
    share = PortalShare.objects.get(pk=shared.share.pk)
    holding, release = threading.Event(), threading.Event()

    def hold_the_quote() -> None:
        try:
            with transaction.atomic():
                quote_lock(shared.quote.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def read_locked() -> None:
        try:
            with transaction.atomic():
                share_choices_locked(share)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_quote)
    holder.start()
    assert holding.wait(timeout=30)
    reader = threading.Thread(target=read_locked)
    reader.start()
    time.sleep(0.3)  # the read is now waiting for the quote's lock
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM portal_portalshare WHERE id = %s FOR UPDATE NOWAIT", [share.pk]
            )
            assert cursor.fetchone() == (share.pk,)
    finally:
        release.set()
        holder.join(timeout=30)
        reader.join(timeout=30)
    assert not reader.is_alive()
