"""The reminder reaches the client through a real SMTP server, with the share's own link
(SECURITY.md 6, 20)."""

from __future__ import annotations

import pytest
import time_machine

from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.reminders.services.sending import reminders_send_due
from quotery.reminders.tests.conftest import DAY_3
from quotery.sharing.links import share_url

pytestmark = pytest.mark.django_db


def test_the_reminder_is_delivered_by_smtp_with_the_same_link(
    shared, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.BASE_URL = "https://quotes.northwind.example"
    with time_machine.travel(DAY_3, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due() == 1
    (received,) = smtp_server.wait_for(1)
    assert received["To"].addresses[0].addr_spec == "anna@client.test"
    assert received["Reply-To"].addresses[0].addr_spec == "rita@northwind.example"
    text = received.get_body(preferencelist=("plain",)).get_content()
    link = share_url(key=shared.share.key, quote_id=shared.quote.pk, email="anna@client.test")
    assert link.startswith("https://quotes.northwind.example/p/") and link in text
    assert "9 January 2027" in text
    assert OutboxEmail.objects.get(kind="reminder_client").status == EmailStatus.SENT
