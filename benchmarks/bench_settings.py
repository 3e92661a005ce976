"""Settings for the portal load benchmark: production-like (DEBUG off, persistent
connections, WhiteNoise), SQLite in WAL mode on a file under var/bench/ (or the database
BENCH_DATABASE_URL names, e.g. PostgreSQL), and a URL conf that adds a bare template page to
compare against."""

import os

from config.env import VAR_DIR, database_config
from config.settings.base import *  # noqa: F403

DEBUG = False
BENCH_DIR = VAR_DIR / "bench"
BENCH_DIR.mkdir(parents=True, exist_ok=True)
if os.environ.get("BENCH_DATABASE_URL"):
    DATABASES["default"] = database_config(os.environ["BENCH_DATABASE_URL"])  # noqa: F405
else:
    DATABASES["default"]["NAME"] = BENCH_DIR / "portal.sqlite3"  # noqa: F405
ROOT_URLCONF = "benchmarks.bench_urls"
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates", BASE_DIR / "benchmarks" / "templates"]  # noqa: F405
TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
# The limiter still runs (its queries are part of the cost); one load generator on one
# address must not be throttled by it.
PORTAL_RATE_LIMITS = {
    name: (10**9, 600)
    for name in (
        "not_found_per_ip",
        *(
            f"{kind}_{scope}"
            for kind in ("view", "message", "answer", "accept", "attention", "choice")
            for scope in ("per_ip", "per_link_ip")
        ),
        "attention_per_view",
    )
}
LOGGING = {
    **LOGGING,  # noqa: F405
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
# The API's per-key limit still runs (its upsert is part of each request's cost); the
# benchmark's one key must not be throttled by it.
API_RATE_LIMIT = (10**9, 60)
