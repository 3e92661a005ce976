"""The open pipeline on the Engagement page: what is out with clients now, whatever range
the page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.expressions import RawSQL

from quotery.accounts.models import Membership
from quotery.engagement.selectors.company.money import money_thousandths_sql, thousandths_money
from quotery.engagement.selectors.company.scope import quote_scope
from quotery.quotes.models import Quote
from quotery.quotes.states import OPEN_STATES


@dataclass(frozen=True)
class Pipeline:
    """Quotes sent and still open (waiting for the client, not past their valid-until day):
    how many, and their total in the company's currency; those in another currency are
    counted apart and not added."""

    quotes: int = 0
    value: Decimal = Decimal(0)
    other_currency: int = 0


def open_pipeline(membership: Membership, now: dt.datetime, currency: str) -> Pipeline:
    """The member's open pipeline as of `now` (managers: the company's; reps: their own).
    One query, on the quotes' (company, state) index."""
    company = membership.company
    today = now.astimezone(company.zone).date()
    quote = connection.ops.quote_name
    column = f"{quote(Quote._meta.db_table)}.{quote('total')}"
    in_currency = Q(currency=currency)
    figures = (
        quote_scope(membership)
        .filter(state__in=OPEN_STATES, valid_until__gte=today)
        .aggregate(
            quotes=Count("pk"),
            other=Count("pk", filter=~in_currency),
            value=Sum(
                # Our own column name, no input: nothing to inject.
                RawSQL(money_thousandths_sql(column), (), output_field=BigIntegerField()),  # noqa: S611
                filter=in_currency,
                default=0,
            ),
        )
    )
    return Pipeline(
        quotes=figures["quotes"],
        value=thousandths_money(int(figures["value"]), currency),
        other_currency=figures["other"],
    )
