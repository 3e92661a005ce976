"""Adding up quote totals in the database without a binary float in between."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from quotery.core.money import round_money
from quotery.quotes.models import Quote

# The money columns' decimal places (`quotery.quotes.models.money_field`).
PLACES = Quote._meta.get_field("total").decimal_places


def money_thousandths_sql(column: str) -> str:
    """SQL for a money column as a whole number of its smallest stored unit (thousandths),
    exact on both databases: PostgreSQL's NUMERIC scaled; SQLite's stored decimal text
    (`ExactDecimalField` writes every value with all its places, "1234.500") without its
    point. Summing these never goes through a binary float, as SUM over SQLite's text
    would (DESIGN.md: money is Decimal, never float)."""
    if connection.vendor == "postgresql":
        return f"CAST({column} * {10**PLACES} AS BIGINT)"
    return f"CAST(REPLACE({column}, '.', '') AS INTEGER)"


def thousandths_money(amount: int, currency: str) -> Decimal:
    """A sum of `money_thousandths_sql` values as money in `currency` (core.money's
    rounding: half-up to the currency's minor unit)."""
    return round_money(Decimal(amount).scaleb(-PLACES), currency)
