"""Two schedulers' workers sweep at the same moment on PostgreSQL: each reminder and each
expiry is recorded and sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import Notification, OutboxEmail
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.quotes.models import Quote, QuoteState
from quotery.reminders.models import ReminderSlot
from quotery.reminders.services.expiry import quotes_expire_due
from quotery.reminders.services.sending import reminders_send_due
from tests.concurrency import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and parallel writers are a PostgreSQL concern; SQLite's IMMEDIATE "
        "transactions admit one writer at a time",
    ),
]


def test_two_sweeps_at_once_send_each_reminder_once():
    # given three quotes shared now, each with both "not viewed" steps due in ten days
    rep = member(CompanyFactory(time_zone="Europe/Berlin"), Role.REP)
    shared = [share_quote(rep, email=f"client{n}@client.test") for n in range(3)]
    later = timezone.now() + dt.timedelta(days=10)
    # when two workers sweep at the same moment
    results, errors = run_at_once([lambda: reminders_send_due(now=later)] * 2)
    # then each share got one reminder (its latest due slot), counted once in all
    assert errors == []
    assert sum(results) == 3  # type: ignore[arg-type]
    for each in shared:
        assert ReminderSlot.objects.filter(share=each.share, outcome="sent").count() == 1
        assert (
            QuoteEvent.objects.filter(quote=each.quote, kind=EventKind.REMINDER_SENT).count() == 1
        )
    assert OutboxEmail.objects.filter(kind="reminder_client").count() == 3


def test_two_expiry_sweeps_at_once_expire_and_tell_once():
    rep = member(CompanyFactory(time_zone="Europe/Berlin"), Role.REP)
    shared = share_quote(rep)
    after = timezone.now() + dt.timedelta(days=40)
    results, errors = run_at_once([lambda: quotes_expire_due(now=after)] * 2)
    assert errors == [] and sorted(results) == [0, 1]  # type: ignore[type-var]
    assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.EXPIRED
    assert QuoteEvent.objects.filter(quote=shared.quote, kind=EventKind.QUOTE_EXPIRED).count() == 1
    assert Notification.objects.filter(kind="quote_expired").count() == 1
    assert OutboxEmail.objects.filter(kind="quote_expired_rep").count() == 1
