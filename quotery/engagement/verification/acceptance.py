"""A quote's acceptance (SECURITY.md 12-17): that it is there exactly when the quote and its
chain say it was accepted, that its signature hash still covers its record and sits where
it says in the chain, that the revision it names is unchanged, and that the emails to
both parties carried its hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from quotery.core.exceptions import ValidationFailed
from quotery.core.money import money_str
from quotery.engagement.models import GENESIS_HASH, EventKind, QuoteEvent
from quotery.engagement.payloads import EventDataInvalid, QuoteAccepted
from quotery.engagement.verification.results import CheckResult, Findings
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.options import configuration_from_data, configured_totals
from quotery.sharing.models import Acceptance
from quotery.sharing.signatures import signature_hash

# Only acceptance leads to these (quotery.quotes.states): each needs its acceptance.
ACCEPTED_STATES = frozenset({QuoteState.ACCEPTED, QuoteState.READY_FOR_BILLING, QuoteState.CLOSED})
# The acceptance emails, by outbox kind, as the report names them.
ACCEPTANCE_EMAILS = {
    "acceptance_client": "the client's confirmation",
    "acceptance_rep": "the rep's notification",
}


def acceptance_of(quote: Quote) -> Acceptance | None:
    return (
        Acceptance.objects.select_related("quote__company", "revision", "share", "company")
        .filter(quote_id=quote.pk)
        .first()
    )


def missing_acceptance_check(quote: Quote) -> CheckResult | None:
    """For a quote without an acceptance row: None when nothing says it was accepted, a
    failure naming each thing that does (a deleted acceptance)."""
    problems = [
        f"event #{sequence} records an acceptance ({_signature_of(data)}) but no "
        "acceptance row exists: the acceptance was deleted"
        for sequence, data in _accepted_events(quote.pk)
    ]
    if quote.state in ACCEPTED_STATES:
        problems.append(
            f"the quote is {QuoteState(quote.state).label.lower()} but no acceptance is "
            "recorded: the acceptance was deleted"
        )
    if not problems:
        return None
    return CheckResult("acceptance", False, "; ".join(problems))


def acceptance_check(acceptance: Acceptance, *, pdf_problems: Sequence[str] = ()) -> CheckResult:
    """The acceptance row against itself, its quote, its chain and its revision, with what
    was found wrong with its stored PDF's bytes and seal."""
    findings = Findings(acceptance_problems(acceptance))
    quote = acceptance.quote
    if quote.state not in ACCEPTED_STATES:
        findings.problems.append(
            f"an acceptance is recorded but the quote is "
            f"{QuoteState(quote.state).label.lower()}: its state was changed"
        )
    for sequence, _ in _accepted_events(acceptance.quote_id):
        if sequence != acceptance.event_sequence:
            findings.problems.append(
                f"event #{sequence} records another acceptance than this one (event "
                f"#{acceptance.event_sequence})"
            )
    findings.problems.extend(pdf_problems)
    pdf = "sealed PDF intact" if acceptance.pdf_sha256 else "PDF not sealed yet"
    return findings.result(
        "acceptance",
        f"signature hash {acceptance.signature_hash[:12]}…, event "
        f"#{acceptance.event_sequence}, revision {acceptance.revision_number}, {pdf}",
        at=f"acceptance #{acceptance.pk}",
    )


def _accepted_events(quote_id: int) -> list[tuple[int, object]]:
    """(sequence, data) of the quote's acceptance events."""
    return list(
        QuoteEvent.objects.filter(quote_id=quote_id, kind=EventKind.QUOTE_ACCEPTED)
        .order_by("sequence")
        .values_list("sequence", "data")
    )


def _signature_of(data: object) -> str:
    """What an acceptance event's data says it records, for the report."""
    try:
        return f"signature hash {QuoteAccepted.from_data(data).signature_hash[:12]}…"
    except EventDataInvalid as error:
        return f"its data cannot be read: {error.message}"


def acceptance_problems(acceptance: Acceptance) -> list[str]:
    """Every inconsistency of one acceptance with itself, its chain and its revision, each
    named in plain words."""
    problems: list[str] = []
    if signature_hash(acceptance.prev_hash, acceptance) != acceptance.signature_hash:
        what = ", deposit or choices" if acceptance.configuration_hash else " or deposit"
        problems.append(
            "its signed record was edited (signer name, email, time, IP, user agent, consent, "
            f"link, revision, total{what}): the signature hash does not match"
        )
    problems.extend(_chain_problems(acceptance, acceptance.event_sequence))
    problems.extend(_revision_problems(acceptance))
    return problems


def _chain_problems(acceptance: Acceptance, sequence: int) -> list[str]:
    problems: list[str] = []
    events = {
        event.sequence: event
        for event in QuoteEvent.objects.filter(
            quote_id=acceptance.quote_id, sequence__in=[sequence - 1, sequence]
        )
    }
    if sequence == 1:
        expected_prev: str | None = GENESIS_HASH
    else:
        before = events.get(sequence - 1)
        expected_prev = before.hash if before else None
        if before is None:
            problems.append(f"event #{sequence - 1}, the one the acceptance follows, is missing")
    if expected_prev is not None and acceptance.prev_hash != expected_prev:
        problems.append(
            f"its previous hash does not match event #{sequence - 1}: the events before "
            "the acceptance were edited, inserted or deleted"
        )
    event = events.get(sequence)
    if event is None:
        problems.append(f"the acceptance event #{sequence} is missing (deleted)")
    elif event.kind != EventKind.QUOTE_ACCEPTED:
        problems.append(
            f"event #{sequence} is “{event.kind}”, not the acceptance: an event was "
            "inserted before it or the events were renumbered"
        )
    else:
        problems.extend(_acceptance_event_problems(acceptance, event))
    return problems


def _acceptance_event_problems(acceptance: Acceptance, event: QuoteEvent) -> list[str]:
    """The acceptance's own event against it: the acceptance and signature hash its data
    records, and the hash it follows."""
    try:
        carried = QuoteAccepted.from_data(event.data)
    except EventDataInvalid as error:
        return [f"the acceptance event #{event.sequence}'s data cannot be read: {error.message}"]
    expected = QuoteAccepted(
        acceptance=acceptance.pk,
        signature_hash=acceptance.signature_hash,
        configuration_hash=acceptance.configuration_hash or None,
    )
    if carried != expected:
        return [
            f"the acceptance event #{event.sequence} does not carry this acceptance's "
            "signature hash"
        ]
    if event.prev_hash != acceptance.prev_hash:
        return [
            f"the acceptance event #{event.sequence} follows another hash than the acceptance does"
        ]
    return []


def _revision_problems(acceptance: Acceptance) -> list[str]:
    revision = acceptance.revision
    problems: list[str] = []
    if revision.quote_id != acceptance.quote_id or revision.number != acceptance.revision_number:
        problems.append("the acceptance points at another revision than the one it names")
    if acceptance.content_hash != revision.content_hash:
        problems.append("the accepted revision's content hash differs from the one signed")
    if hashlib.sha256(revision.content.encode("utf-8")).hexdigest() != revision.content_hash:
        problems.append(
            f"revision {revision.number}'s stored content was edited: it no longer hashes "
            "to its content hash"
        )
    else:
        problems.extend(_deposit_problems(acceptance, revision.content))
        problems.extend(_configuration_problems(acceptance, revision.content))
    return problems


def _configuration_problems(acceptance: Acceptance, content: str) -> list[str]:
    """The choices an acceptance of a quote with options records: their canonical JSON
    hashes to the hash it records, they are choices the revision offers, and they come to
    the total it records."""
    if not acceptance.configuration and not acceptance.configuration_hash:
        return []
    digest = hashlib.sha256(acceptance.configuration.encode("utf-8")).hexdigest()
    if digest != acceptance.configuration_hash:
        return [
            "the choices it records were edited: they no longer hash to the choices hash it records"
        ]
    try:
        revision = json.loads(content)
        configuration = configuration_from_data(revision, json.loads(acceptance.configuration))
    except (ValueError, ValidationFailed):
        return ["the choices it records are not choices its revision offers"]
    if configuration.canonical_json().decode("utf-8") != acceptance.configuration:
        return ["the choices it records are not in their canonical form"]
    total = configured_totals(revision, configuration).totals.total
    if money_str(total, revision["currency"]) != acceptance.total:
        return [
            f"the total it records ({acceptance.total}) is not what its choices come to "
            f"({money_str(total, revision['currency'])})"
        ]
    return []


def _deposit_problems(acceptance: Acceptance, content: str) -> list[str]:
    """The deposit the acceptance records against the one its revision asks for (none:
    0 %). Acceptances recorded before deposits existed record none, and are not compared."""
    if not acceptance.deposit_percent:
        return []
    try:
        asked = json.loads(content).get("deposit") or {}
        expected = (Decimal(asked.get("percent", "0")), Decimal(asked.get("amount", "0")))
        recorded = (Decimal(acceptance.deposit_percent), Decimal(acceptance.deposit_amount))
    except (ValueError, AttributeError, InvalidOperation):
        return ["the deposit it records, or the one its revision asks for, cannot be read"]
    if recorded == expected:
        return []
    return [
        f"the deposit it records ({_deposit_words(*recorded)}) is not the one the accepted "
        f"revision asks for ({_deposit_words(*expected)})"
    ]


def _deposit_words(percent: Decimal, amount: Decimal) -> str:
    return f"{percent.normalize():f} %, {amount:f}" if percent or amount else "none"


def emails_check(acceptance: Acceptance) -> CheckResult:
    """The signature hash each acceptance email carried (recorded with its outbox row when
    the client accepted) against the acceptance's (SECURITY.md 17, 28)."""
    rows = {
        row.kind: row
        for row in OutboxEmail.objects.filter(
            company_id=acceptance.company_id,
            dedupe_key__in=[f"{kind}:{acceptance.pk}" for kind in ACCEPTANCE_EMAILS],
        )
    }
    findings = Findings()
    unrecorded = []
    for kind, email_name in ACCEPTANCE_EMAILS.items():
        row = rows.get(kind)
        if row is None:
            findings.problems.append(
                f"{email_name} is missing from the outbox: its row was deleted"
            )
            continue
        recorded = row.context.get("signature_hash")
        if recorded is None:
            unrecorded.append(email_name)
        elif recorded != acceptance.signature_hash:
            carried = "was emailed with" if row.status == EmailStatus.SENT else "is to be sent with"
            findings.problems.append(
                f"{email_name} {carried} signature hash {recorded}, the database says "
                f"{acceptance.signature_hash}"
            )
    if unrecorded:
        findings.notes.append(
            f"{' and '.join(unrecorded)} predate{'s' if len(unrecorded) == 1 else ''} "
            "recording the emailed hash: not compared"
        )
    return findings.result(
        "emails",
        f"both acceptance emails carry signature hash {acceptance.signature_hash[:12]}…"
        if not unrecorded
        else "no recorded hash differs from the database",
    )
