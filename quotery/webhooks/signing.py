"""Standard Webhooks 1.0 signing: `whsec_` secrets, message ids and the three headers.

The signature is `v1,` + base64(HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")), computed
by the `standardwebhooks` package (the reference implementation receivers verify with).
During a rotation both secrets sign, space-separated, so a receiver holding either verifies.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import secrets
import time

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
# SECURITY.md 27 asks for at least 24 random bytes.
SECRET_BYTES = 32
MESSAGE_PREFIX = "msg_"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def secret_new() -> str:
    """A fresh signing secret: `whsec_` + base64 of 32 bytes from `secrets`."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def message_id_new(now: dt.datetime | None = None) -> str:
    """`msg_` + a ULID (48-bit milliseconds, 80 random bits, Crockford base32): unique and
    sorted by creation time, so a receiver's logs read in order."""
    millis = math.floor(now.timestamp() * 1000) if now is not None else time.time_ns() // 1_000_000
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return MESSAGE_PREFIX + "".join(reversed(chars))


def signature_header(
    *, secrets_in_use: list[str], msg_id: str, timestamp: dt.datetime, body: bytes
) -> str:
    """The `webhook-signature` value: one `v1,<base64>` per secret, space-separated."""
    return " ".join(
        Webhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body)
        for secret in secrets_in_use
    )


def delivery_headers(
    *, secrets_in_use: list[str], msg_id: str, timestamp: dt.datetime, body: bytes
) -> dict[str, str]:
    """The headers of one delivery attempt. The timestamp is the attempt's (receivers refuse
    old ones), the id and the body are the event's, the same on every retry."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(timestamp.timestamp())),
        "webhook-signature": signature_header(
            secrets_in_use=secrets_in_use, msg_id=msg_id, timestamp=timestamp, body=body
        ),
        "content-type": "application/json",
    }
