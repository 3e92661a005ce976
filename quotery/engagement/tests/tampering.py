"""What someone with write access to the database does to cover their tracks, using the
app's own functions wherever it has them: these tests play that person."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from quotery.engagement.chain import head_signature, link_hash
from quotery.engagement.models import GENESIS_HASH, QuoteEvent
from quotery.notifications.models import OutboxEmail
from quotery.quotes.models import Quote
from quotery.sharing.models import Acceptance
from quotery.sharing.signatures import signature_hash


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify", *args, stdout=out)
    return out.getvalue()


def verify_failing(*args: str) -> tuple[str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify", *args, stdout=out)
    return out.getvalue(), str(failure.value)


def rechain(quote_id: int) -> QuoteEvent | None:
    """Recomputes every link of the quote's chain; returns the last event."""
    prev_hash = GENESIS_HASH
    last = None
    for event in QuoteEvent.objects.filter(quote_id=quote_id).order_by("sequence"):
        event.prev_hash = prev_hash
        event.hash = link_hash(prev_hash, event)
        QuoteEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev_hash = event.hash
        last = event
    return last


def set_head(quote_id: int, length: int, last_hash: str, signature: str) -> None:
    Quote.objects.filter(pk=quote_id).update(
        chain_length=length, chain_hash=last_hash, chain_signature=signature
    )


def head_to_end(quote_id: int, *, secret: str | None) -> None:
    """Points the head at the chain's last event, signed with `secret` (the server's own
    SECRET_KEY for someone who has it; any other key for someone who does not)."""
    last = QuoteEvent.objects.filter(quote_id=quote_id).order_by("-sequence").first()
    length, last_hash = (last.sequence, last.hash) if last else (0, GENESIS_HASH)
    signature = head_signature(quote_id, length, last_hash, secret=secret)
    set_head(quote_id, length, last_hash, signature)


def rewrite_signer(acceptance: Acceptance, *, name: str, email: str, secret: str) -> str:
    """Rewrites who signed, then everything the database holds that would give it away:
    the signature hash (recomputed with the app's own function), the accepted event's
    payload, every later event's hash, the chain head (signed with `secret`, the server's
    key: this person has it) and the hash recorded with the acceptance emails. Returns the
    new signature hash."""
    row = Acceptance.objects.get(pk=acceptance.pk)
    row.signer_name, row.signer_email = name, email
    row.signature_hash = signature_hash(row.prev_hash, row)
    Acceptance.objects.filter(pk=row.pk).update(
        signer_name=name, signer_email=email, signature_hash=row.signature_hash
    )
    QuoteEvent.objects.filter(quote_id=row.quote_id, sequence=row.event_sequence).update(
        data={"acceptance": row.pk, "signature_hash": row.signature_hash}
    )
    rechain(row.quote_id)
    head_to_end(row.quote_id, secret=secret)
    OutboxEmail.objects.filter(
        dedupe_key__in=[f"acceptance_client:{row.pk}", f"acceptance_rep:{row.pk}"]
    ).update(context={"acceptance": row.pk, "signature_hash": row.signature_hash})
    return row.signature_hash
