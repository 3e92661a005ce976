"""Standard Webhooks signatures, secrets and message ids (SECURITY.md 27)."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from quotery.webhooks.signing import (
    delivery_headers,
    message_id_new,
    secret_new,
    signature_header,
)

# The Standard Webhooks specification's own example (its test vectors).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = dt.datetime.fromtimestamp(1614265330, tz=dt.UTC)
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_security_27_the_signature_is_the_specifications_hmac_sha256():
    header = signature_header(
        secrets_in_use=[SPEC_SECRET], msg_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY
    )
    assert header == SPEC_SIGNATURE


def test_security_27_secrets_are_whsec_and_at_least_24_random_bytes():
    secrets = {secret_new() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24


def test_message_ids_are_msg_ulids_in_time_order():
    early = message_id_new(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    late = message_id_new(dt.datetime(2026, 1, 1, 0, 0, 1, tzinfo=dt.UTC))
    assert re.fullmatch(r"msg_[0-9A-HJKMNP-TV-Z]{26}", early)
    assert early < late
    assert len({message_id_new() for _ in range(1000)}) == 1000


def test_headers_verify_with_the_standardwebhooks_package_and_both_rotation_secrets():
    old, new = secret_new(), secret_new()
    now = dt.datetime.now(dt.UTC)
    body = b'{"type":"quote.shared","timestamp":"2026-01-01T00:00:00Z","data":{"quote_id":1}}'
    headers = delivery_headers(secrets_in_use=[new, old], msg_id="msg_1", timestamp=now, body=body)
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers)["data"] == {"quote_id": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret_new()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.replace(b"1}", b"2}"), headers)
