"""Rate limits of the portal (SECURITY.md 8): POSTs per IP and per link, 404s per IP.

Whom a limit may lock out decides its shape:
- 404s count per address, and only for links that open nothing: an office behind one NAT
  address where somebody mistyped links still opens its valid links.
- A client's POSTs count per kind (the view beacon, a message, an answer, an acceptance),
  each per address and per (link, address). Someone holding the link who floods it from
  another address spends only that address's budgets, and a flood of beacons or messages
  never spends the budget of Accept: the link's own client can still accept.

Counters live in the database (`RateLimitCounter`), one row per bucket and fixed window,
incremented with a single atomic upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`,
on SQLite >= 3.35 and PostgreSQL alike). So the limit holds across gunicorn's worker
processes and across machines sharing the database; a per-process cache would let each
worker grant the full allowance again. The IP comes from `client_ip`, which ignores
X-Forwarded-For unless TRUSTED_PROXY_COUNT says a proxy is in front of us, so a spoofed
header cannot reset a counter.

Buckets hold an HMAC of the IP or share id, never the address itself (SECURITY.md 24).

Limits are (hits, seconds) and can be changed with the PORTAL_RATE_LIMITS setting, e.g.
PORTAL_RATE_LIMITS = {"view_per_ip": (240, 600)}.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils.crypto import salted_hmac

from quotery.core.rawsql import prepared_cursor
from quotery.portal.models import RateLimitCounter

NOT_FOUND_PER_IP = "not_found_per_ip"


@dataclass(frozen=True)
class PostKind:
    """One kind of client POST and the names of its two limits."""

    name: str

    @property
    def per_ip(self) -> str:
        return f"{self.name}_per_ip"

    @property
    def per_link_ip(self) -> str:
        return f"{self.name}_per_link_ip"


VIEW = PostKind("view")  # the page's beacon
MESSAGE = PostKind("message")
ANSWER = PostKind("answer")  # request changes, decline
ACCEPT = PostKind("accept")
ATTENTION = PostKind("attention")  # the page's batches of time on each part of the quote
CHOICE = PostKind("choice")  # a change of the options on a quote with options
POST_KINDS = (VIEW, MESSAGE, ANSWER, ACCEPT, ATTENTION, CHOICE)
# Batches of one counted view: the page sends one every 30 s while visible and one when
# hidden; more than this in a minute is not a page's doing.
ATTENTION_PER_VIEW = "attention_per_view"

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # Somebody mistyping a link a few times is fine; walking the link space is not.
    NOT_FOUND_PER_IP: (20, 600),
    # Every page load sends one beacon; an office behind one address sends many.
    VIEW.per_ip: (120, 600),
    VIEW.per_link_ip: (60, 600),
    MESSAGE.per_ip: (60, 600),
    MESSAGE.per_link_ip: (20, 600),
    # A client answers once; a few failed tries (a typo in the name) must still go through.
    ANSWER.per_ip: (60, 600),
    ANSWER.per_link_ip: (20, 600),
    ACCEPT.per_ip: (60, 600),
    ACCEPT.per_link_ip: (20, 600),
    # Every open page sends about 2 batches a minute; an office behind one address, many.
    ATTENTION.per_ip: (1200, 600),
    ATTENTION.per_link_ip: (300, 600),
    ATTENTION_PER_VIEW: (4, 60),
    # Each click on an option saves the choices: a client comparing options clicks a lot.
    CHOICE.per_ip: (300, 600),
    CHOICE.per_link_ip: (150, 600),
}


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int
    seconds: int


def limit(name: str) -> Limit:
    configured: dict[str, tuple[int, int]] = getattr(settings, "PORTAL_RATE_LIMITS", {})
    hits, seconds = configured.get(name, DEFAULT_LIMITS[name])
    return Limit(name=name, hits=hits, seconds=seconds)


def _bucket(name: str, subject: str) -> str:
    digest = salted_hmac("quotery.portal.ratelimit", subject, algorithm="sha256").hexdigest()
    return f"{name}:{digest[:40]}"


def _period_start(rule: Limit, now: float) -> int:
    return int(now // rule.seconds) * rule.seconds


def retry_after(name: str, *, now: float | None = None) -> int:
    """Seconds until the current window of `name` closes."""
    return window_ends(limit(name), now=now)


def hit(name: str, subject: str, *, now: float | None = None) -> bool:
    """Counts one hit of `subject` (an IP, or a share id and IP) against the limit `name`;
    False when the limit is now exceeded. One statement, atomic under concurrency."""
    rule = limit(name)
    return hits_counted(rule, subject, now=now) <= rule.hits


def window_ends(rule: Limit, *, now: float | None = None) -> int:
    """Seconds until the current window of `rule` closes (at least 1)."""
    moment = time.time() if now is None else now
    return max(1, _period_start(rule, moment) + rule.seconds - int(moment))


def counter_row(rule: Limit, subject: str, *, now: float | None = None) -> tuple[str, int]:
    """The (bucket, period_start) of `subject`'s counter for `rule` in the window of `now`:
    for statements that count a hit along with other work (the API's key lookup)."""
    moment = time.time() if now is None else now
    return _bucket(rule.name, subject), _period_start(rule, moment)


# Counts a hit: (bucket, period_start) first seen makes the row, later hits add to it.
UPSERT_HIT = (
    "INSERT INTO {table} (bucket, period_start, hits) {values} "
    "ON CONFLICT (bucket, period_start) DO UPDATE SET hits = {table}.hits + 1 "
    "RETURNING hits"
)


def counter_table() -> str:
    return connection.ops.quote_name(RateLimitCounter._meta.db_table)


def hits_counted(rule: Limit, subject: str, *, now: float | None = None) -> int:
    """Counts one hit of `subject` against `rule` and returns the hits of the current window
    so far, this one included. One statement, atomic under concurrency. Also used by limits
    defined elsewhere (the API's per-key limit), which share the counter table."""
    bucket, period = counter_row(rule, subject, now=now)
    table = counter_table()
    with prepared_cursor() as cursor:
        cursor.execute(
            UPSERT_HIT.format(table=table, values="VALUES (%s, %s, 1)"), [bucket, period]
        )
        row = cursor.fetchone()
    hits = int(row[0])
    forget_closed_windows(rule, period, hits=hits)
    return hits


def hits_counted_together(
    counted: Sequence[tuple[Limit, str]], *, now: float | None = None
) -> list[int]:
    """Counts one hit of each (rule, subject) of `counted` and returns, in that order, the
    hits of each one's current window so far, this one included: `hits_counted` for
    several buckets in one statement, atomic under concurrency. The buckets must differ
    (rules of different names do)."""
    rows = [counter_row(rule, subject, now=now) for rule, subject in counted]
    buckets = [bucket for bucket, _ in rows]
    assert len(set(buckets)) == len(buckets), "a bucket counted twice in one statement"
    values = "VALUES " + ", ".join(["(%s, %s, 1)"] * len(rows))
    with prepared_cursor() as cursor:
        cursor.execute(
            UPSERT_HIT.format(table=counter_table(), values=values) + ", bucket",
            [value for row in rows for value in row],
        )
        # RETURNING gives no order: each row says which bucket it counted.
        hits_of = {bucket: int(hits) for hits, bucket in cursor.fetchall()}
    result = [hits_of[bucket] for bucket in buckets]
    # Once for the lot: the rule of the longest window among those whose window opened now.
    opened = [
        (rule.seconds, rule, period)
        for (rule, _), (_, period), hits in zip(counted, rows, result, strict=True)
        if hits == 1
    ]
    if opened:
        _, rule, period = max(opened, key=lambda item: item[0])
        forget_closed_windows(rule, period, hits=1)
    return result


def forget_closed_windows(rule: Limit, period: int, *, hits: int) -> None:
    """On the first hit of a new window, the windows that closed a while ago are no use to
    anybody, so they go now (at most once per bucket and window, not on every hit)."""
    if hits == 1:
        RateLimitCounter.objects.filter(
            period_start__lt=period - 2 * max(max_window(), rule.seconds)
        ).delete()


def max_window() -> int:
    return max(limit(name).seconds for name in DEFAULT_LIMITS)
