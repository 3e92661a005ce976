"""Hand-written SQL gives back the same instances the ORM would, and writes the same rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quotery.core.rawsql import Columns, Insert, fetch_instances, prepared_cursor
from quotery.engagement.models import QuoteEvent
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote

pytestmark = pytest.mark.django_db

QUOTE_FIELDS = [f.name for f in Quote._meta.concrete_fields]


def test_rows_come_back_as_the_orm_would_load_them(rep) -> None:  # type: ignore[no-untyped-def]
    # given a quote with decimals, dates and date-times
    quote = make_quote(owner=rep, sections=2, lines_per_section=3)
    columns = Columns(Quote, QUOTE_FIELDS, "q")

    # when it is read by hand
    [(loaded,)] = fetch_instances(
        f"SELECT {columns.sql} FROM {Quote._meta.db_table} q WHERE q.id = %s",  # noqa: S608
        [quote.pk],
        columns,
    )

    # then every field equals, with the same Python types, what the ORM loads
    expected = Quote.objects.get(pk=quote.pk)
    for field in Quote._meta.concrete_fields:
        ours, orms = getattr(loaded, field.attname), getattr(expected, field.attname)
        assert ours == orms and type(ours) is type(orms), field.name
    assert loaded._state.adding is False and loaded._state.db == connection.alias


def test_rows_converted_in_bulk_equal_the_orms_values_and_keep_extra_columns(rep) -> None:  # type: ignore[no-untyped-def]
    quotes = [make_quote(owner=rep), make_quote(owner=rep, currency="JPY")]
    columns = Columns(Quote, QUOTE_FIELDS, "q")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql}, 'extra' FROM {Quote._meta.db_table} q ORDER BY q.id",  # noqa: S608
        )
        rows = columns.converted_rows(cursor.fetchall())

    expected = Quote.objects.order_by("id").values_list(*QUOTE_FIELDS)
    assert [row[:-1] for row in rows] == [list(values) for values in expected]
    for ours, orms in zip(rows, expected, strict=True):
        assert [type(v) for v in ours[:-1]] == [type(v) for v in orms]
    assert [row[-1] for row in rows] == ["extra"] * len(quotes)


def test_fields_left_out_load_on_first_use(rep) -> None:  # type: ignore[no-untyped-def]
    quote = make_quote(owner=rep)
    columns = Columns(Quote, ["id", "number"], "q")
    [(loaded,)] = fetch_instances(
        f"SELECT {columns.sql} FROM {Quote._meta.db_table} q WHERE q.id = %s",  # noqa: S608
        [quote.pk],
        columns,
    )
    assert loaded.title == quote.title


def test_insert_writes_the_row_the_orm_reads_back(rep) -> None:  # type: ignore[no-untyped-def]
    quote = make_quote(owner=rep)
    event = QuoteEvent(
        company_id=quote.company_id,
        quote_id=quote.pk,
        sequence=1,
        kind="link_opened",
        occurred_at=timezone.now(),
        recipient_email="anna@example.com",
        revision_number=2,
        user_agent="Agent/1.0",
        ip="2001:db8::1",
        data={"open": 3, "nested": {"a": [1, "b"]}},
        prev_hash="0" * 64,
        hash="1" * 64,
    )

    Insert(QuoteEvent).save(event)

    stored = QuoteEvent.objects.get(pk=event.pk)
    assert stored.canonical_fields() == event.canonical_fields()


def test_insert_many_writes_each_row_in_one_statement(rep) -> None:  # type: ignore[no-untyped-def]
    quote = make_quote(owner=rep)
    events = [
        QuoteEvent(
            company_id=quote.company_id,
            quote_id=quote.pk,
            sequence=sequence,
            kind="link_opened",
            occurred_at=timezone.now(),
            ip="203.0.113.7" if sequence == 1 else None,
            data={"pending": sequence},
            prev_hash=str(sequence - 1) * 64,
            hash=str(sequence) * 64,
        )
        for sequence in (1, 2, 3)
    ]

    with CaptureQueriesContext(connection) as queries:
        Insert(QuoteEvent).save_many(events, key="sequence")

    assert len(queries) == 1
    for event in events:
        stored = QuoteEvent.objects.get(pk=event.pk)
        assert stored.canonical_fields() == event.canonical_fields()


def test_a_prepared_cursor_gives_what_the_ordinary_one_gives(rep) -> None:  # type: ignore[no-untyped-def]
    quote = make_quote(owner=rep, sections=1, lines_per_section=1)
    sql = (
        f"SELECT id, title, created_at, total FROM {Quote._meta.db_table} "  # noqa: S608
        "WHERE id = %s AND title = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [quote.pk, quote.title])
        expected = cursor.fetchall()

    for _ in range(2):  # prepared once, then run by name
        with prepared_cursor() as cursor:
            cursor.execute(sql, [quote.pk, quote.title])
            assert cursor.fetchall() == expected


def test_the_query_log_shows_a_prepared_statement_with_its_parameters_in(rep) -> None:  # type: ignore[no-untyped-def]
    sql = f"SELECT id FROM {Quote._meta.db_table} WHERE title = %s"  # noqa: S608
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute(sql, ["Office fit-out"])
    assert [query["sql"] for query in queries] == [
        f"SELECT id FROM {Quote._meta.db_table} WHERE title = 'Office fit-out'"  # noqa: S608
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_postgresql_plans_a_prepared_statement_once_per_connection(rep) -> None:  # type: ignore[no-untyped-def]
    sql = f"SELECT id FROM {Quote._meta.db_table} WHERE id = %s"  # noqa: S608
    for pk in (1, 2, 3):
        with prepared_cursor() as cursor:
            cursor.execute(sql, [pk])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [f"SELECT id FROM {Quote._meta.db_table} WHERE id = $1%"],  # noqa: S608
        )
        assert cursor.fetchall() == [(sql.replace("%s", "$1"), 3)]
    # Django's own cursors still send their statements as text, unprepared.
    assert not Quote.objects.filter(title="Never prepared").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%Never prepared%"],
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"quotes_quote"."title" = $1%'],
        )
        assert cursor.fetchone() == (0,)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has nothing to prepare")
def test_elsewhere_a_prepared_cursor_is_the_ordinary_one() -> None:
    with prepared_cursor() as cursor, connection.cursor() as ordinary:
        assert type(cursor.cursor) is type(ordinary.cursor)
