"""The signature-hash rule of an acceptance (SECURITY.md 15-17): what the portal writes
when a client accepts, what the emails and the sealed PDF carry, and what `manage.py verify`
recomputes. One rule, here, for all of them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from quotery.core.canonical import canonical_json
from quotery.sharing.models import Acceptance


def signature_hash(prev_hash: str, acceptance: Acceptance) -> str:
    """SHA-256 of the previous event's hash (64 hex characters) followed by the canonical
    JSON of the signed record (SECURITY.md 15-16)."""
    return record_signature_hash(prev_hash, acceptance.signed_record())


def record_signature_hash(prev_hash: str, signed_record: Mapping[str, object]) -> str:
    """`signature_hash` of a signed record held apart from its row (the copy embedded in a
    sealed PDF)."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(signed_record)).hexdigest()
