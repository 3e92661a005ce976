"""The acceptance service (`quote_accept`): what a good acceptance records and sets off, and
that every refusal writes nothing at all (SECURITY.md 4, 12, 13, 15, 18)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.billing.models import Payment, PaymentStatus
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import StockLevel
from quotery.core.exceptions import (
    AlreadyAnswered,
    NotFound,
    QuoteNotAcceptable,
    RevisionMismatch,
    ValidationFailed,
)
from quotery.core.money import format_money
from quotery.core.request_meta import anonymised_ip
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import GENESIS_HASH, EventKind, QuoteEvent
from quotery.notifications.models import Notification, NotificationKind, OutboxEmail
from quotery.portal.services.acceptance import (
    ACCEPTABLE_STATES,
    REVIEW_AGAIN,
    acceptance_input_errors,
    quote_accept,
)
from quotery.portal.services.sharing import share_revoke, share_send
from quotery.portal.tests.portal_fixtures import (
    CLIENT_META,
    Shared,
    accept_shared,
    edit_and_share_again,
    expire,
    footprint,
    latest_revision_hash,
    share_quote,
)
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import (
    DeliveryNote,
    DeliveryNoteState,
    Line,
    Quote,
    QuoteRevision,
    QuoteState,
)
from quotery.quotes.services.quotes import quote_cancel, quote_mark_declined
from quotery.sharing.consent import CONSENT_VERSION, consent_text
from quotery.sharing.models import Acceptance, PortalShare
from quotery.sharing.signatures import signature_hash

pytestmark = pytest.mark.django_db

ACCEPTANCE_KINDS = ("acceptance_rep", "acceptance_client")


# -- helpers shared by the acceptance tests ---------------------------------------------------


def independent_signature_hash(prev_hash: str, record: dict[str, str]) -> str:
    """SECURITY.md 15-16, computed here without the app's code: canonical JSON is sorted
    keys, no whitespace, UTF-8, every value a string."""
    assert all(isinstance(value, str) for value in record.values())
    canonical = json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def decline(quote: Quote) -> None:
    with transaction.atomic():
        quote_lock(quote.pk)
        quote_mark_declined(quote=Quote.objects.get(pk=quote.pk))


# -- a good acceptance ------------------------------------------------------------------------


@pytest.fixture
def stocked(company):  # type: ignore[no-untyped-def]
    desk = ProductFactory(
        company=company, sku="DESK-1", unit_price=Decimal("300"), stock=Decimal(5)
    )
    chair = ProductFactory(
        company=company, sku="CHAIR-1", unit_price=Decimal("80"), stock=Decimal(1)
    )
    return desk, chair


@pytest.fixture
def shared(rep, stocked) -> Shared:  # type: ignore[no-untyped-def]
    desk, chair = stocked
    # line 1: 2 desks (5 in stock); line 2: free text; line 3: 3 chairs (1 in stock)
    return share_quote(
        rep,
        products=[desk, None, chair],
        quantities=[Decimal(2), Decimal(1), Decimal(3)],
    )


def test_security_12_an_acceptance_records_every_fact(shared: Shared, rep) -> None:  # type: ignore[no-untyped-def]
    # given a shared quote at revision 1 and the hash the client's page carried
    revision = QuoteRevision.objects.get(quote=shared.quote, number=1)
    before = timezone.now()

    # when the client signs
    acceptance = quote_accept(
        share=shared.share,
        signer_name="  Anna Client ",
        signer_email="Anna@Client.TEST",
        consent=True,
        revision_hash=revision.content_hash,
        request_meta=CLIENT_META,
    )
    after = timezone.now()

    # then the stored row holds everything SECURITY.md 12 lists
    stored = Acceptance.objects.get()
    assert stored.pk == acceptance.pk
    assert stored.signer_name == "Anna Client"
    assert stored.signer_email == "anna@client.test"
    content = json.loads(revision.content)
    total = format_money(Decimal(content["totals"]["total"]), content["currency"])
    assert stored.consent_text == consent_text(
        company_name=shared.quote.company.name, quote_number=shared.quote.number, total=total
    )
    assert shared.quote.number in stored.consent_text and total in stored.consent_text
    assert "electronically" in stored.consent_text
    assert stored.consent_version == CONSENT_VERSION
    assert before <= stored.accepted_at <= after
    assert stored.accepted_at.utcoffset() == dt.timedelta(0)
    assert stored.ip == CLIENT_META.ip
    assert stored.user_agent == CLIENT_META.user_agent
    assert stored.share_id == shared.share.pk and stored.link_key == shared.share.key
    assert stored.revision_id == revision.pk and stored.revision_number == 1
    assert stored.content_hash == revision.content_hash
    assert stored.content_hash == hashlib.sha256(revision.content.encode("utf-8")).hexdigest()
    assert stored.total == content["totals"]["total"] and stored.currency == "EUR"


def test_security_15_the_signature_hash_is_recomputable_from_the_stored_record(
    shared: Shared,
) -> None:
    # given the events before the acceptance
    last_before = QuoteEvent.objects.filter(quote=shared.quote).order_by("-sequence").first()
    assert last_before is not None

    # when the client accepts
    accept_shared(shared)

    # then SHA-256(previous event's hash || canonical JSON of the record), computed here from
    # the stored columns, is the stored signature hash
    stored = Acceptance.objects.get()
    record = {
        "quote": str(shared.quote.pk),
        "share": str(shared.share.pk),
        "link_key": shared.share.key,
        "revision_number": "1",
        "content_hash": stored.content_hash,
        "signer_name": "Anna Client",
        "signer_email": "anna@client.test",
        "consent_text": stored.consent_text,
        "consent_version": CONSENT_VERSION,
        "accepted_at": stored.accepted_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
        + "+00:00",
        "ip": CLIENT_META.ip or "",
        "user_agent": CLIENT_META.user_agent,
        "total": stored.total,
        "currency": "EUR",
        # the deposit agreed: none asked for, so none agreed
        "deposit_percent": "0",
        "deposit_amount": "0.00",
        # the language the client was shown the quote and the consent text in
        "language": "en",
    }
    assert stored.prev_hash == last_before.hash
    assert stored.signature_hash == independent_signature_hash(last_before.hash, record)
    assert stored.signature_hash == signature_hash(stored.prev_hash, stored)
    assert len(stored.signature_hash) == 64


def test_security_16_the_accepted_event_follows_the_signature_in_the_chain(
    shared: Shared,
) -> None:
    acceptance = accept_shared(shared)

    # then the quote_accepted event is the next link after the one the signature covers,
    # and carries the signature hash; the whole chain still verifies
    event = QuoteEvent.objects.get(quote=shared.quote, kind=EventKind.QUOTE_ACCEPTED)
    assert event.sequence == acceptance.event_sequence
    assert event.prev_hash == acceptance.prev_hash
    previous = QuoteEvent.objects.get(quote=shared.quote, sequence=event.sequence - 1)
    assert previous.hash == acceptance.prev_hash != GENESIS_HASH
    assert event.data == {"acceptance": acceptance.pk, "signature_hash": acceptance.signature_hash}
    assert event.revision_number == 1
    assert event.share_id == shared.share.pk
    assert event.ip == anonymised_ip(CLIENT_META.ip)  # the full address is on the acceptance
    assert not QuoteEvent.objects.filter(quote=shared.quote, sequence__gt=event.sequence).exists()
    assert verify_quote_chain(shared.quote.pk).ok


def test_acceptance_without_the_gate_closes_the_quote_and_sets_everything_off(
    shared: Shared, rep, stocked
) -> None:  # type: ignore[no-untyped-def]
    desk, chair = stocked
    acceptance = accept_shared(shared)

    # the quote is closed; no payment is waited for
    shared.quote.refresh_from_db()
    assert shared.quote.state == QuoteState.CLOSED
    assert not Payment.objects.exists()

    # one draft delivery note, one line per quote line, stock reserved, shortfall backordered
    note = DeliveryNote.objects.get()
    assert note.quote_id == shared.quote.pk and note.state == DeliveryNoteState.DRAFT
    quote_lines = list(Line.objects.filter(quote=shared.quote).order_by("position"))
    lines = list(note.lines.order_by("position"))
    assert [line.quote_line_id for line in lines] == [line.pk for line in quote_lines]
    assert [(line.quantity, line.reserved_quantity, line.backorder_quantity) for line in lines] == [
        (Decimal(2), Decimal(2), Decimal(0)),
        (Decimal(1), Decimal(0), Decimal(0)),
        (Decimal(3), Decimal(1), Decimal(2)),
    ]
    assert StockLevel.objects.get(product=desk).reserved == Decimal(2)
    assert StockLevel.objects.get(product=chair).reserved == Decimal(1)

    # one notification for the owner
    notification = Notification.objects.get()
    assert notification.user_id == rep.pk
    assert notification.kind == NotificationKind.QUOTE_ACCEPTED
    assert notification.quote_id == shared.quote.pk
    assert "Anna Client" in notification.text and shared.quote.number in notification.text

    # two emails in the outbox: to the owner and to the signer
    emails = OutboxEmail.objects.filter(kind__in=ACCEPTANCE_KINDS).order_by("kind")
    # (each with the signature hash it shows, recorded as it was when the client accepted)
    context = {"acceptance": acceptance.pk, "signature_hash": acceptance.signature_hash}
    assert [(e.kind, e.to_email, e.context) for e in emails] == [
        ("acceptance_client", "anna@client.test", context),
        ("acceptance_rep", rep.email, context),
    ]
    assert {e.status for e in emails} == {"pending"}


def test_acceptance_behind_the_finance_gate_waits_for_billing(shared: Shared, company) -> None:  # type: ignore[no-untyped-def]
    company.finance_gate = True
    company.save()

    accept_shared(shared)

    shared.quote.refresh_from_db()
    assert shared.quote.state == QuoteState.READY_FOR_BILLING
    payment = Payment.objects.get()
    assert payment.quote_id == shared.quote.pk and payment.status == PaymentStatus.PENDING
    assert DeliveryNote.objects.count() == 1
    assert Notification.objects.count() == 1
    assert OutboxEmail.objects.filter(kind__in=ACCEPTANCE_KINDS).count() == 2


def test_a_quote_with_changes_requested_can_be_accepted(shared: Shared) -> None:
    with transaction.atomic():
        Quote.objects.filter(pk=shared.quote.pk).update(state=QuoteState.CHANGES_REQUESTED)
    assert QuoteState.CHANGES_REQUESTED in ACCEPTABLE_STATES
    accept_shared(shared)
    assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.CLOSED


def test_the_client_can_accept_the_new_revision_after_an_edit(shared: Shared) -> None:
    new = edit_and_share_again(shared)
    acceptance = accept_shared(shared)
    assert acceptance.revision_number == new.number == 2
    assert acceptance.content_hash == new.content_hash


# -- refusals: nothing written ------------------------------------------------------------------


BAD_INPUT = {
    "empty name": ({"signer_name": "   "}, "signer_name"),
    "overlong name": ({"signer_name": "A" * 201}, "signer_name"),
    "name with a line break": ({"signer_name": "Anna\nBcc: x@evil.test"}, "signer_name"),
    "name with NUL": ({"signer_name": "Anna\x00Client"}, "signer_name"),
    "name with DEL": ({"signer_name": "Anna\x7fClient"}, "signer_name"),
    "empty email": ({"signer_email": ""}, "signer_email"),
    "bad email": ({"signer_email": "anna-at-client"}, "signer_email"),
    "email with a header": (
        {"signer_email": "anna@client.test\r\nBcc: x@evil.test"},
        "signer_email",
    ),
    "overlong email": ({"signer_email": "a" * 250 + "@client.test"}, "signer_email"),
    "consent not ticked": ({"consent": False}, "consent"),
}

BAD_INPUT_CASES = [pytest.param(case, id=label) for label, case in BAD_INPUT.items()] + [
    pytest.param(({"signer_name": name}, "signer_name"), id=label)
    for label, name in (
        ("name with NEL", "Anna\x85Bcc: x@evil.test"),
        ("name with LINE SEPARATOR", "Anna\u2028Bcc: x@evil.test"),
        ("name with PARAGRAPH SEPARATOR", "Anna\u2029Client"),
        ("name with a C1 control", "Anna\x9bClient"),
        ("name with a right-to-left override", "Anna\u202eevil"),
    )
]


@pytest.mark.parametrize("case", BAD_INPUT_CASES)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    shared: Shared, case
) -> None:  # type: ignore[no-untyped-def]
    changes, field = case
    values = {
        "signer_name": "Anna Client",
        "signer_email": "anna@client.test",
        "consent": True,
        **changes,
    }
    before = footprint(shared.quote)

    with pytest.raises(ValidationFailed) as refused:
        quote_accept(
            share=shared.share,
            revision_hash=latest_revision_hash(shared.quote),
            request_meta=CLIENT_META,
            **values,
        )

    assert list(refused.value.field_errors) == [field]
    assert refused.value.field_errors[field][0].endswith(".")
    assert footprint(shared.quote) == before


def test_every_input_problem_is_named_at_once() -> None:
    errors = acceptance_input_errors(name="", email="nope", consent=False)
    assert set(errors) == {"signer_name", "signer_email", "consent"}
    assert acceptance_input_errors(name="A" * 200, email="a@b.test", consent=True) == {}


def test_security_13_a_stale_revision_hash_records_nothing(shared: Shared) -> None:
    # given the client opened revision 1, then the rep edited the quote and shared it again
    seen = latest_revision_hash(shared.quote)
    edit_and_share_again(shared)
    before = footprint(shared.quote)

    # when the client accepts what they saw
    with pytest.raises(RevisionMismatch) as refused:
        quote_accept(
            share=shared.share,
            signer_name="Anna Client",
            signer_email="anna@client.test",
            consent=True,
            revision_hash=seen,
            request_meta=CLIENT_META,
        )

    # then they are asked to review again, and nothing is recorded
    assert refused.value.message == REVIEW_AGAIN
    assert footprint(shared.quote) == before


@pytest.mark.parametrize("revision_hash", ["", "0" * 64, "not-a-hash"])
def test_a_missing_or_forged_revision_hash_records_nothing(
    shared: Shared, revision_hash: str
) -> None:
    before = footprint(shared.quote)
    with pytest.raises(RevisionMismatch):
        quote_accept(
            share=shared.share,
            signer_name="Anna Client",
            signer_email="anna@client.test",
            consent=True,
            revision_hash=revision_hash,
            request_meta=CLIENT_META,
        )
    assert footprint(shared.quote) == before


def test_security_4_an_expired_quote_cannot_be_accepted(shared: Shared) -> None:
    expire(shared.quote)
    before = footprint(shared.quote)
    with pytest.raises(QuoteNotAcceptable) as refused:
        accept_shared(shared)
    assert not isinstance(refused.value, AlreadyAnswered)
    assert "expired" in refused.value.message
    assert footprint(shared.quote) == before


def test_a_cancelled_quote_cannot_be_accepted(shared: Shared, rep) -> None:  # type: ignore[no-untyped-def]
    quote_cancel(quote=shared.quote, user=rep)
    before = footprint(shared.quote)
    with pytest.raises(QuoteNotAcceptable) as refused:
        accept_shared(shared)
    assert "withdrawn" in refused.value.message
    assert footprint(shared.quote) == before


def test_a_declined_quote_cannot_be_accepted(shared: Shared) -> None:
    decline(shared.quote)
    before = footprint(shared.quote)
    with pytest.raises(QuoteNotAcceptable) as refused:
        accept_shared(shared)
    assert "declined" in refused.value.message
    assert footprint(shared.quote) == before


def test_security_4_a_revoked_link_cannot_accept(shared: Shared, rep) -> None:  # type: ignore[no-untyped-def]
    # given the client's page was open when the rep revoked the link
    share = PortalShare.objects.get(pk=shared.share.pk)
    share_revoke(share=share, user=rep)
    before = footprint(shared.quote)
    # when the stale share object is used to accept, it is refused under the lock
    with pytest.raises(NotFound):
        accept_shared(shared)
    assert footprint(shared.quote) == before


def test_security_18_a_second_acceptance_is_already_answered_and_writes_nothing(
    shared: Shared,
) -> None:
    accept_shared(shared)
    before = footprint(shared.quote)

    with pytest.raises(AlreadyAnswered) as repeated:
        accept_shared(shared, name="Someone Else", email="else@client.test")

    assert "already been accepted" in repeated.value.message
    assert footprint(shared.quote) == before


def test_a_second_recipient_cannot_accept_after_the_first(shared: Shared, rep) -> None:  # type: ignore[no-untyped-def]
    # given the quote was shared with two people and the first accepted
    other = share_send(
        quote=shared.quote, user=rep, recipient_name="Bob", recipient_email="bob@client.test"
    )
    accept_shared(shared)
    before = footprint(shared.quote)
    # when the second one accepts too
    second = Shared(quote=shared.quote, share=other, token="")
    with pytest.raises(AlreadyAnswered):
        accept_shared(second, name="Bob", email="bob@client.test")
    assert footprint(shared.quote) == before
    assert Acceptance.objects.get().share_id == shared.share.pk


def test_a_staff_edit_is_refused_once_accepted(shared: Shared) -> None:
    """SECURITY.md 14: an accepted quote can no longer be edited."""
    from quotery.core.exceptions import QuoteLocked

    accept_shared(shared)
    before = footprint(shared.quote)
    with pytest.raises(QuoteLocked):
        edit_and_share_again(shared)
    assert footprint(shared.quote) == before


def test_another_company_member_is_not_the_owner(shared: Shared, other_company) -> None:  # type: ignore[no-untyped-def]
    """The notification and the rep's email go to the quote's owner only."""
    member(other_company, Role.REP)
    member(shared.quote.company, Role.MANAGER)
    accept_shared(shared)
    assert list(Notification.objects.values_list("user_id", flat=True)) == [shared.quote.owner_id]
