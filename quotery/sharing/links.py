"""Capability links for portal shares (SECURITY.md 1-3).

A link is `<key><signature>`: the share's random key (128 bits from `secrets`, stored) and
an HMAC-SHA256 of the key, quote id and recipient email under SECRET_KEY (128 bits kept,
not stored). A copy of the database has the keys but not the secret, so it cannot make a
working link. Signatures made with a key in SECRET_KEY_FALLBACKS still open, so the secret
can be rotated without breaking links already in inboxes; revoking a share kills its link.
"""

from __future__ import annotations

import base64
import re
import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

KEY_BYTES = 16
KEY_LENGTH = 22  # base64url of 16 bytes, unpadded
SIGNATURE_LENGTH = 22  # the first 16 bytes of the HMAC, base64url
TOKEN_LENGTH = KEY_LENGTH + SIGNATURE_LENGTH
TOKEN_PATTERN = re.compile(rf"\A[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}\Z")
# The salt names the module where links were first made (quotery.portal.links); changing it
# would break every link already in an inbox.
SALT = "quotery.portal.links.share"


def new_share_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def _signature(key: str, quote_id: int, email: str, secret: str) -> str:
    digest = salted_hmac(
        SALT, f"{key}|{quote_id}|{email.lower()}", secret=secret, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def share_token(*, key: str, quote_id: int, email: str) -> str:
    return key + _signature(key, quote_id, email, settings.SECRET_KEY)


def split_token(token: str) -> tuple[str, str] | None:
    """The (key, signature) of a well-formed token, or None."""
    if not TOKEN_PATTERN.match(token):
        return None
    return token[:KEY_LENGTH], token[KEY_LENGTH:]


def signature_matches(*, key: str, quote_id: int, email: str, signature: str) -> bool:
    """Constant-time check against the current secret and every fallback."""
    matched = False
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        # No early exit: the time taken does not say which secret matched.
        matched |= constant_time_compare(_signature(key, quote_id, email, secret), signature)
    return matched


def share_url(*, key: str, quote_id: int, email: str) -> str:
    """The absolute link for emails and the copy button, always from BASE_URL (SECURITY.md 6)."""
    return f"{settings.BASE_URL}/p/{share_token(key=key, quote_id=quote_id, email=email)}/"
