"""The quote row lock (quotery.quotes.locks): taken inside a transaction, on the quote's row
and nothing else, and read together with the chain head in one query on every append."""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

import quotery
from quotery.core.request_meta import RequestMeta
from quotery.portal.services.sharing import portal_open_record, share_send
from quotery.quotes.factories import make_quote
from quotery.quotes.locks import quote_chain_head, quote_lock, quote_lock_chain_head
from quotery.quotes.models import EMPTY_CHAIN_HASH, Quote
from quotery.quotes.services.quotes import quote_cancel, quote_mark_sent, quote_update
from quotery.quotes.tests.conftest import quote_input

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL concern"
)


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_refused_outside_a_transaction(rep) -> None:  # type: ignore[no-untyped-def]
    # given a quote and no transaction open (where a row lock would end with its statement)
    quote = make_quote(owner=rep)

    # then neither the lock nor the locked head read runs
    with pytest.raises(RuntimeError):
        quote_lock(quote.pk)
    with pytest.raises(RuntimeError):
        quote_lock_chain_head(quote.pk)


@pytest.mark.django_db
def test_a_missing_quote_has_no_head(rep) -> None:  # type: ignore[no-untyped-def]
    # given a quote that is gone
    quote = make_quote(owner=rep)
    missing = quote.pk
    Quote.objects.filter(pk=missing).delete()

    # then reading its head, locked or not, says so
    with pytest.raises(Quote.DoesNotExist):
        quote_chain_head(missing)
    with transaction.atomic(), pytest.raises(Quote.DoesNotExist):
        quote_lock_chain_head(missing)


@pytest.mark.django_db
def test_an_append_locks_and_reads_the_head_in_one_query(rep) -> None:  # type: ignore[no-untyped-def]
    # given a shared quote (one event so far)
    quote = make_quote(owner=rep)
    share = share_send(quote=quote, user=rep, recipient_name="Anna", recipient_email="a@x.test")
    assert quote_chain_head(quote.pk).length == 1

    # when the client page records an open
    with CaptureQueriesContext(connection) as queries:
        portal_open_record(share=share, meta=RequestMeta(ip="203.0.113.7", user_agent="t"))

    # then it locks the row and reads the head at once, moves the head, inserts the event,
    # and counts it in the Engagement page's hourly rollups (an open is none of the kinds
    # the per-quote rollup counts, so that one is not written)
    # (on PostgreSQL the head's move, the insert and the rollups are one statement)
    writes = [
        "UPDATE quotes_quote SET chain_length = 2",
        'INSERT INTO "engagement_quoteevent" ("co',
        "INSERT INTO engagement_eventrollup (comp",
        "INSERT INTO engagement_companyeventrollu",
    ]
    statements = [query["sql"] for query in queries.captured_queries]
    assert statements[0][:40] == "SELECT chain_length, chain_hash, chain_s"
    if connection.vendor == "postgresql":
        assert statements[0].endswith(f"WHERE id = {quote.pk} FOR UPDATE")
        (together,) = statements[1:]
        assert together.startswith("WITH head AS (UPDATE quotes_quote SET ch")
        assert [write in together for write in writes] == [True] * len(writes)
        assert "engagement_quoterollup" not in together
    else:
        assert statements[0].endswith(f"WHERE id = {quote.pk}")
        assert [statement[:40] for statement in statements[1:]] == writes
    head = quote_chain_head(quote.pk)
    assert (head.length, head.last_hash != EMPTY_CHAIN_HASH) == (2, True)


def other_connection_can_lock(table: str, pk: int) -> bool:
    """Whether another connection could lock the row right now (NOWAIT: never waits)."""
    result: list[bool] = []

    def probe() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608
                result.append(cursor.fetchone() is not None)
        except DatabaseError:
            result.append(False)
        finally:
            connections.close_all()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=60)
    return result == [True]


def edit(quote: Quote) -> None:
    quote_update(quote=quote, data=quote_input(quote.client, title="Edited"), user=quote.owner)


def send(quote: Quote) -> None:
    quote_mark_sent(quote=quote, user=quote.owner)


def cancel(quote: Quote) -> None:
    quote_cancel(quote=quote, user=quote.owner)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", [edit, send, cancel], ids=["update", "mark_sent", "cancel"])
def test_a_quote_service_locks_the_quote_row_and_not_its_company_client_or_owner(
    rep, change: Callable[[Quote], None]
) -> None:  # type: ignore[no-untyped-def]
    # given a quote
    quote = Quote.objects.select_related("client", "owner").get(pk=make_quote(owner=rep).pk)

    # when a service changes it, inside a transaction still open
    with transaction.atomic():
        change(quote)

        # then the quote's row is locked, and the rows read with it are not
        assert not other_connection_can_lock("quotes_quote", quote.pk)
        assert other_connection_can_lock("accounts_company", quote.company_id)
        assert other_connection_can_lock("clients_client", quote.client_id)
        assert other_connection_can_lock("accounts_user", quote.owner_id)

    # and the lock ends with the transaction
    assert other_connection_can_lock("quotes_quote", quote.pk)


def row_locks_in(tree: ast.Module) -> list[str]:
    """The SQL strings that say FOR UPDATE (docstrings left out), and the ORM row locks
    taken on Quote (`Quote.objects.select_for_update()`), in one module."""
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and "FOR UPDATE" in node.value.upper()
        ):
            found.append("FOR UPDATE")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "select_for_update"
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "Quote"
        ):
            found.append("Quote.objects.select_for_update")
    return found


def test_the_lock_module_is_the_only_code_that_locks_a_quote_row() -> None:
    # given every module of the application (tests and migrations left out)
    root = Path(quotery.__file__).parent
    modules = [
        path
        for path in sorted(root.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
    ]

    # when each is searched for row locks on a quote
    found = {
        path.relative_to(root.parent).as_posix(): locks
        for path in modules
        if (locks := row_locks_in(ast.parse(path.read_text())))
    }

    # then only quotery/quotes/locks.py writes one (the plain lock, the clause a locked
    # read of a quote and its rows ends with, and the locked head read)
    assert found == {"quotery/quotes/locks.py": ["FOR UPDATE", "FOR UPDATE", "FOR UPDATE"]}
