"""Extend validity: one step from the quote's page to a new valid-until date, a new
revision, and the quote shared again with everyone who holds a live link (the same link:
the client sees the new revision at the URL they already have)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from quotery.accounts.models import User
from quotery.core.exceptions import ApplicationError
from quotery.portal.services.sharing import share_send
from quotery.quotes.models import Quote
from quotery.quotes.services.quotes import quote_valid_until_extend
from quotery.sharing.models import PortalShare


def quote_validity_extend(*, quote: Quote, user: User, valid_until: dt.date) -> list[PortalShare]:
    """Moves the validity to `valid_until` (`quote_valid_until_extend`'s rules) and shares
    the new revision again with each live link's recipient, each getting a fresh email
    with their unchanged link. Returns those shares.

    All or nothing: a bad date (ValidationFailed), a quote that cannot be extended
    (IllegalTransition) or one nobody holds a live link to (ApplicationError) writes
    nothing. The caller has checked that `user` may edit `quote`. Holds the quote's row
    lock from the first check to the last email."""
    with transaction.atomic():
        quote_valid_until_extend(quote=quote, valid_until=valid_until, user=user)
        live = list(
            PortalShare.objects.filter(
                quote_id=quote.pk, company_id=quote.company_id, revoked_at__isnull=True
            ).order_by("created_at", "pk")
        )
        if not live:
            raise ApplicationError(
                "Nobody holds a live link to this quote, so there is nobody to send the new "
                "date to. Edit the valid-until date and share the quote instead.",
                code="no_recipient",
                http_status=409,
            )
        return [
            share_send(
                quote=quote,
                user=user,
                recipient_name=share.recipient_name,
                recipient_email=share.recipient_email,
            )
            for share in live
        ]
