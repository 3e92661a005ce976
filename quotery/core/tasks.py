"""Housekeeping of the database itself."""

from __future__ import annotations

from django.db import connection
from django.tasks import task

# Rows sampled per index: enough for the query planner, a few milliseconds on a large table.
ANALYSIS_LIMIT = 1000


@task
def refresh_planner_statistics() -> bool:
    """Refreshes SQLite's query planner statistics (ANALYZE, sampled); returns whether it ran.

    SQLite keeps no statistics until ANALYZE runs, and a migration that rebuilds a table drops
    them; without them it can pick a poor index for the Engagement page's range counts (about
    2.4 times slower over a million events). PostgreSQL's autovacuum keeps its own statistics,
    so there this does nothing. Enqueued daily by `manage.py run_scheduler` (and at its start).
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True
