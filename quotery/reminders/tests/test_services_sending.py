"""Reminders with a frozen clock: a link scanner's open does not stop a "not viewed"
reminder, a counted view does; answering, revoking or stopping the schedule stops it;
working hours hold across the clock changes; each reminder goes out once, by the outbox,
with the share's own link, and is in the rep's timeline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.selectors.quote import timeline_for_quote
from quotery.notifications.models import OutboxEmail
from quotery.notifications.rendering import EmailNotSendable, render_outbox_email
from quotery.portal.services.answers import client_message_post, quote_request_changes
from quotery.portal.services.sharing import share_revoke
from quotery.portal.tests.portal_fixtures import CLIENT_META, share_quote
from quotery.quotes.models import Quote
from quotery.reminders.models import ReminderOutcome, ReminderSlot
from quotery.reminders.services.sending import reminders_send_due
from quotery.reminders.services.settings import quote_reminders_set
from quotery.reminders.tests.conftest import DAY_3, SHARED_AT, at
from quotery.sharing.links import share_url

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def reminder_emails() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="reminder_client").order_by("pk"))


def reminder_events(quote: Quote) -> list[QuoteEvent]:
    return list(QuoteEvent.objects.filter(quote=quote, kind=EventKind.REMINDER_SENT))


def view_token(html: str) -> str:
    match = re.search(r'data-open="([^"]+)"', html)
    assert match
    return match.group(1)


def test_a_quote_opened_only_by_a_link_scanner_gets_its_reminder(client, shared):
    # given a mail scanner fetched the link minutes after it was sent (no beacon follows)
    with at(SHARED_AT + dt.timedelta(minutes=2)):
        assert client.get(shared.url).status_code == 200
    # when the sweep runs on Sunday (3 days later, outside working hours), nothing goes out
    with at(dt.datetime(2026, 12, 13, 9, 0, tzinfo=UTC)):
        assert reminders_send_due() == 0
    # and on Monday 09:30 Berlin one reminder goes out
    with at(DAY_3):
        assert reminders_send_due() == 1
        # and a second sweep sends nothing more
        assert reminders_send_due() == 0
    (email,) = reminder_emails()
    assert email.to_email == "anna@client.test"
    message = render_outbox_email(email)
    link = share_url(key=shared.share.key, quote_id=shared.quote.pk, email="anna@client.test")
    assert link in message.body  # the same link, no new token
    assert message.subject.startswith(f"Reminder: quote {shared.quote.number}")
    (event,) = reminder_events(shared.quote)
    assert event.share_id == shared.share.pk
    assert event.data == {"reason": "no_view", "days": 3, "slot": "s1:after:3"}
    slot = ReminderSlot.objects.get()
    assert (slot.slot, slot.outcome) == ("s1:after:3", ReminderOutcome.SENT)
    assert slot.due_at == dt.datetime(2026, 12, 14, 8, 0, tzinfo=UTC)  # Monday 09:00 CET
    # and the rep's timeline shows it
    labels = [item.label for item in timeline_for_quote(shared.quote).items]
    assert "Reminder sent: not viewed 3 days after sharing" in labels


def test_a_viewed_quote_gets_no_reminder(client, shared):
    # given the client's browser confirmed the view (the page's beacon)
    with at(SHARED_AT + dt.timedelta(hours=2)):
        token = view_token(client.get(shared.url).content.decode())
        assert client.post(shared.seen_url, {"open": token}).status_code == 204
    # when the sweeps run on the days the "not viewed" reminders were due
    for moment in (DAY_3, dt.datetime(2026, 12, 18, 9, 0, tzinfo=UTC)):
        with at(moment):
            assert reminders_send_due() == 0
    # then nothing was sent or recorded
    assert reminder_emails() == [] and reminder_events(shared.quote) == []
    assert not ReminderSlot.objects.exists()


def test_a_staff_preview_does_not_count_as_a_view(login, rita, shared):
    with at(SHARED_AT + dt.timedelta(hours=1)):
        login(rita).get(shared.url)
    with at(DAY_3):
        assert reminders_send_due() == 1


@pytest.mark.parametrize("answer", ["changes", "message"])
def test_answering_stops_the_reminders(shared, answer):
    # given the client answered the day after sharing
    with at(SHARED_AT + dt.timedelta(days=1)):
        if answer == "changes":
            quote_request_changes(
                share=shared.share, message="Six chairs.", request_meta=CLIENT_META
            )
        else:
            client_message_post(share=shared.share, body="Call me?", request_meta=CLIENT_META)
    # when the sweeps run on the due days
    for moment in (DAY_3, dt.datetime(2026, 12, 18, 9, 0, tzinfo=UTC)):
        with at(moment):
            assert reminders_send_due() == 0
    assert reminder_emails() == [] and reminder_events(shared.quote) == []


def test_revoking_the_link_stops_the_reminders(rita, shared):
    with at(SHARED_AT + dt.timedelta(days=1)):
        share_revoke(share=shared.share, user=rita)
    with at(DAY_3):
        assert reminders_send_due() == 0
    assert reminder_emails() == []


def test_the_rep_can_stop_or_change_the_schedule_of_one_quote(rita, shared):
    # when the rep stops the reminders of this quote
    quote_reminders_set(
        quote=shared.quote, user=rita, mode="off", after_share_days="", before_expiry_days=""
    )
    with at(DAY_3):
        assert reminders_send_due() == 0
    # and then sets this quote to remind after 5 days only
    quote_reminders_set(
        quote=shared.quote, user=rita, mode="custom", after_share_days="5", before_expiry_days="0"
    )
    with at(DAY_3):
        assert reminders_send_due() == 0
    # Tuesday 15 December, 10:00 Berlin: 5 days after the share
    with at(dt.datetime(2026, 12, 15, 9, 0, tzinfo=UTC)):
        assert reminders_send_due() == 1
    assert [event.data["slot"] for event in reminder_events(shared.quote)] == ["s1:after:5"]


def test_a_late_sweep_sends_one_reminder_and_passes_over_the_earlier_slot(shared):
    # the scheduler was down until Friday 18 December: days 3 and 7 are both due
    with at(dt.datetime(2026, 12, 18, 9, 0, tzinfo=UTC)):
        assert reminders_send_due() == 1
    outcomes = dict(ReminderSlot.objects.values_list("slot", "outcome"))
    assert outcomes == {"s1:after:3": "passed_over", "s1:after:7": "sent"}
    assert len(reminder_emails()) == 1


def test_the_before_expiry_reminder_goes_to_a_viewer_too(client, shared):
    # valid until Saturday 9 January 2027: "3 days before" is Thursday 7th 00:00 -> 09:00
    quote = Quote.objects.get(pk=shared.quote.pk)
    assert quote.valid_until == dt.date(2027, 1, 9)
    with at(SHARED_AT + dt.timedelta(hours=2)):
        token = view_token(client.get(shared.url).content.decode())
        client.post(shared.seen_url, {"open": token})
    with at(dt.datetime(2027, 1, 7, 7, 59, tzinfo=UTC)):
        assert reminders_send_due() == 0
    with at(dt.datetime(2027, 1, 7, 8, 0, tzinfo=UTC)):
        assert reminders_send_due() == 1
    (email,) = reminder_emails()
    assert "is valid until 9 January 2027" in render_outbox_email(email).subject


@pytest.mark.parametrize(
    ("zone", "shared_at", "quiet", "due"),
    [
        # Berlin: Friday 26 March 2027 16:00 CET; +3 days is Monday 16:00 CEST (14:00 UTC)
        (
            "Europe/Berlin",
            dt.datetime(2027, 3, 26, 15, 0, tzinfo=UTC),
            dt.datetime(2027, 3, 29, 13, 59, tzinfo=UTC),
            dt.datetime(2027, 3, 29, 14, 0, tzinfo=UTC),
        ),
        # Berlin: Thursday 25 March 18:00 CET; +3 days is Sunday: Monday 09:00 CEST (07:00)
        (
            "Europe/Berlin",
            dt.datetime(2027, 3, 25, 17, 0, tzinfo=UTC),
            dt.datetime(2027, 3, 29, 6, 59, tzinfo=UTC),
            dt.datetime(2027, 3, 29, 7, 0, tzinfo=UTC),
        ),
        # London: Friday 23 October 2026 16:30 BST; +3 days is Monday 16:30 GMT (16:30 UTC)
        (
            "Europe/London",
            dt.datetime(2026, 10, 23, 15, 30, tzinfo=UTC),
            dt.datetime(2026, 10, 26, 16, 29, tzinfo=UTC),
            dt.datetime(2026, 10, 26, 16, 30, tzinfo=UTC),
        ),
        # London: Thursday 22 October 17:30 BST; +3 days is Sunday: Monday 09:00 GMT
        (
            "Europe/London",
            dt.datetime(2026, 10, 22, 16, 30, tzinfo=UTC),
            dt.datetime(2026, 10, 26, 8, 59, tzinfo=UTC),
            dt.datetime(2026, 10, 26, 9, 0, tzinfo=UTC),
        ),
    ],
    ids=["berlin-spring", "berlin-weekend-spring", "london-autumn", "london-weekend-autumn"],
)
def test_quiet_hours_hold_across_the_clock_change(berlin, rita, zone, shared_at, quiet, due):
    berlin.time_zone = zone
    berlin.save()
    with time_machine.travel(shared_at, tick=False):
        share_quote(rita)
    with time_machine.travel(quiet, tick=False):
        assert reminders_send_due() == 0
    with time_machine.travel(due, tick=False):
        assert reminders_send_due() == 1


def test_a_reminder_queued_before_its_link_was_revoked_is_not_sent(rita, shared):
    with at(DAY_3):
        assert reminders_send_due() == 1
    share_revoke(share=shared.share, user=rita)
    (email,) = reminder_emails()
    with pytest.raises(EmailNotSendable, match="revoked"):
        render_outbox_email(email)


def test_the_sweep_reads_in_a_fixed_number_of_queries(rita, django_assert_max_num_queries):
    # given twelve shared quotes with nothing due yet
    with time_machine.travel(SHARED_AT, tick=False):
        for n in range(12):
            share_quote(rita, email=f"client{n}@client.test", sections=1, lines_per_section=1)
    # when the sweep runs the next morning, it reads them all in six queries (the shares,
    # the companies' and quotes' schedules, counted views, client answers, taken slots)
    next_morning = time_machine.travel(SHARED_AT + dt.timedelta(days=1), tick=False)
    with next_morning, django_assert_max_num_queries(6):
        assert reminders_send_due() == 0
