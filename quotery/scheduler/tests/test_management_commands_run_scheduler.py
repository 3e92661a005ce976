"""The scheduler enqueues the periodic tasks; the worker (here: immediately) runs them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from quotery.accounts.models import User
from quotery.quotes.factories import make_quote
from quotery.quotes.models import QuoteState
from quotery.quotes.services.quotes import quote_mark_sent


@pytest.mark.django_db
def test_scheduler_once_enqueues_the_expiry_task(rep: User) -> None:
    # given a sent quote past its validity
    quote = make_quote(owner=rep, issue_date=dt.date(2025, 3, 3), valid_days=7)
    quote_mark_sent(quote=quote, user=rep)

    # when the scheduler makes one round (the test settings run tasks at once)
    call_command("run_scheduler", "--once")

    # then the quote has been expired by the task
    quote.refresh_from_db()
    assert quote.state == QuoteState.EXPIRED
