"""Django's PostgreSQL backend, with the connection health check (CONN_HEALTH_CHECKS) asked
only of a connection that has sat idle.

Django checks a persistent connection with a `SELECT 1` round trip before each request's
first query, so that a connection the server dropped between requests (a restart, a
failover, an idle timeout) is replaced instead of failing that request. On a busy worker
that round trip is a good part of a short request's cost, and a connection that answered a
moment ago is as good as checked. So the check is skipped when the connection's last
request ended without a database error less than CHECK_AFTER_IDLE_SECONDS ago; a request
after any longer pause is checked as before. A connection the server drops within that
second fails the request in hand, which a request already under way at that moment would
do anyway; Django then closes it, and the next request connects again.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

CHECK_AFTER_IDLE_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    # Django's own attributes, which django-stubs does not declare.
    health_check_enabled: bool
    health_check_done: bool
    # When the last request that used this connection ended without a database error
    # (time.monotonic()); None until one has.
    used_at: float | None = None

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.used_at is not None
            and time.monotonic() - self.used_at < CHECK_AFTER_IDLE_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self) -> None:
        # Called as each request starts and ends. `health_check_done` is set only once a
        # request has used the connection, or Django's own check after an error has passed
        # (Django resets it here), so the time taken is that of the last answer the server
        # gave, never the start of a request.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.used_at = time.monotonic()
        elif self.errors_occurred:
            self.used_at = None
        super().close_if_unusable_or_obsolete()
