"""The test database as a URL, for the processes a test starts (gunicorn, workers, schedulers),
which read DATABASE_URL as a deployment does."""

from __future__ import annotations

import urllib.parse

from django.db import connection


def database_url() -> str:
    """The database this test runs on (SQLite file or PostgreSQL), as DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(str(db.get("USER") or ""))
    password = urllib.parse.quote(str(db.get("PASSWORD") or ""))
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{db['NAME']}"
