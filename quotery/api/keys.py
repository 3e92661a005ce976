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

from django.utils import timezone

from quotery.accounts.models import Company, Membership, Role, User
from quotery.api.models import ApiKey, ApiKeyUse, KeyScope
from quotery.core.exceptions import PermissionDenied, ValidationFailed
from quotery.core.text import has_control_characters

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


@dataclass(frozen=True)
class KeyHolder:
    """Who acts through a live key: the company, and the admin who made the key (writes are
    theirs in the timeline). `membership` sees the whole company, as the key does."""

    key: ApiKey
    user: User
    membership: Membership

    @property
    def company(self) -> Company:
        return self.key.company


def key_holder_for_token(token: str) -> KeyHolder | None:
    """The live key of `token`, or None: unknown, malformed, revoked, or made by someone who
    has left the company. One query; the digest is compared in constant time."""
    if not TOKEN_SHAPE.match(token):
        return None
    prefix = token[: len(KEY_START) + 8]
    key = (
        ApiKey.objects.select_related("company", "created_by", "created_by__membership")
        .filter(prefix=prefix)
        .first()
    )
    if key is None or not hmac.compare_digest(key.secret_hash, secret_digest(token)):
        return None
    user = key.created_by
    member = getattr(user, "membership", None)
    if key.is_revoked or not user.is_active or member is None:
        return None
    if member.company_id != key.company_id:
        return None
    # The key reads the whole company (as a manager or admin does), whatever the role its
    # maker holds now; who may set payment status is still checked against the real role.
    membership = Membership(company=key.company, user=user, role=Role.ADMIN)
    return KeyHolder(key=key, user=user, membership=membership)


def api_key_use_record(*, key: ApiKey, method: str, route: str, status: int) -> None:
    """Records one request made with the key (no body), and moves `last_used_at` when it is
    more than a minute old (compare-and-set, so parallel requests write it once). Two
    statements, each its own transaction: a lost `last_used_at` move is made good by the
    next request, and the use row stands alone."""
    now = timezone.now()
    ApiKeyUse.objects.create(key=key, at=now, method=method, route=route[:200], status=status)
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_STEP:
        stale = ApiKey.objects.filter(pk=key.pk).exclude(last_used_at__gte=now - LAST_USED_STEP)
        stale.update(last_used_at=now)
