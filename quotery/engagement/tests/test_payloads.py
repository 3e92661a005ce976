"""SECURITY.md 15-16: the `data` every event function writes, pinned kind by kind, and read
back as the kind's typed payload.

The chain hash covers `data`, so its keys and value types are part of every existing row's
hash: rows already written must keep verifying. Each kind's stored JSON is pinned three
ways: the text in the column, the canonical JSON the hash covers, and the hash of the
event's canonical fields with its ids and time fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from quotery.accounts.models import User
from quotery.core.canonical import canonical_hash, canonical_json
from quotery.core.request_meta import RequestMeta
from quotery.engagement import events
from quotery.engagement.chain import verify_quote_chain
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.payloads import (
    PAYLOADS,
    ChangesRequested,
    EventDataInvalid,
    EventPayload,
    LinkOpened,
    LinkRevoked,
    MessagePosted,
    OptionChanged,
    PaymentStatusChanged,
    PdfDownloaded,
    QuoteAccepted,
    QuoteDeclined,
    QuoteExpired,
    QuoteShared,
    QuoteViewed,
    ReminderSent,
    SectionTime,
    payload_from,
    payload_of,
)
from quotery.engagement.tests.conftest import shared
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

META = RequestMeta(ip="203.0.113.7", user_agent="Agent/1.0")
FIXED_TIME = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
H = "ab" * 32  # the signature hash of the pinned acceptance event

Write = Callable[[PortalShare, User], QuoteEvent]
WRITERS: dict[str, Write] = {
    "quote_shared": lambda share, rep: events.event_quote_shared(
        quote=share.quote, share=share, actor=rep, resend=True, with_message=False
    ),
    "link_revoked": lambda share, rep: events.event_link_revoked(
        quote=share.quote, share=share, actor=rep
    ),
    "link_opened": lambda share, rep: events.event_link_opened(
        quote=share.quote, share=share, meta=META
    ),
    "quote_viewed": lambda share, rep: events.event_quote_viewed(
        quote=share.quote, share=share, meta=META, open_sequence=4, revision_number=1
    ),
    "pdf_downloaded": lambda share, rep: events.event_pdf_downloaded(
        quote=share.quote, share=share, meta=META, accepted_copy=True
    ),
    "message_posted": lambda share, rep: events.event_message_posted(
        quote=share.quote, message_id=12, author_kind="client", share=share, meta=META
    ),
    "quote_accepted": lambda share, rep: events.event_quote_accepted(
        quote=share.quote,
        share=share,
        meta=META,
        acceptance_id=34,
        signature_hash=H,
        revision_number=1,
    ),
    "changes_requested": lambda share, rep: events.event_changes_requested(
        quote=share.quote, share=share, meta=META, message_id=56
    ),
    "quote_declined": lambda share, rep: events.event_quote_declined(
        quote=share.quote, share=share, meta=META, reason="price", with_detail=True
    ),
    "payment_status_changed": lambda share, rep: events.event_payment_status_changed(
        quote=share.quote, actor=rep, previous="pending", status="under_review"
    ),
    "reminder_sent": lambda share, rep: events.event_reminder_sent(
        quote=share.quote, share=share, reason="no_view", days=3, slot="s1:after:3"
    ),
    "quote_expired": lambda share, rep: events.event_quote_expired(
        quote=_valid_until(share, dt.date(2026, 1, 31))
    ),
    "attention": lambda share, rep: _written(
        events.event_section_time(
            quote=share.quote,
            share=share,
            meta=META,
            view=events.CountedView(4, FIXED_TIME, 5, 1, share.pk),
            seconds_so_far={"totals": 7, "section:2": 30},
        )
    ),
    "option_changed": lambda share, rep: events.event_option_changed(
        quote=share.quote,
        share=share,
        meta=META,
        change="quantity",
        line="Installation",
        section="Labour",
        previous="8",
        new="12",
    ),
}


def _written(event: QuoteEvent | None) -> QuoteEvent:
    assert event is not None, "the event function wrote nothing"
    return event


def _valid_until(share: PortalShare, day: dt.date):  # type: ignore[no-untyped-def]
    """The share's quote as valid until `day` (in memory: the payload is what is pinned)."""
    share.quote.valid_until = day
    return share.quote


@dataclass(frozen=True)
class Stored:
    sqlite_text: str  # the column's text on SQLite
    postgres_text: str  # on PostgreSQL: jsonb orders the keys its own way
    canonical: bytes  # the canonical JSON the chain hash covers
    fields_hash: str  # SHA-256 of the canonical fields with ids and time fixed


STORED: dict[str, Stored] = {
    "quote_shared": Stored(
        '{"resend": true, "with_message": false, "send": 1}',
        '{"send": 1, "resend": true, "with_message": false}',
        b'{"resend":true,"send":1,"with_message":false}',
        "fbcb84fa7e55ccfd9ee2e884a60dd34c9e4be6e0e42de00057a1ffb6939bbf62",
    ),
    "link_revoked": Stored(
        "{}", "{}", b"{}", "b2f87be608382c89420aadbc5450e8915e16eab7ce2c0516d0d891563b88b978"
    ),
    "link_opened": Stored(
        "{}", "{}", b"{}", "f23c0cd44788aba8cdff4510b4e5665377babbf105d997de660e3f2e5f075542"
    ),
    "quote_viewed": Stored(
        '{"open": 4}',
        '{"open": 4}',
        b'{"open":4}',
        "2b7b68492efd9dccfa38474b98c20d25b90f40829e2c5006e6bdc3d601288bae",
    ),
    "pdf_downloaded": Stored(
        '{"accepted_copy": true}',
        '{"accepted_copy": true}',
        b'{"accepted_copy":true}',
        "fc959a09eaec78c50cc56ca6973bb756b9a10e9398731b13f833b2c49fedf821",
    ),
    "message_posted": Stored(
        '{"message": 12, "author": "client"}',
        '{"author": "client", "message": 12}',
        b'{"author":"client","message":12}',
        "87b5cff83d38bd8bb0df81b30a5175ece0a2f99c94fd07ce24a2b49ea4fd7923",
    ),
    "quote_accepted": Stored(
        f'{{"acceptance": 34, "signature_hash": "{H}"}}',
        f'{{"acceptance": 34, "signature_hash": "{H}"}}',
        f'{{"acceptance":34,"signature_hash":"{H}"}}'.encode(),
        "6d14b4686b6ac9366075f1f5800f63f09e214703ff85f9403d6643998f39d627",
    ),
    "changes_requested": Stored(
        '{"message": 56}',
        '{"message": 56}',
        b'{"message":56}',
        "0e3e2304041d894cd90deba23b77548f15a7fbfad539e24548f31489456128cb",
    ),
    "quote_declined": Stored(
        '{"reason": "price", "with_detail": true}',
        '{"reason": "price", "with_detail": true}',
        b'{"reason":"price","with_detail":true}',
        "00efdb7848adc9bb042346fb57b04c5429be994d0b61c84876838bb4ae48465a",
    ),
    "payment_status_changed": Stored(
        '{"from": "pending", "to": "under_review"}',
        '{"to": "under_review", "from": "pending"}',
        b'{"from":"pending","to":"under_review"}',
        "8642b701b9b742ee26f924df433953fc7e74f37458f57f8ccf25f4654c488d84",
    ),
    "reminder_sent": Stored(
        '{"reason": "no_view", "days": 3, "slot": "s1:after:3"}',
        '{"days": 3, "slot": "s1:after:3", "reason": "no_view"}',
        b'{"days":3,"reason":"no_view","slot":"s1:after:3"}',
        "7c1178c7f8031124e27a2289e8bace0bebcc2738ac7af2137a9d1275d7970ca7",
    ),
    "quote_expired": Stored(
        '{"valid_until": "2026-01-31"}',
        '{"valid_until": "2026-01-31"}',
        b'{"valid_until":"2026-01-31"}',
        "97fb9604fba588a0043a880c73863fe8921f02c8c203dd14b66194e28cf366d5",
    ),
    "attention": Stored(
        '{"view": 5, "sections": {"section:2": 30, "totals": 7}}',
        '{"view": 5, "sections": {"totals": 7, "section:2": 30}}',
        b'{"sections":{"section:2":30,"totals":7},"view":5}',
        "7257f8f29877deb1427a783a0ca3d4e6dfb9d70747402c5becc0ba36d09c36d9",
    ),
    "option_changed": Stored(
        '{"change": "quantity", "line": "Installation", "section": "Labour", "from": "8", '
        '"to": "12"}',
        '{"to": "12", "from": "8", "line": "Installation", "change": "quantity", '
        '"section": "Labour"}',
        b'{"change":"quantity","from":"8","line":"Installation","section":"Labour","to":"12"}',
        "d434776dbf645d683ec44746db5a567e798427ebfbb2cd9d65fa59778080ae69",
    ),
}


# What `payload_of` reads back from each kind's pinned event.
READ: dict[str, EventPayload] = {
    "quote_shared": QuoteShared(resend=True, with_message=False, send=1),
    "link_revoked": LinkRevoked(),
    "link_opened": LinkOpened(),
    "quote_viewed": QuoteViewed(open=4),
    "pdf_downloaded": PdfDownloaded(accepted_copy=True),
    "message_posted": MessagePosted(message=12, author="client"),
    "quote_accepted": QuoteAccepted(acceptance=34, signature_hash=H),
    "changes_requested": ChangesRequested(message=56),
    "quote_declined": QuoteDeclined(reason="price", with_detail=True),
    "payment_status_changed": PaymentStatusChanged(previous="pending", status="under_review"),
    "reminder_sent": ReminderSent(reason="no_view", days=3, slot="s1:after:3"),
    "quote_expired": QuoteExpired(valid_until="2026-01-31"),
    "attention": SectionTime(view=5, sections={"section:2": 30, "totals": 7}),
    "option_changed": OptionChanged(
        change="quantity", line="Installation", section="Labour", previous="8", to="12"
    ),
}


def _column_text(event: QuoteEvent) -> str:
    table = QuoteEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CAST(data AS TEXT) FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def _fixed_fields(event: QuoteEvent) -> dict[str, Any]:
    """The event's canonical fields with what differs from run to run (ids, time) fixed."""
    return {
        **event.canonical_fields(),
        "quote": 1,
        "company": 1,
        "sequence": 2,
        "occurred_at": FIXED_TIME,
        "share": 1 if event.share_id is not None else None,
        "actor": 1 if event.actor_id is not None else None,
    }


@pytest.mark.parametrize("kind", sorted(STORED))
def test_security_16_each_kind_stores_the_json_it_always_stored(kind: str, rep: User) -> None:
    # given a shared quote
    share = shared(rep)

    # when the kind's event function writes its event
    written = WRITERS[kind](share, rep)

    # then the row holds exactly the JSON this kind has always held
    stored = QuoteEvent.objects.get(pk=written.pk)
    assert stored.kind == kind
    expected = STORED[kind]
    text = expected.sqlite_text if connection.vendor == "sqlite" else expected.postgres_text
    assert _column_text(stored) == text
    assert canonical_json(stored.data) == expected.canonical
    assert canonical_hash(_fixed_fields(stored)) == expected.fields_hash
    # and the chain verifies with it
    assert verify_quote_chain(share.quote_id).ok
    # and it reads back as the kind's payload, with the values written
    assert payload_of(stored) == READ[kind]


def test_every_event_kind_is_pinned_and_has_its_payload_class() -> None:
    kinds = {kind.value for kind in EventKind}
    assert set(WRITERS) == set(STORED) == set(READ) == set(PAYLOADS) == kinds


@pytest.mark.parametrize(
    ("kind", "data", "payload"),
    [
        ("quote_shared", {"resend": False}, QuoteShared(resend=False)),
        ("message_posted", {"author": "client"}, MessagePosted(author="client")),
        ("changes_requested", {}, ChangesRequested()),
        ("quote_declined", {"reason": "price"}, QuoteDeclined(reason="price")),
    ],
)
def test_the_rows_the_demo_seed_writes_read_and_store_unchanged(
    kind: str, data: dict[str, Any], payload: EventPayload
) -> None:
    # seed_engagement writes these kinds with fewer keys than their event functions
    assert payload_from(kind, data) == payload
    assert payload.to_data() == data


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("quote_viewed", ["open", 4], "quote_viewed data must be an object, not list"),
        ("quote_viewed", {}, "quote_viewed data lacks open"),
        ("quote_viewed", {"open": 4, "seen": True}, "quote_viewed data has unknown keys: seen"),
        ("quote_viewed", {"open": "4"}, "quote_viewed data: 'open' must be int, not str"),
        ("quote_viewed", {"open": True}, "quote_viewed data: 'open' must be int, not bool"),
        (
            "pdf_downloaded",
            {"accepted_copy": 1},
            "pdf_downloaded data: 'accepted_copy' must be bool, not int",
        ),
        ("quote_shared", {"resend": True, "send": None}, "quote_shared data has null send"),
        ("payment_status_changed", {"to": "paid"}, "payment_status_changed data lacks from"),
        ("quote_accepted", None, "quote_accepted data must be an object, not null"),
        ("something_new", {}, "'something_new' is not an event kind this version knows"),
    ],
)
def test_data_that_is_not_its_kinds_is_refused_with_a_sentence(
    kind: str, data: object, message: str
) -> None:
    with pytest.raises(EventDataInvalid) as refused:
        payload_from(kind, data)
    assert refused.value.message == message


def test_an_unreadable_event_is_named_by_its_quote_and_sequence(rep: User) -> None:
    # given a view whose data was edited behind the app's back
    share = shared(rep)
    view = WRITERS["quote_viewed"](share, rep)
    QuoteEvent.objects.filter(pk=view.pk).update(data={"open": "4"})

    with pytest.raises(EventDataInvalid) as refused:
        payload_of(QuoteEvent.objects.get(pk=view.pk))

    assert refused.value.message == (
        f"Event #{view.sequence} of quote {share.quote_id} cannot be read: quote_viewed data: "
        "'open' must be int, not str. Run manage.py verify."
    )


def test_a_payload_of_the_wrong_types_cannot_be_written(rep: User) -> None:
    share = shared(rep)
    before = QuoteEvent.objects.count()

    with pytest.raises(EventDataInvalid):
        events.event_quote_viewed(
            quote=share.quote,
            share=share,
            meta=META,
            open_sequence="4",  # type: ignore[arg-type]
            revision_number=1,
        )

    assert QuoteEvent.objects.count() == before


@pytest.mark.parametrize(
    ("data", "payload"),
    [
        (
            {"change": "added", "line": "Extended warranty", "section": "Furniture"},
            OptionChanged(change="added", line="Extended warranty", section="Furniture"),
        ),
        (
            {"change": "chose", "line": "Oak", "section": "Finish", "replaced": "Walnut"},
            OptionChanged(change="chose", line="Oak", section="Finish", replaced="Walnut"),
        ),
    ],
)
def test_option_changes_without_a_quantity_leave_from_and_to_out(
    data: dict[str, Any], payload: EventPayload
) -> None:
    assert payload_from("option_changed", data) == payload
    assert payload.to_data() == data


def test_an_option_change_of_no_known_kind_is_refused() -> None:
    with pytest.raises(EventDataInvalid, match="is not a change"):
        OptionChanged(change="deleted", line="X", section="Y")
