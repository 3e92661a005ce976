"""What each kind of event carries in its `data`, typed: one frozen dataclass per kind.

The named event functions (`quotery.engagement.events`) build these and store `to_data()`;
readers call `payload_of(event)` and get the kind's class back, or `EventDataInvalid` with a
sentence naming what is wrong (never a KeyError in a template).

The chain hash covers the stored dict (SECURITY.md 16), so each class is the JSON its kind
has always stored: the field order is the stored key order, `stored_as` names a key Python
cannot spell ("from"), and the types are exact (a bool is not an int). Changing a class
changes what new rows hash to and must keep every stored row readable. Values are checked
when a payload is built, so a writer cannot store what a reader would refuse.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from quotery.core.exceptions import ApplicationError
from quotery.engagement.models import EventKind, QuoteEvent

# quotery.sharing.models.AuthorKind.CLIENT, the author of a client's message.
CLIENT_AUTHOR = "client"


class EventDataInvalid(ApplicationError):
    """An event's kind is unknown here or its data is not that kind's: a row written around
    the named event functions (or by a newer version). `manage.py verify` names such rows."""

    code = "event_data_invalid"
    http_status = 500


def stored_as(key: str, **field: Any) -> Any:
    """A field stored under another JSON key than its name (`field`: e.g. its default)."""
    return dataclasses.field(metadata={"key": key}, **field)


@dataclass(frozen=True)
class _Key:
    name: str  # the field
    key: str  # its JSON key
    type: type  # bool, int, str, or dict (checked further by its class)
    # May be absent from stored rows (see the field's comment); never stored as null.
    optional: bool


_KEYS: dict[type, tuple[_Key, ...]] = {}


def _keys(cls: type[EventPayload]) -> tuple[_Key, ...]:
    """The class's fields as stored keys (read once per class)."""
    keys = _KEYS.get(cls)
    if keys is None:
        keys = _KEYS[cls] = _read_keys(cls)
    return keys


def _read_keys(cls: type[EventPayload]) -> tuple[_Key, ...]:
    hints = typing.get_type_hints(cls)
    keys = []
    for field in dataclasses.fields(cls):
        hint = hints[field.name]  # bool, int, str, dict[...], or one of them | None
        optional = type(None) in typing.get_args(hint)
        if optional:
            (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        hint = typing.get_origin(hint) or hint  # dict[str, int] is checked as a dict
        keys.append(_Key(field.name, field.metadata.get("key", field.name), hint, optional))
    return tuple(keys)


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


@dataclass(frozen=True, kw_only=True)
class EventPayload:
    """The data of one event kind; subclasses declare `kind` and their fields."""

    kind: ClassVar[EventKind]

    def __post_init__(self) -> None:
        for key in _keys(type(self)):
            value = getattr(self, key.name)
            if value is None and key.optional:
                continue
            # Exact types: JSON's true is not the number 1, nor 1 true.
            fits = isinstance(value, str) if key.type is str else type(value) is key.type
            if not fits:
                raise EventDataInvalid(
                    f"{self.kind} data: {key.key!r} must be {key.type.__name__}, "
                    f"not {_type_name(value)}"
                )

    @classmethod
    def from_data(cls, data: object) -> Self:
        """The payload stored as `data`; EventDataInvalid for a missing, unknown or
        mistyped key."""
        if not isinstance(data, dict):
            raise EventDataInvalid(f"{cls.kind} data must be an object, not {_type_name(data)}")
        keys = _keys(cls)
        unknown = sorted(str(key) for key in set(data) - {key.key for key in keys})
        if unknown:
            raise EventDataInvalid(f"{cls.kind} data has unknown keys: {', '.join(unknown)}")
        missing = [key.key for key in keys if key.key not in data and not key.optional]
        if missing:
            raise EventDataInvalid(f"{cls.kind} data lacks {', '.join(missing)}")
        # An optional key is left out, never stored as null: a null is not what was written.
        nulls = [key.key for key in keys if key.key in data and data[key.key] is None]
        if nulls:
            raise EventDataInvalid(f"{cls.kind} data has null {', '.join(nulls)}")
        return cls(**{key.name: data[key.key] for key in keys if key.key in data})

    def to_data(self) -> dict[str, Any]:
        """The JSON to store: the fields in their order under their keys, optional fields
        left out when None (as the rows that lack them)."""
        return {
            key.key: value
            for key in _keys(type(self))
            if (value := getattr(self, key.name)) is not None or not key.optional
        }


@dataclass(frozen=True, kw_only=True)
class QuoteShared(EventPayload):
    kind = EventKind.QUOTE_SHARED
    resend: bool
    # Absent from the rows `seed_engagement` writes, which carry only `resend`.
    with_message: bool | None = None
    send: int | None = None  # the share's send count after this send


@dataclass(frozen=True, kw_only=True)
class LinkRevoked(EventPayload):
    kind = EventKind.LINK_REVOKED


@dataclass(frozen=True, kw_only=True)
class LinkOpened(EventPayload):
    kind = EventKind.LINK_OPENED
    # The id the open had while it waited to be chained (a PendingOpen), which the page's
    # view token names; absent from opens chained at once (and from those before).
    pending: int | None = None


@dataclass(frozen=True, kw_only=True)
class QuoteViewed(EventPayload):
    kind = EventKind.QUOTE_VIEWED
    open: int  # the sequence of the LINK_OPENED event this view confirms


@dataclass(frozen=True, kw_only=True)
class PdfDownloaded(EventPayload):
    kind = EventKind.PDF_DOWNLOADED
    accepted_copy: bool


@dataclass(frozen=True, kw_only=True)
class MessagePosted(EventPayload):
    kind = EventKind.MESSAGE_POSTED
    # The message's id; absent from the rows `seed_engagement` writes.
    message: int | None = None
    author: str  # an AuthorKind value

    @property
    def from_client(self) -> bool:
        return self.author == CLIENT_AUTHOR


@dataclass(frozen=True, kw_only=True)
class QuoteAccepted(EventPayload):
    kind = EventKind.QUOTE_ACCEPTED
    acceptance: int
    signature_hash: str
    # The SHA-256 of the choices accepted, on a quote with options; absent otherwise.
    configuration_hash: str | None = None


@dataclass(frozen=True, kw_only=True)
class ChangesRequested(EventPayload):
    kind = EventKind.CHANGES_REQUESTED
    # The client's message's id; absent from the rows `seed_engagement` writes.
    message: int | None = None


@dataclass(frozen=True, kw_only=True)
class QuoteDeclined(EventPayload):
    kind = EventKind.QUOTE_DECLINED
    reason: str  # a DeclineReason value, "" for none given
    # Whether the client wrote more; absent from the rows `seed_engagement` writes.
    with_detail: bool | None = None


@dataclass(frozen=True, kw_only=True)
class PaymentStatusChanged(EventPayload):
    kind = EventKind.PAYMENT_STATUS_CHANGED
    previous: str = stored_as("from")  # PaymentStatus values
    status: str = stored_as("to")

    @property
    def status_words(self) -> str:
        """The new status as words ("under review"); the billing app owns its labels."""
        return self.status.replace("_", " ")


# quotery.reminders' reasons for a reminder (ReminderReason values).
REMINDER_NO_VIEW = "no_view"
REMINDER_BEFORE_EXPIRY = "before_expiry"


@dataclass(frozen=True, kw_only=True)
class ReminderSent(EventPayload):
    kind = EventKind.REMINDER_SENT
    reason: str  # "no_view" (no counted view `days` after sharing) or "before_expiry"
    days: int  # days after the share, or days before the quote expires
    slot: str  # the reminder's slot, unique per share (quotery.reminders.models)

    @property
    def description(self) -> str:
        unit = "day" if self.days == 1 else "days"
        if self.reason == REMINDER_BEFORE_EXPIRY:
            return f"Reminder sent: expires in {self.days} {unit}"
        return f"Reminder sent: not viewed {self.days} {unit} after sharing"


@dataclass(frozen=True, kw_only=True)
class QuoteExpired(EventPayload):
    kind = EventKind.QUOTE_EXPIRED
    valid_until: str  # the ISO date whose end expired the quote


# The parts of a client page whose time on screen is measured: "section:<position>"
# (1-based, in the revision's order), the totals, and the notes.
ATTENTION_TOTALS = "totals"
ATTENTION_NOTES = "notes"
SECTION_KEY_PREFIX = "section:"
# More keys than any quote has sections: a payload naming more is not one we wrote.
ATTENTION_MAX_KEYS = 202
# A day: more than any batch can add (the beacon takes a page's batches for 12 hours).
ATTENTION_MAX_SECONDS = 86_400


def is_attention_key(key: object) -> bool:
    """Whether `key` has the shape of a measured part ("section:3", "totals", "notes")."""
    if not isinstance(key, str):
        return False
    if key in (ATTENTION_TOTALS, ATTENTION_NOTES):
        return True
    number = key.removeprefix(SECTION_KEY_PREFIX)
    return (
        number != key and number.isascii() and number.isdigit() and 0 < len(number) <= 4
    ) and not number.startswith("0")


@dataclass(frozen=True, kw_only=True)
class SectionTime(EventPayload):
    """Seconds one counted view's page showed each part of the quote in a visible tab, added
    since that view's previous SectionTime event. A view's time on a part is the sum over its
    events; they never hold a second twice."""

    kind = EventKind.SECTION_TIME
    view: int  # the sequence of the QUOTE_VIEWED event whose page measured it
    # part ("section:1", "totals", "notes") -> whole seconds, 1 to ATTENTION_MAX_SECONDS
    sections: dict[str, int]
    # The part that came on screen last before the page sent the batch, when it said.
    last: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.last is not None and not is_attention_key(self.last):
            raise EventDataInvalid(f"{self.kind} data: {self.last!r} is not a part of a quote")
        if len(self.sections) > ATTENTION_MAX_KEYS:
            raise EventDataInvalid(f"{self.kind} data: too many sections")
        for key, seconds in self.sections.items():
            if not is_attention_key(key):
                raise EventDataInvalid(f"{self.kind} data: {key!r} is not a part of a quote")
            if type(seconds) is not int or not 0 < seconds <= ATTENTION_MAX_SECONDS:
                raise EventDataInvalid(
                    f"{self.kind} data: the seconds of {key!r} must be an int from 1 to "
                    f"{ATTENTION_MAX_SECONDS}"
                )


# What an option change did (the "change" key of OPTION_CHANGED events).
OPTION_ADDED = "added"
OPTION_REMOVED = "removed"
OPTION_CHOSE = "chose"
OPTION_QUANTITY = "quantity"
OPTION_CHANGES = (OPTION_ADDED, OPTION_REMOVED, OPTION_CHOSE, OPTION_QUANTITY)


@dataclass(frozen=True, kw_only=True)
class OptionChanged(EventPayload):
    """The client added or removed an optional line, chose one of a section's alternatives,
    or changed an adjustable quantity. Keys that do not apply are left out."""

    kind = EventKind.OPTION_CHANGED
    change: str  # one of OPTION_CHANGES
    line: str  # the line's description
    section: str  # its section's title
    replaced: str | None = None  # for "chose": the previous choice's description
    # For "quantity": the old and the new quantity.
    previous: str | None = stored_as("from", default=None)
    to: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.change not in OPTION_CHANGES:
            raise EventDataInvalid(f"{self.kind} data: {self.change!r} is not a change")

    @property
    def description(self) -> str:
        """The change as the rep reads it: "added Extended warranty", "chose Oak over
        Walnut", "quantity 8 -> 12" (with the line's name)."""
        if self.change == OPTION_CHOSE:
            over = f" over {self.replaced}" if self.replaced else ""
            return f"chose {self.line}{over}"
        if self.change == OPTION_QUANTITY:
            return f"{self.line}: quantity {self.previous or '?'} -> {self.to or '?'}"
        return f"{self.change} {self.line}"


PAYLOADS: dict[str, type[EventPayload]] = {
    cls.kind: cls
    for cls in (
        QuoteShared,
        LinkRevoked,
        LinkOpened,
        QuoteViewed,
        PdfDownloaded,
        MessagePosted,
        QuoteAccepted,
        ChangesRequested,
        QuoteDeclined,
        PaymentStatusChanged,
        ReminderSent,
        QuoteExpired,
        SectionTime,
        OptionChanged,
    )
}


def payload_from(kind: str, data: object) -> EventPayload:
    """The payload of an event of `kind` stored as `data`; EventDataInvalid for a kind this
    version does not know or data that is not the kind's."""
    cls = PAYLOADS.get(kind)
    if cls is None:
        raise EventDataInvalid(f"{kind!r} is not an event kind this version knows")
    return cls.from_data(data)


def payload_of(event: QuoteEvent) -> EventPayload:
    """The event's data as its kind's class; EventDataInvalid names the event and what is
    wrong with it."""
    try:
        return payload_from(event.kind, event.data)
    except EventDataInvalid as error:
        raise EventDataInvalid(
            f"Event #{event.sequence} of quote {event.quote_id} cannot be read: "
            f"{error.message}. Run manage.py verify."
        ) from error
