"""The migration that puts each chain's head on the quote row fills it from the events an
existing database already holds, so such a database verifies right after it (SECURITY.md 28)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from quotery.engagement.chain import head_signature, verify_quote_chain
from quotery.engagement.models import GENESIS_HASH, QuoteEvent
from quotery.engagement.tests.conftest import shared, visit
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote

BEFORE = [("quotes", "0002_delivery_note_cancel_and_quote_line")]
AFTER = [("quotes", "0003_quote_chain_head")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():  # type: ignore[no-untyped-def]
    """Later migrations exist: the tests after this one need the whole schema back."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_security_28_the_migration_fills_each_head_from_the_recorded_events(rep):
    # given a database with a shared, viewed quote and a quote never shared, as it stood
    # before heads were kept
    share = shared(rep)
    visit(share)
    draft = make_quote(owner=rep)
    migrate(BEFORE)

    # when it is migrated
    migrate(AFTER)

    # then the shared quote's head is its last event, signed; the draft's head is empty
    last = QuoteEvent.objects.filter(quote_id=share.quote_id).order_by("-sequence").first()
    assert last is not None and last.sequence == 3
    heads = dict(
        (pk, (length, last_hash, signature))
        for pk, length, last_hash, signature in Quote.objects.values_list(
            "pk", "chain_length", "chain_hash", "chain_signature"
        )
    )
    assert heads == {
        share.quote_id: (3, last.hash, head_signature(share.quote_id, 3, last.hash)),
        draft.pk: (0, GENESIS_HASH, ""),
    }
    assert verify_quote_chain(share.quote_id).ok
    assert verify_quote_chain(draft.pk).ok
