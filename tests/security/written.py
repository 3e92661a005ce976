"""Everything a form or a portal POST could write, to compare before and after a refusal."""

from __future__ import annotations

from quotery.accounts.models import Company, Membership, User
from quotery.billing.models import Payment
from quotery.catalog.models import Product, StockLevel, StockMovement
from quotery.clients.models import Client, Contact
from quotery.engagement.models import QuoteEvent
from quotery.notifications.models import Notification, OutboxEmail
from quotery.quotes.models import (
    DeliveryNote,
    DeliveryNoteLine,
    Line,
    NumberSequence,
    Quote,
    QuoteRevision,
    Section,
)
from quotery.sharing.models import Acceptance, ConversationMessage, Decline, PortalShare

# Tables a form edits in place: every value is compared. The rest only grow (events, outbox,
# messages...) and are large: their row counts are compared.
EDITED_IN_PLACE = (
    Company,
    User,
    Membership,
    Product,
    StockLevel,
    Client,
    Contact,
    NumberSequence,
    Quote,
    PortalShare,
    Payment,
    Notification,
)
APPENDED_TO = (
    StockMovement,
    Section,
    Line,
    QuoteRevision,
    DeliveryNote,
    DeliveryNoteLine,
    ConversationMessage,
    Acceptance,
    Decline,
    QuoteEvent,
    OutboxEmail,
)


def database_rows() -> dict[str, object]:
    """What any endpoint could write, but the rate-limit counters (a refused POST counts
    towards its limit on purpose): equal before and after means nothing was written."""
    rows: dict[str, object] = {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in EDITED_IN_PLACE
    }
    rows.update({model._meta.label: model.objects.count() for model in APPENDED_TO})
    return rows
