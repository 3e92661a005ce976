"""The accepted sample quotes: a signed acceptance of a minimal revision, and its emails."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from quotery.accounts.models import Company, User
from quotery.core.canonical import canonical_json
from quotery.core.money import money_str
from quotery.demo.engagement_sample.planning import Planned
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.quotes.models import Quote, QuoteRevision
from quotery.sharing.consent import CONSENT_VERSION, consent_text
from quotery.sharing.models import Acceptance, PortalShare
from quotery.sharing.signatures import signature_hash


def sample_acceptance_create(
    company: Company,
    quote: Quote,
    share: PortalShare,
    planned: Planned,
    sequence: int,
    prev_hash: str,
) -> Acceptance:
    """The accepted revision (a minimal content) and the client's signed acceptance of it,
    chained after `prev_hash` as `quote_accept` would chain it."""
    total = str(quote.total)
    content = canonical_json(
        {"number": quote.number, "currency": quote.currency, "totals": {"total": total}}
    )
    revision = QuoteRevision.objects.create(
        company=company,
        quote=quote,
        number=planned.revision,
        content=content.decode(),
        content_hash=hashlib.sha256(content).hexdigest(),
        total=quote.total,
        created_at=planned.at,
    )
    acceptance = Acceptance(
        company=company,
        quote=quote,
        share=share,
        link_key=share.key,
        revision=revision,
        revision_number=revision.number,
        content_hash=revision.content_hash,
        signer_name=share.recipient_name,
        signer_email=share.recipient_email,
        consent_text=consent_text(
            company_name=company.name, quote_number=quote.number, total=f"{total} {quote.currency}"
        ),
        consent_version=CONSENT_VERSION,
        accepted_at=planned.at,
        ip="203.0.113.0",
        user_agent=planned.agent,
        total=total,
        currency=quote.currency,
        deposit_percent="0",  # the sample's quotes ask for none
        deposit_amount=money_str(Decimal(0), quote.currency),
        prev_hash=prev_hash,
        event_sequence=sequence,
    )
    acceptance.signature_hash = signature_hash(prev_hash, acceptance)
    acceptance.save()
    return acceptance


def sample_acceptance_emails(acceptance: Acceptance, owner: User) -> list[OutboxEmail]:
    """The two acceptance emails as the outbox keeps them once sent (not saved yet)."""
    context = {"acceptance": acceptance.pk, "signature_hash": acceptance.signature_hash}
    return [
        OutboxEmail(
            company_id=acceptance.company_id,
            kind=kind,
            dedupe_key=f"{kind}:{acceptance.pk}",
            to_email=to_email,
            to_name=to_name,
            context=context,
            status=EmailStatus.SENT,
            created_at=acceptance.accepted_at,
            sent_at=acceptance.accepted_at,
        )
        for kind, to_email, to_name in (
            ("acceptance_rep", owner.email, owner.full_name),
            ("acceptance_client", acceptance.signer_email, acceptance.signer_name),
        )
    ]
