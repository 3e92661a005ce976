"""Which scheduler enqueues: one leader among the schedulers running on every machine.

On PostgreSQL the leader is the scheduler holding a session-level advisory lock on a fixed key,
taken with `pg_try_advisory_lock` on a connection of its own and held for as long as that
connection lives. The others follow: they try again now and then, and one of them takes over
once the leader stops or dies (PostgreSQL ends a dead client's session, and with it the
lock). Needs sessions that stay with one client: a direct connection or PgBouncer in session
mode, not transaction mode.

SQLite serves one machine: the only scheduler there leads, without a lock.
"""

from __future__ import annotations

import logging
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger("quotery.scheduler")

# "QUOTERYS" in ASCII: the key no other advisory lock of Quotery uses.
SCHEDULER_LOCK_KEY = 0x51554F5445525953


class Leadership:
    """`leads()` says, each round, whether this scheduler may enqueue."""

    def __init__(self, *, retry_seconds: float = 10.0) -> None:
        self.retry_seconds = retry_seconds
        self.lock_connection: BaseDatabaseWrapper | None = None
        self.next_try = 0.0
        self.needs_lock = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"

    def leads(self) -> bool:
        if not self.needs_lock:
            return True
        if self.lock_connection is not None:
            if self.lock_still_held():
                return True
            logger.warning("Scheduler: the connection holding the lead was lost; following.")
            self.release()
        now = time.monotonic()
        if now < self.next_try:
            return False
        self.next_try = now + self.retry_seconds
        return self.try_to_lead()

    def try_to_lead(self) -> bool:
        # Not Django's connection of this thread, which close_old_connections() may close.
        connection = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCHEDULER_LOCK_KEY])
                row = cursor.fetchone()
        except DatabaseError:
            logger.exception("Scheduler: could not ask for the lead; will try again.")
            connection.close()
            return False
        if not row or not row[0]:
            connection.close()
            return False
        self.lock_connection = connection
        logger.info("Scheduler: leading; the other schedulers wait.")
        return True

    def lock_still_held(self) -> bool:
        """The session lives, so its lock does."""
        assert self.lock_connection is not None
        try:
            with self.lock_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            return False
        return True

    def release(self) -> None:
        """Ends the session, and with it the lock; a follower takes over at its next try."""
        if self.lock_connection is not None:
            try:
                self.lock_connection.close()
            except DatabaseError:
                logger.warning("Scheduler: the lock's connection did not close cleanly.")
            self.lock_connection = None
