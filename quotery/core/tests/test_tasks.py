"""Database housekeeping: SQLite gets planner statistics; PostgreSQL keeps its own."""

from __future__ import annotations

import pytest
from django.db import connection

from quotery.core.tasks import refresh_planner_statistics
from quotery.quotes.factories import make_quote

pytestmark = pytest.mark.django_db


def test_sqlite_planner_statistics_are_written(rep) -> None:  # type: ignore[no-untyped-def]
    make_quote(owner=rep, sections=2, lines_per_section=3)

    ran = refresh_planner_statistics.call()

    if connection.vendor != "sqlite":
        assert ran is False
        return
    assert ran is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'quotes_line'")
        assert cursor.fetchone()[0] > 0
