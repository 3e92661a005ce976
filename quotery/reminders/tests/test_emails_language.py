"""A German client's reminder is German: words, date and money (quotery.reminders.emails)."""

from __future__ import annotations

import datetime as dt

import pytest

from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import render_outbox_email
from quotery.quotes.models import Quote
from quotery.reminders.services.sending import reminders_send_due
from quotery.reminders.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_the_before_expiry_reminder_of_a_german_client_is_german(shared):
    # given a client whose language is German, and a quote valid until 9 January 2027
    quote = Quote.objects.select_related("client").get(pk=shared.quote.pk)
    quote.client.language = "de"
    quote.client.save(update_fields=["language"])
    assert quote.valid_until == dt.date(2027, 1, 9)

    # when the reminder before expiry goes out
    with at(dt.datetime(2027, 1, 7, 8, 0, tzinfo=dt.UTC)):
        assert reminders_send_due() == 1
    message = render_outbox_email(OutboxEmail.objects.get(kind="reminder_client"))

    # then it is German, with the German date and money
    assert message.subject.startswith(f"Angebot {quote.number} von ")
    assert message.subject.endswith("gilt bis 9. Januar 2027")
    assert "Hallo Anna Client," in message.body
    assert "Gültig bis: 9. Januar 2027" in message.body
    assert "Gesamtsumme: " in message.body and " €" in message.body
    assert "Valid until" not in message.body and "Hello" not in message.body
