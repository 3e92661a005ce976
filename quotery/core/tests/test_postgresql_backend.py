"""The PostgreSQL backend asks a connection's health (`SELECT 1`) only after a pause: not
right after a request used it, and a connection the server dropped meanwhile is replaced
before the next request's first query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.db import connection, connections

from quotery.core.postgresql.base import CHECK_AFTER_IDLE_SECONDS

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker_connection() -> Iterator[Any]:
    """A connection of its own, as a server's worker keeps one, counting its checks."""
    own = cast(Any, connections.create_connection("default"))
    own.checks = 0
    asked = own.is_usable

    def counted() -> bool:
        own.checks += 1
        return bool(asked())

    own.is_usable = counted
    yield own
    own.close()


def request(own: Any, sql: str = "SELECT 2") -> Any:
    """What a request does to the connection: Django's start and end of request around
    one query (the signals call close_if_unusable_or_obsolete)."""
    own.close_if_unusable_or_obsolete()
    try:
        with own.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    finally:
        own.close_if_unusable_or_obsolete()


def test_a_connection_used_a_moment_ago_is_not_asked_again(worker_connection: Any) -> None:
    assert request(worker_connection) == 2  # connects: nothing to check yet
    request(worker_connection)
    request(worker_connection)
    assert worker_connection.checks == 0


def test_a_connection_idle_for_a_while_is_asked_before_its_next_query(
    worker_connection: Any,
) -> None:
    request(worker_connection)
    worker_connection.used_at -= CHECK_AFTER_IDLE_SECONDS + 0.5
    assert request(worker_connection) == 2
    assert worker_connection.checks == 1
    request(worker_connection)  # just used again
    assert worker_connection.checks == 1


def test_a_connection_the_server_dropped_during_a_pause_is_replaced(
    worker_connection: Any,
) -> None:
    request(worker_connection)
    dropped = worker_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    worker_connection.used_at -= CHECK_AFTER_IDLE_SECONDS + 0.5

    assert request(worker_connection, "SELECT 3") == 3
    assert worker_connection.connection.info.backend_pid != dropped


def test_after_a_database_error_the_next_request_starts_on_a_checked_connection(
    worker_connection: Any,
) -> None:
    request(worker_connection)
    with pytest.raises(Exception, match="no_such_table"):
        request(worker_connection, "SELECT * FROM no_such_table")
    assert worker_connection.checks == 1  # Django's own check as that request ended
    assert request(worker_connection) == 2
