"""What the API reads and writes, as JSON schemas (OpenAPI 3.1 through django-ninja).

Money is an object of strings: {"amount": "1234.50", "currency": "EUR"}, the amount with
the currency's minor digits. Quantities, prices and rates are decimal strings. Times are
ISO 8601 with their offset (UTC); dates are ISO dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, Field

from quotery.core.text import has_control_characters
from quotery.webhooks.event_types import ALL_EVENT_TYPES

DECIMAL_PATTERN = r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$"
MAX_ID = 2**63 - 1


def _one_line(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("Control characters are not allowed here.")
    return value


def _text(value: str) -> str:
    if has_control_characters(value.replace("\n", "").replace("\r", "").replace("\t", "")):
        raise ValueError("Control characters other than line breaks are not allowed here.")
    return value


Line = Annotated[str, AfterValidator(_one_line)]
Text = Annotated[str, AfterValidator(_text)]
DecimalText = Annotated[str, Field(pattern=DECIMAL_PATTERN, examples=["12.50"])]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Problem(Schema):
    """An error (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, str]] | None = None


class Money(Schema):
    amount: str = Field(examples=["1234.50"])
    currency: str = Field(examples=["EUR"])


class Ref(Schema):
    id: int
    name: str


class PersonRef(Schema):
    id: int
    name: str
    email: str


# Quotes ----------------------------------------------------------------------------------

QuoteStatus = Literal[
    "draft",
    "sent",
    "changes_requested",
    "accepted",
    "ready_for_billing",
    "closed",
    "declined",
    "expired",
    "cancelled",
]


class QuoteSummary(Schema):
    id: int
    number: str
    title: str
    status: QuoteStatus
    client: Ref
    contact_id: int | None
    owner: PersonRef
    currency: str
    total: Money
    issue_date: dt.date
    valid_until: dt.date
    revision_number: int
    line_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class QuotePage(Schema):
    items: list[QuoteSummary]
    next_cursor: str | None


class LineOut(Schema):
    id: int
    position: int
    product_id: int | None
    sku: str
    description: str
    quantity: str
    unit_price: Money
    discount_percent: str
    tax_rate: str
    net_amount: Money
    optional: bool = Field(description="The client may add or remove the line.")
    included_by_default: bool = Field(
        description="An optional line or a Choose one section's line: in the quote as the "
        "client first sees it (and in the quote's total)."
    )
    min_quantity: str | None = Field(
        description="With max_quantity: the client may change the quantity between them."
    )
    max_quantity: str | None


class SectionOut(Schema):
    id: int
    position: int
    title: str
    choose_one: bool = Field(description="The client picks exactly one of the lines.")
    subtotal: Money
    lines: list[LineOut]


class QuoteDetail(QuoteSummary):
    notes: str
    internal_notes: str
    subtotal: Money
    discount_total: Money
    tax_total: Money
    sections: list[SectionOut]
    first_shared_at: dt.datetime | None
    delivery_note_id: int | None
    accepted: bool
    payment_status: str | None


class LineIn(Schema):
    description: Line = Field("", max_length=500)
    product_id: Id | None = None
    quantity: DecimalText = "1"
    unit_price: DecimalText | None = Field(
        None, description="The product's price when a product is given and this is left out."
    )
    discount_percent: DecimalText = "0"
    tax_rate: DecimalText | None = Field(
        None, description="The product's rate, else the company's default, when left out."
    )
    optional: bool = Field(False, description="The client may add or remove the line.")
    included_by_default: bool = Field(
        False,
        description="An optional line: in the quote when the client opens it. In a Choose "
        "one section exactly one line says true: the one chosen at first.",
    )
    min_quantity: DecimalText | None = Field(
        None,
        description="With max_quantity: the client may change the quantity between them "
        "(the quantity, where they start, must be between).",
    )
    max_quantity: DecimalText | None = None


class SectionIn(Schema):
    title: Line = Field(max_length=200)
    choose_one: bool = Field(
        False,
        description="The client picks exactly one of the section's lines (at least two, "
        "none optional).",
    )
    lines: list[LineIn] = Field(default_factory=list, max_length=1000)


class QuoteIn(Schema):
    client_id: Id
    contact_id: Id | None = None
    title: Line = Field(max_length=200)
    currency: str | None = Field(None, description="The company's currency when left out.")
    issue_date: dt.date | None = Field(None, description="Today when left out.")
    valid_until: dt.date | None = Field(
        None, description="The issue date plus the company's validity days when left out."
    )
    notes: Text = Field("", max_length=5000)
    internal_notes: Text = Field("", max_length=5000)
    sections: list[SectionIn] = Field(default_factory=list, max_length=50)


class QuoteCreate(QuoteIn):
    owner_id: Id | None = Field(
        None, description="A member of the company; the key's creator when left out."
    )


class ShareOut(Schema):
    id: int
    recipient_name: str
    recipient_email: str
    created_at: dt.datetime
    last_sent_at: dt.datetime | None
    send_count: int
    revoked_at: dt.datetime | None
    last_viewed_revision: int
    url: str | None = Field(description="The client's link; null once revoked.")


class ShareIn(Schema):
    recipient_name: Line = Field(max_length=200)
    recipient_email: Line = Field(max_length=254)
    message: Text = Field("", max_length=2000)


class EventOut(Schema):
    sequence: int
    kind: str
    label: str
    occurred_at: dt.datetime
    revision_number: int
    recipient_email: str
    actor: PersonRef | None
    counted_as_view: bool = Field(
        description="True for views a visible browser confirmed (quote_viewed). An open that "
        "none confirmed (link_opened: a link scanner or mail preview) never counts."
    )
    hash: str


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None


# Clients and contacts ---------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    name: str
    email: str
    phone: str


class ClientOut(Schema):
    id: int
    name: str
    address: str
    vat_number: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ClientDetail(ClientOut):
    contacts: list[ContactOut]


class ClientPage(Schema):
    items: list[ClientOut]
    next_cursor: str | None


class ClientIn(Schema):
    name: Line = Field(max_length=200)
    address: Text = Field("", max_length=1000)
    vat_number: Line = Field("", max_length=40)


class ContactIn(Schema):
    name: Line = Field(max_length=200)
    email: Line = Field(max_length=254)
    phone: Line = Field("", max_length=40)


# Products ---------------------------------------------------------------------------------


class StockOut(Schema):
    on_hand: str
    reserved: str
    available: str


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    unit_price: Money
    tax_rate: str
    tracks_stock: bool
    is_active: bool
    stock: StockOut | None
    updated_at: dt.datetime


class ProductPage(Schema):
    items: list[ProductOut]
    next_cursor: str | None


# Acceptances, payments, delivery notes ----------------------------------------------------


class AcceptedChoices(Schema):
    """What the client chose, lines named "<section>.<line>" by position from 0 ("1.0": the
    first line of the second section)."""

    included: dict[str, bool] = Field(description="Each optional line: taken or not.")
    chosen: dict[str, str] = Field(description="Each Choose one section: the line chosen.")
    quantities: dict[str, str] = Field(description="Each adjustable line: its quantity.")


class AcceptedConfiguration(Schema):
    choices: AcceptedChoices
    hash: str = Field(description="SHA-256 of the choices' canonical JSON, as signed.")
    total: Money = Field(description="The total of the quote with these choices: the one accepted.")


class AcceptanceOut(Schema):
    quote_id: int
    signer_name: str
    signer_email: str
    accepted_at: dt.datetime
    revision_number: int
    content_hash: str
    signature_hash: str
    consent_text: str
    consent_version: str
    ip: str | None
    user_agent: str
    total: Money
    share_id: int
    pdf_sha256: str | None = Field(description="SHA-256 of the sealed PDF once it is stored.")
    configuration: AcceptedConfiguration | None = Field(
        description="On a quote with options, the choices accepted (null without options)."
    )


class PaymentOut(Schema):
    quote_id: int
    status: Literal["pending", "under_review", "paid"]
    updated_at: dt.datetime
    updated_by: PersonRef | None


class PaymentIn(Schema):
    status: Literal["pending", "under_review", "paid"]


class DeliveryLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    sku: str
    description: str
    quantity: str
    reserved_quantity: str
    backorder_quantity: str
    shipped_quantity: str


class DeliveryNoteSummary(Schema):
    id: int
    number: str
    quote_id: int
    status: Literal["draft", "partially_shipped", "shipped", "cancelled"]
    created_at: dt.datetime
    first_shipped_at: dt.datetime | None
    last_shipped_at: dt.datetime | None
    cancelled_at: dt.datetime | None


class DeliveryNoteDetail(DeliveryNoteSummary):
    lines: list[DeliveryLineOut]


class DeliveryNotePage(Schema):
    items: list[DeliveryNoteSummary]
    next_cursor: str | None


# Webhook endpoints ------------------------------------------------------------------------


class WebhookEndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: Literal["by_user", "gone"] | None = Field(
        description="`by_user`: disabled through the API or Settings; `gone`: the receiver "
        "answered 410 Gone. Null while enabled."
    )
    disabled_at: dt.datetime | None
    previous_secret_valid_until: dt.datetime | None = Field(
        description="After a rotation, the old secret also signs deliveries until then."
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookEndpointWithSecret(WebhookEndpointOut):
    secret: str = Field(
        description="The signing secret (`whsec_...`). Shown in this answer only: store it now.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class WebhookEndpointPage(Schema):
    items: list[WebhookEndpointOut]
    next_cursor: str | None


class WebhookEndpointIn(Schema):
    url: Line = Field(
        max_length=2000,
        description="Where events are POSTed: https:// and a public address.",
        examples=["https://crm.example.com/hooks/quotery"],
    )
    event_types: list[Line] = Field(
        max_length=20,
        description="The events to send: " + ", ".join(f"`{name}`" for name in ALL_EVENT_TYPES),
        examples=[["quote.shared", "quote.viewed", "quote.accepted"]],
    )
    description: Line = Field("", max_length=200, examples=["CRM sync"])


class WebhookDeliveryOut(Schema):
    id: int
    event_type: str
    webhook_id: str = Field(description="The `webhook-id` header: the event's stable id.")
    status: Literal["pending", "sending", "succeeded", "failed"]
    attempts: int
    last_status_code: int | None = Field(description="The receiver's last answer (null: none).")
    last_error: str
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    next_attempt_at: dt.datetime | None = Field(description="While pending: the next try.")
    delivered_at: dt.datetime | None


class WebhookDeliveryPage(Schema):
    items: list[WebhookDeliveryOut]
    next_cursor: str | None
