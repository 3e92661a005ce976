"""API keys: making one (shown once), finding the key of a request, revoking, recording use.

A key reads `qk_<8 hex>_<43 base64url>`: the first part is the visible prefix that names
the key in lists; the rest is 256 random bits from `secrets`. The database keeps the prefix
and the SHA-256 of the whole key, compared in constant time (SECURITY.md 26).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.utils import timezone

from quotery.accounts.models import Company, Membership, Role, User
from quotery.api.models import ApiKey, ApiKeyUse, KeyScope
from quotery.core.exceptions import PermissionDenied, ValidationFailed
from quotery.core.rawsql import prepared_cursor
from quotery.core.text import has_control_characters
from quotery.portal.ratelimit import (
    UPSERT_HIT,
    Limit,
    counter_row,
    counter_table,
    forget_closed_windows,
    hits_counted,
)

KEY_START = "qk_"
NAME_MAX = 100
TOKEN_SHAPE = re.compile(r"\Aqk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}\Z")
# last_used_at moves at most this often per key: one write a minute, not one per request.
LAST_USED_STEP = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    """A key just made: the row, and the full key, which exists only in this answer."""

    key: ApiKey
    token: str


@dataclass(frozen=True)
class KeyUse:
    """One request made with a key, as its use row records it (never a body). Written with
    the key's lookup, before the answer exists, the status is the one expected."""

    method: str
    route: str
    status: int = 200


def secret_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_name_errors(name: str) -> dict[str, list[str]]:
    if not name.strip():
        return {"name": ["Give the key a name, like “CRM sync”."]}
    if len(name.strip()) > NAME_MAX:
        return {"name": [f"Keep the name under {NAME_MAX} characters."]}
    if has_control_characters(name):
        return {"name": ["The name cannot hold control characters."]}
    return {}


def _require_admin(user: User, company: Company) -> None:
    is_admin = Membership.objects.filter(
        user_id=user.pk, company_id=company.pk, role=Role.ADMIN, user__is_active=True
    ).exists()
    if not is_admin:
        raise PermissionDenied("Only an admin of this company can manage its API keys.")


def api_key_create(*, company: Company, user: User, name: str, scope: str) -> NewKey:
    """Makes a key of `company` for `scope` (read, or read and write) and returns it with
    its full value, which is never stored and cannot be shown again. Only an admin of the
    company may; bad input writes nothing."""
    errors = api_key_name_errors(name)
    if scope not in KeyScope.values:
        errors["scope"] = ["Choose read, or read and write."]
    if errors:
        raise ValidationFailed(
            "The key was not created. Check the fields below.", field_errors=errors
        )
    _require_admin(user, company)
    prefix = f"{KEY_START}{secrets.token_hex(4)}"
    while ApiKey.objects.filter(prefix=prefix).exists():  # 1 in 4 billion per key
        prefix = f"{KEY_START}{secrets.token_hex(4)}"
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        company=company,
        name=name.strip(),
        prefix=prefix,
        secret_hash=secret_digest(token),
        scope=scope,
        created_by=user,
    )
    return NewKey(key=key, token=token)


def api_key_revoke(*, key: ApiKey, user: User) -> ApiKey:
    """Stops the key at once; revoking a revoked key changes nothing. Admins only."""
    _require_admin(user, key.company)
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    key.refresh_from_db()
    return key


class KeyHolder:
    """Who acts through a live key: the company, and the admin who made the key (writes are
    theirs in the timeline). `membership` sees the whole company, as the key does.

    A request's key is found with one plain query (`key_holder_for_token`); the company and
    the user rows are read only when an endpoint asks for them (most reads need their ids
    alone)."""

    def __init__(self, key: ApiKey, *, last_use_stale: bool = False) -> None:
        self.key = key
        # Whether the key's `last_used_at` is more than LAST_USED_STEP old (moved on use).
        self.last_use_stale = last_use_stale
        # The use row written with the lookup (PostgreSQL), and what it says.
        self.recorded_use: tuple[int, KeyUse] | None = None
        # This request's hits in the key's rate-limit window (when it was counted).
        self.hits = 0
        # The key reads the whole company (as a manager or admin does), whatever the role
        # its maker holds now; who may set payment status is still checked against the
        # real role.
        self.membership = Membership(
            company_id=key.company_id, user_id=key.created_by_id, role=Role.ADMIN
        )

    @cached_property
    def user(self) -> User:
        return User.objects.get(pk=self.key.created_by_id)

    @cached_property
    def company(self) -> Company:
        company = Company.objects.get(pk=self.key.company_id)
        self.key.company = company
        self.membership.company = company
        return company


# The fields of the key read with each request; the rest load only when asked for.
_KEY_FIELDS = ("id", "company_id", "prefix", "secret_hash", "scope", "created_by_id")


def _live_key_sql() -> str:
    """The key of a prefix, if it is not revoked and its maker is active and still in the
    key's company, and whether its `last_used_at` is older than a cutoff: one statement."""
    key, user, member = ApiKey._meta, User._meta, Membership._meta
    q = connection.ops.quote_name
    columns = ", ".join(f"k.{q(name)}" for name in _KEY_FIELDS)
    return (
        f"SELECT {columns}, "  # noqa: S608 (names from the models)
        f"(k.{q('last_used_at')} IS NULL OR k.{q('last_used_at')} < %s) "
        f"FROM {q(key.db_table)} k "
        f"JOIN {q(user.db_table)} u ON u.{q('id')} = k.{q('created_by_id')} "
        f"JOIN {q(member.db_table)} m ON m.{q('user_id')} = u.{q('id')} "
        f"AND m.{q('company_id')} = k.{q('company_id')} "
        f"WHERE k.{q('prefix')} = %s AND k.{q('revoked_at')} IS NULL AND u.{q('is_active')}"
    )


def _use_insert_sql(rows: str) -> str:
    """The INSERT of use rows (key, at, method, route, status) from `rows`: a VALUES list or
    a SELECT giving those five columns."""
    use = ApiKeyUse._meta
    q = connection.ops.quote_name
    column = {field.name: str(field.column) for field in use.concrete_fields}
    columns = ", ".join(q(column[name]) for name in _USE_FIELDS)
    return f"INSERT INTO {q(use.db_table)} ({columns}) {rows}"


_USE_FIELDS = ("key", "at", "method", "route", "status")


def _use_values(use: KeyUse, at: dt.datetime) -> list[str | int | None]:
    """The values of a use row after its key: at, method, route, status."""
    at_value = connection.ops.adapt_datetimefield_value(at)
    return [at_value, use.method[:8], use.route[:200], use.status]


def _together_with_lookup(
    *, prefix: str, digest: str, counted: Limit | None, use: KeyUse | None, now: dt.datetime
) -> tuple[str, list[str | int | None], int | None]:
    """On PostgreSQL, the key's lookup and the writes each request makes with it, in one
    statement (one round trip and one commit): the rate-limit hit, the use row and a stale
    `last_used_at` moved (compare-and-set). The writes take their rows from the lookup, so a
    revoked or unknown key, or a wrong secret, writes nothing. Returns the statement, its
    parameters and the rate-limit window counted (when counted)."""
    q = connection.ops.quote_name
    key_table, key_id, last_used = q(ApiKey._meta.db_table), q("id"), q("last_used_at")
    cutoff = connection.ops.adapt_datetimefield_value(now - LAST_USED_STEP)
    matching = "FROM live WHERE live.secret_hash = %s"
    parts: list[str] = [f"live AS ({_live_key_sql()})"]
    params: list[str | int | None] = [cutoff, prefix]
    answers: list[str] = []
    period = None
    if counted is not None:
        bucket, period = counter_row(counted, _rate_subject(prefix))
        hit = UPSERT_HIT.format(table=counter_table(), values=f"SELECT %s, %s, 1 {matching}")
        parts.append(f"hit AS ({hit})")
        params += [bucket, period, digest]
        answers.append("(SELECT hits FROM hit)")
    if use is not None:
        marks = ", ".join(["%s"] * (len(_USE_FIELDS) - 1))
        insert = _use_insert_sql(f"SELECT live.{key_id}, {marks} {matching}")
        parts.append(f"used AS ({insert} RETURNING {key_id})")
        parts.append(
            f"seen AS (UPDATE {key_table} k SET {last_used} = %s FROM live "  # noqa: S608
            f"WHERE k.{key_id} = live.{key_id} AND live.secret_hash = %s "
            f"AND (k.{last_used} IS NULL OR k.{last_used} < %s))"
        )
        params += [*_use_values(use, now), digest]
        params += [connection.ops.adapt_datetimefield_value(now), digest, cutoff]
        answers.append(f"(SELECT {key_id} FROM used)")  # noqa: S608 (names only)
    # Names from the models and placeholders only: no values in the text.
    sql = f"WITH {', '.join(parts)} SELECT live.*, {', '.join(answers)} FROM live"  # noqa: S608
    return sql, params, period


def key_holder_for_token(
    token: str, *, counted: Limit | None = None, use: KeyUse | None = None
) -> KeyHolder | None:
    """The live key of `token`, or None: unknown, malformed, revoked, or made by someone who
    has left the company or was deactivated. The digest is compared in constant time.

    With `counted`, the request is also counted against that limit for the key (its
    `hits` in the window, this one included); with `use`, the request's use is recorded
    (`api_key_use_record` then only corrects its status when the answer's differs). A token
    that names no live key counts and records nothing. On PostgreSQL the lookup and these
    writes are one statement (`_together_with_lookup`); elsewhere the lookup is one, the
    count another, and the use is recorded after the answer."""
    if not TOKEN_SHAPE.match(token):
        return None
    prefix = token[: len(KEY_START) + 8]
    digest = secret_digest(token)
    now = timezone.now()
    together = connection.vendor == "postgresql" and (counted is not None or use is not None)
    period = None
    if together:
        sql, params, period = _together_with_lookup(
            prefix=prefix, digest=digest, counted=counted, use=use, now=now
        )
    else:
        sql = _live_key_sql()
        params = [connection.ops.adapt_datetimefield_value(now - LAST_USED_STEP), prefix]
    # Prepared on PostgreSQL: planning the lookup's joins and writes cost the server more
    # than running them.
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values, extra = list(row[: len(_KEY_FIELDS)]), list(row[len(_KEY_FIELDS) :])
    fields = dict(zip(_KEY_FIELDS, values, strict=True))
    if not hmac.compare_digest(fields["secret_hash"], digest):
        return None
    key = ApiKey.from_db(connection.alias, list(_KEY_FIELDS), values)
    stale = bool(extra.pop(0))
    if not together:
        holder = KeyHolder(key, last_use_stale=stale)
        if counted is not None:
            holder.hits = hits_counted(counted, _rate_subject(prefix))
        return holder
    # With the use, a stale last use was moved by the statement too.
    holder = KeyHolder(key, last_use_stale=stale and use is None)
    if counted is not None and period is not None:
        holder.hits = int(extra.pop(0))
        forget_closed_windows(counted, period, hits=holder.hits)
    if use is not None:
        holder.recorded_use = (int(extra.pop(0)), use)
    return holder


def _rate_subject(prefix: str) -> str:
    # A key's requests count under its prefix (unique, and known before the lookup).
    return f"key:{prefix}"


def api_key_use_record(*, holder: KeyHolder, method: str, route: str, status: int) -> None:
    """Records one request made with the key (no body), and moves `last_used_at` when it is
    more than a minute old (compare-and-set, so parallel requests write it once). Each its
    own transaction: a lost `last_used_at` move is made good by the next request, and the
    use row stands alone. The row is one plain INSERT: this runs on every API request.

    When the lookup recorded the use already (PostgreSQL), only a status other than the one
    expected is written (one UPDATE: a 201, a 4xx or a 5xx; never for a plain 200)."""
    use = KeyUse(method=method, route=route, status=status)
    if holder.recorded_use is not None:
        use_id, recorded = holder.recorded_use
        if recorded != use:
            ApiKeyUse.objects.filter(pk=use_id).update(
                method=method[:8], route=route[:200], status=status
            )
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _use_insert_sql("VALUES (%s, %s, %s, %s, %s)"),
            [holder.key.pk, *_use_values(use, now)],
        )
    if holder.last_use_stale:
        stale = ApiKey.objects.filter(pk=holder.key.pk).exclude(
            last_used_at__gte=now - LAST_USED_STEP
        )
        stale.update(last_used_at=now)
