"""The expiry task marks open quotes past their validity as expired, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from quotery.accounts.models import User
from quotery.engagement.tasks import expire_due_quotes
from quotery.quotes.factories import make_quote
from quotery.quotes.models import QuoteState
from quotery.quotes.services.quotes import quote_mark_sent


@pytest.mark.django_db
def test_expiry_task_expires_open_quotes_past_their_validity(rep: User) -> None:
    # given a sent quote whose valid-until day ended long ago, and a sent one still valid
    overdue = make_quote(owner=rep, issue_date=dt.date(2025, 1, 6), valid_days=14)
    quote_mark_sent(quote=overdue, user=rep)
    current = make_quote(owner=rep, issue_date=dt.date.today(), valid_days=30)
    quote_mark_sent(quote=current, user=rep)
    # and a draft past its validity, which is not waiting for the client
    draft = make_quote(owner=rep, issue_date=dt.date(2025, 1, 6), valid_days=14)

    # when the task runs
    result = expire_due_quotes.enqueue()

    # then only the overdue sent quote is expired
    assert result.return_value == 1
    for quote, state in ((overdue, QuoteState.EXPIRED), (current, QuoteState.SENT)):
        quote.refresh_from_db()
        assert quote.state == state
    draft.refresh_from_db()
    assert draft.state == QuoteState.DRAFT


@pytest.mark.django_db
def test_expiry_task_run_twice_changes_nothing_the_second_time(rep: User) -> None:
    overdue = make_quote(owner=rep, issue_date=dt.date(2025, 1, 6), valid_days=14)
    quote_mark_sent(quote=overdue, user=rep)
    assert expire_due_quotes.enqueue().return_value == 1

    assert expire_due_quotes.enqueue().return_value == 0
