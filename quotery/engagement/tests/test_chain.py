"""SECURITY.md 15-16: an event's hash is SHA-256(prev_hash || canonical JSON of the event)."""

from __future__ import annotations

import hashlib
import json

import pytest

from quotery.core.request_meta import RequestMeta
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import GENESIS_HASH, QuoteEvent
from quotery.portal.services.sharing import portal_open_record
from quotery.portal.tests.portal_fixtures import share_quote

pytestmark = pytest.mark.django_db


def test_security_15_the_event_hash_covers_canonical_json_with_times_as_strings(rep) -> None:  # type: ignore[no-untyped-def]
    # given a shared quote opened by a client
    shared = share_quote(rep)
    opened = portal_open_record(
        share=shared.share, meta=RequestMeta(ip="198.51.100.7", user_agent="Agent/1.0")
    )
    stored = QuoteEvent.objects.get(pk=opened.pk)

    # then its hash is SHA-256 over the previous hash and the event's canonical JSON:
    # sorted keys, no spaces, the time as an ISO 8601 UTC string, no floats
    canonical = json.dumps(
        {
            **stored.canonical_fields(),
            "occurred_at": stored.occurred_at.isoformat().replace("+00:00", "Z"),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    assert b'"occurred_at":"' in canonical and b'"kind":"link_opened"' in canonical
    expected = hashlib.sha256(stored.prev_hash.encode() + canonical).hexdigest()
    assert stored.hash == expected
    # and the chain starts from the genesis hash
    first = QuoteEvent.objects.filter(quote=shared.quote).order_by("sequence").first()
    assert first is not None and first.prev_hash == GENESIS_HASH
    assert verify_quote_chain(shared.quote.pk).ok
