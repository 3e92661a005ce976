"""Hand-written SQL for the hot paths: the client page, its view beacon and the event chain.

On these machines the ORM spends about 0.3 ms compiling each query, several times what
SQLite takes to run it, and the client page is served far more often than any other. The
few queries on that path are written here by hand, once, and their rows come back as real
model instances: `Model.from_db` with the converters the ORM itself would apply, so callers
cannot tell the difference. Fields left out are deferred and load on first access.
Inserts go through each field's `get_db_prep_save`, as the ORM's do.

On PostgreSQL these statements also run prepared (`prepared_cursor`): planning a join of
three or four tables costs the server about 0.25 ms each time, several times what running
it does; a prepared statement is parsed and planned once per connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Self

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models.base import ModelState

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]
Field = models.Field[Any, Any]


def _concrete(model: type[models.Model], name: str) -> Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, f"{name} is not a column"
    return field


def _column(field: Field) -> str:
    assert field.column is not None
    return field.column


def quoted_column(model: type[models.Model], name: str) -> str:
    """The column of the model's field `name`, quoted for this database's SQL."""
    return connection.ops.quote_name(_column(_concrete(model, name)))


# psycopg's preparing, which Django turns off (None) and which then refuses even
# prepare=True; any other threshold lets `prepared_cursor` ask for it.
NEVER_BY_COUNT = 2**31
_preparing_cursor: Callable[[Any], Any] | None = None


def _preparing_cursor_factory() -> Callable[[Any], Any]:
    """Makes, for a psycopg connection, a cursor with server-side binding (as Django's
    `ServerBindingCursor`) that prepares every statement (psycopg keeps a connection's most
    recent 100 and deallocates older ones), with the time zone Django's own cursors load
    date-times in."""
    global _preparing_cursor
    if _preparing_cursor is not None:
        return _preparing_cursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import Cursor
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    timestamptz = 1184

    class PreparingCursor(Cursor[Any]):
        def execute(
            self,
            query: Any,
            params: Any = None,
            *,
            prepare: bool | None = None,
            binary: bool | None = None,
        ) -> Self:
            super().execute(query, params, prepare=True, binary=binary)
            self._query = _Logged(self.connection, query, params)  # type: ignore[assignment]
            return self

    def make(database: Any) -> PreparingCursor:
        if database.prepare_threshold is None:
            # Only cursors with server-side binding read the threshold (Django's own are
            # client-side and never prepare): one never reached keeps it so for them all.
            database.prepare_threshold = NEVER_BY_COUNT
        cursor = PreparingCursor(database)
        loader: type[Loader] = database.adapters.get_loader(timestamptz, Format.TEXT)
        zone = connections[DEFAULT_DB_ALIAS].timezone
        if zone != getattr(loader, "timezone", None):  # as Django's create_cursor does
            register_tzloader(zone, cursor)
        return cursor

    _preparing_cursor = make
    return make


class _Logged:
    """What Django's query log (DEBUG, the tests' captured queries) reads of a statement
    psycopg has run: `cursor._query.query`, which psycopg sets only for statements sent as
    text and never reads itself. Here the SQL with its parameters in, as the client-side
    cursor would have sent it; made only when read."""

    def __init__(self, database: Any, sql: Any, params: Any) -> None:
        self.database, self.sql, self.params = database, sql, params

    @property
    def query(self) -> bytes:
        from psycopg import ClientCursor

        with ClientCursor(self.database) as cursor:
            return cursor.mogrify(self.sql, self.params).encode()


def prepared_cursor() -> CursorWrapper:
    """A cursor for the hand-written statements of the hot paths, used as
    `connection.cursor()` is (same checks, same wrapper: captured and logged alike). On
    PostgreSQL its statements are bound and prepared on the server, each parsed and
    planned once per connection: write them for server-side binding (a parameter's type
    must follow from where it stands: a column it is compared with or stored in). Elsewhere
    (SQLite) it is the ordinary cursor."""
    db = connections[DEFAULT_DB_ALIAS]  # `connection`, looked up once
    if db.vendor != "postgresql":
        return db.cursor()
    # What `connection.cursor()` does (BaseDatabaseWrapper._cursor), with our cursor.
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _preparing_cursor_factory()(db.connection)
        wrapped: CursorWrapper = db._prepare_cursor(raw)  # type: ignore[attr-defined]
        return wrapped


class Columns:
    """Some of a model's columns under a table alias: their SELECT list, and turning a slice
    of a result row back into a model instance."""

    def __init__(self, model: type[models.Model], names: Sequence[str], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = [_concrete(model, name) for name in names]
        self.attnames = [field.attname for field in self.fields]
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(_column(field))}" for field in self.fields)
        self._converters: dict[str, list[list[tuple[Converter, Any]]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def _converters_for(self, db: BaseDatabaseWrapper) -> list[list[tuple[Converter, Any]]]:
        cached = self._converters.get(db.vendor)
        if cached is None:
            cached = []
            for field in self.fields:
                column = field.get_col(self.alias)
                functions = db.ops.get_db_converters(column) + column.get_db_converters(db)
                cached.append([(function, column) for function in functions])
            self._converters[db.vendor] = cached
        return cached

    def converted_rows(self, rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """Whole result rows that start with these columns, those values as the ORM gives
        them and any further columns as they came; the converters are looked up once for
        all the rows, and columns without one are left alone."""
        db = connections[DEFAULT_DB_ALIAS]
        plan = [(i, found) for i, found in enumerate(self._converters_for(db)) if found]
        result = []
        for row in rows:
            values = list(row)
            for i, converters in plan:
                value = values[i]
                for function, column in converters:
                    value = function(value, column, db)
                values[i] = value
            result.append(values)
        return result

    def instance(self, values: Sequence[Any], db: BaseDatabaseWrapper = connection) -> Any:
        """The model instance of these column values, as `Model.from_db` makes it (columns
        left out are deferred), without running `Model.__init__` field by field: the
        values go straight into the instance's dict, as `__init__`'s setattr would put
        them. No model here has pre_init or post_init receivers (nor field descriptors that
        change a value on the way in), which is all `__init__` would add."""
        converted = []
        for value, converters in zip(values, self._converters_for(db), strict=True):
            for function, column in converters:
                value = function(value, column, db)
            converted.append(value)
        instance = self.model.__new__(self.model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = db.alias
        instance.__dict__.update(zip(self.attnames, converted, strict=True))
        return instance


def fetch_instances(sql: str, params: Sequence[Any], *parts: Columns) -> list[tuple[Any, ...]]:
    """Runs `sql`, whose SELECT list is the parts' columns in order, and returns one tuple
    of model instances per row. Prepared on PostgreSQL (`prepared_cursor`)."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = []
    for row in rows:
        start = 0
        instances = []
        for part in parts:
            instances.append(part.instance(row[start : start + len(part)]))
            start += len(part)
        result.append(tuple(instances))
    return result


PLAIN_TYPES = frozenset(
    {
        "CharField",
        "TextField",
        "IntegerField",
        "PositiveIntegerField",
        "BigIntegerField",
        "PositiveBigIntegerField",
        "SmallIntegerField",
        "PositiveSmallIntegerField",
        "ForeignKey",
    }
)


class Insert:
    """INSERT ... RETURNING pk for one model, for rows written on every request."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        meta = model._meta
        self.fields: list[Field] = [f for f in meta.concrete_fields if not f.primary_key]
        # Fields whose value goes to the database as it is (ints, strings, ids, or None):
        # `get_db_prep_save` would only hand the same value back.
        self.plain = [f.get_internal_type() in PLAIN_TYPES for f in self.fields]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(_column(f)) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        pk_column = meta.pk.column if meta.pk is not None else None
        assert pk_column is not None, f"{model.__name__} has no primary key column"
        # Table and column names come from the model; values are always parameters.
        self.head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
        self.row = f"({marks})"
        self.returning = f" RETURNING {quote(pk_column)}"
        self.sql = self.head + self.row + self.returning

    def _params(self, instance: models.Model) -> list[Any]:
        params = []
        for field, plain in zip(self.fields, self.plain, strict=True):
            value = getattr(instance, field.attname)
            if not (plain and (value is None or type(value) in (int, str))):
                value = field.get_db_prep_save(value, connection)
            params.append(value)
        return params

    @staticmethod
    def _saved(instance: models.Model, pk: Any) -> None:
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = connection.alias

    def save(self, instance: models.Model) -> models.Model:
        with prepared_cursor() as cursor:
            cursor.execute(self.sql, self._params(instance))
            row = cursor.fetchone()
        assert row is not None
        self._saved(instance, row[0])
        return instance

    def save_many(self, instances: Sequence[models.Model], *, key: str) -> None:
        """Inserts the instances in one statement. `key` names a field whose values tell
        the instances apart (the rows may come back from RETURNING in any order)."""
        if len(instances) == 1:
            self.save(instances[0])
            return
        sql, params = self.many(instances, key=key)
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        self.saved(instances, rows, key=key)

    def many(self, instances: Sequence[models.Model], *, key: str) -> tuple[str, list[Any]]:
        """The statement inserting the instances (returning each row's pk and `key`, a
        field whose values tell the instances apart) and its parameters: for a caller that
        runs it inside a larger statement, then hands the rows back to `saved`."""
        params = [value for instance in instances for value in self._params(instance)]
        column = quoted_column(self.model, key)
        sql = self.head + ", ".join([self.row] * len(instances)) + f"{self.returning}, {column}"
        return sql, params

    def saved(
        self, instances: Sequence[models.Model], rows: Sequence[Sequence[Any]], *, key: str
    ) -> None:
        """Marks the instances saved with the (pk, key) rows their insert returned."""
        by_key = {getattr(instance, key): instance for instance in instances}
        assert len(by_key) == len(instances), f"{key} does not tell the rows apart"
        assert len(rows) == len(instances)
        for pk, value in rows:
            self._saved(by_key[value], pk)
