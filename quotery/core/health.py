"""`/healthz` and `/readyz`, the probes of a proxy or an orchestrator.

- `/healthz`: the process is up and answers. It touches nothing else (no database).
- `/readyz`: the process can serve: the database answers, every migration is applied, and the
  default storage answers `exists()` for a fixed key (on S3, and its bucket exists). 200 when
  all three hold, otherwise 503 with one short line per failed check.

Probes come with the machine's address as Host (nginx and orchestrators probe an upstream
that way), so this middleware sits first in MIDDLEWARE and answers exactly these two paths
before anything reads the Host: ALLOWED_HOSTS stays closed for every other path. It does no
session, CSRF or authentication work, so no rate limiter counts a probe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("quotery.health")

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# The key the storage probe asks about; it need not exist, the storage only has to answer.
STORAGE_PROBE_KEY = "health/readyz-probe"
PROBE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class HealthCheckMiddleware:
    """Answers the two probe paths; every other request passes on untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Once every migration was applied, it stays so for this process: a new release's
        # migrations run before its processes start. Planning them on each probe is costly.
        self.migrations_applied = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path not in {HEALTH_PATH, READY_PATH}:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            response = probe_response(request, 405, "GET or HEAD only\n")
            response["Allow"] = "GET, HEAD"
            return response
        if path == HEALTH_PATH:
            return probe_response(request, 200, "ok\n")
        failures = self.readiness_failures()
        if failures:
            return probe_response(request, 503, "".join(f"{line}\n" for line in failures))
        return probe_response(request, 200, "ready\n")

    def readiness_failures(self) -> list[str]:
        """One short line per check that failed; empty when the process is ready."""
        failures = []
        database = database_failure()
        if database:
            failures += [database, "migrations: not checked, the database does not answer"]
        elif not self.migrations_applied:
            migrations = migrations_failure()
            if migrations:
                failures.append(migrations)
            else:
                self.migrations_applied = True
        storage = storage_failure()
        if storage:
            failures.append(storage)
        return failures


def probe_response(request: HttpRequest, status: int, text: str) -> HttpResponse:
    body = text.encode()
    response = HttpResponse(
        b"" if request.method == "HEAD" else body,
        status=status,
        content_type="text/plain; charset=utf-8",
    )
    # (A HEAD answer announces the length a GET would have.)
    response["Content-Length"] = str(len(body))
    for header, value in PROBE_HEADERS.items():
        response[header] = value
    return response


def database_failure() -> str | None:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        # (Django drops a broken connection when the request finishes, so the next probe
        # connects anew.)
        logger.warning("Readiness: the database does not answer: %s", type(error).__name__)
        return f"database: does not answer ({type(error).__name__})"
    return None


def migrations_failure() -> str | None:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        logger.warning("Readiness: cannot read the migrations: %s", type(error).__name__)
        return f"migrations: cannot be read ({type(error).__name__})"
    return f"migrations: {len(plan)} not applied" if plan else None


def storage_failure() -> str | None:
    storage = storages["default"]
    try:
        storage.exists(STORAGE_PROBE_KEY)
    except Exception as error:
        logger.warning("Readiness: the default storage does not answer: %s", type(error).__name__)
        return f"storage: does not answer ({type(error).__name__})"
    # An S3 store answers a missing bucket as it answers a missing key (404), so an object
    # store's bucket is asked for by itself: one HEAD request.
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        try:
            storage.connection.meta.client.head_bucket(Bucket=bucket)  # type: ignore[attr-defined]
        except Exception as error:
            logger.warning("Readiness: the bucket does not answer: %s", type(error).__name__)
            return f"storage: the bucket is missing or refused ({type(error).__name__})"
    return None
