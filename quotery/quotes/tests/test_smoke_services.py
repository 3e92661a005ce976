from decimal import Decimal

import pytest

from quotery.quotes.services import quote_mark_sent


@pytest.mark.django_db
def test_created_quote_is_numbered_and_totalled(rep):
    from quotery.factories import make_quote

    quote = make_quote(owner=rep)
    assert quote.number == "Q-2026-0001"
    assert quote.total > Decimal(0)
    revision = quote_mark_sent(quote=quote, user=rep)
    assert revision.number == 1
