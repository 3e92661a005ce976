"""A DecimalField that never passes through float.

SQLite has no decimal type: Django stores DecimalField there with NUMERIC affinity, which
turns values into binary REAL. This field stores the exact decimal text on SQLite and a
NUMERIC column on PostgreSQL; Python code always sees `Decimal`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class ExactDecimalField(models.DecimalField):  # type: ignore[type-arg]
    def get_internal_type(self) -> str:
        # Not "DecimalField": that would make the SQLite backend convert values through float.
        return "ExactDecimalField"

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return "text"
        return f"numeric({self.max_digits}, {self.decimal_places})"

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        value = self.to_python(value)
        assert isinstance(value, Decimal)
        quantized = value.quantize(Decimal(1).scaleb(-self.decimal_places))
        if quantized != value:
            # Rounding here would change a number nobody looked at; rules and forms must
            # refuse such input first, so reaching this is a bug worth a loud failure.
            raise ValueError(
                f"{self.name}: {value} has more than {self.decimal_places} decimal places"
            )
        if connection.vendor == "sqlite":
            return f"{quantized:f}"
        return quantized

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return Decimal(str(value)) if not isinstance(value, Decimal) else value
