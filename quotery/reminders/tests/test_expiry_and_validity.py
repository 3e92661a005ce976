"""On expiry: the quote is marked expired once, with an engagement event, and its owner is
told in-app and by email; the client's page offers Ask for a new version; the rep extends
the validity in one step and the client sees the new revision at the same link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import Notification, NotificationKind, OutboxEmail
from quotery.notifications.rendering import render_outbox_email
from quotery.portal.tests.answer_helpers import written
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.quotes.models import Quote, QuoteRevision, QuoteState
from quotery.reminders.services.expiry import quotes_expire_due
from quotery.reminders.tests.conftest import at
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Valid until Saturday 9 January 2027: it ends at local midnight, 23:00 UTC in Berlin.
ENDED = dt.datetime(2027, 1, 9, 23, 0, tzinfo=UTC)
AFTER = ENDED + dt.timedelta(days=2)


def test_expiry_is_recorded_and_told_once(shared, rita):
    with at(ENDED - dt.timedelta(seconds=1)):
        assert quotes_expire_due() == 0
    with at(ENDED):
        assert quotes_expire_due() == 1
        assert quotes_expire_due() == 0
    quote = Quote.objects.get(pk=shared.quote.pk)
    assert quote.state == QuoteState.EXPIRED
    (event,) = QuoteEvent.objects.filter(quote=quote, kind=EventKind.QUOTE_EXPIRED)
    assert event.data == {"valid_until": "2027-01-09"}
    (note,) = Notification.objects.filter(user=rita, kind=NotificationKind.QUOTE_EXPIRED)
    assert note.text == f"{quote.number} expired without an answer (valid until 9 January 2027)."
    (email,) = OutboxEmail.objects.filter(kind="quote_expired_rep")
    assert email.to_email == "rita@northwind.example"
    message = render_outbox_email(email)
    assert message.subject == f"Quote {quote.number} expired: Office fit-out"
    assert reverse("quotes:detail", args=[quote.pk]) + "#reminders" in message.body


def test_the_expired_client_page_offers_ask_for_a_new_version(client, shared, rita):
    with at(AFTER):
        quotes_expire_due()
        html = client.get(shared.url).content.decode()
        changes = reverse("portal:changes", args=[shared.token])
        assert f'href="{changes}">Ask for a new version</a>' in html
        form = client.get(changes).content.decode()
        assert "<h1>Ask for a new version</h1>" in form
        response = client.post(changes, {"message": "Same again for March, please."})
    assert response.status_code == 302
    quote = Quote.objects.get(pk=shared.quote.pk)
    assert quote.state == QuoteState.CHANGES_REQUESTED
    note = Notification.objects.get(kind=NotificationKind.CHANGES_REQUESTED)
    assert note.text == f"Anna Client asked for a new version of {quote.number}."
    email = OutboxEmail.objects.get(kind="changes_requested_rep")
    assert render_outbox_email(email).subject.startswith(f"New version requested of {quote.number}")
    assert QuoteEvent.objects.filter(quote=quote, kind=EventKind.CHANGES_REQUESTED).count() == 1


def test_extend_validity_keeps_the_link_and_the_client_sees_the_new_revision(
    client, login, shared, rita
):
    with at(AFTER):
        quotes_expire_due()
        key = PortalShare.objects.get(pk=shared.share.pk).key
        response = login(rita).post(
            reverse("reminders:extend", args=[shared.quote.pk]), {"valid_until": "2027-02-28"}
        )
        assert response.status_code == 302
        assert response["Location"].endswith("#reminders")
        quote = Quote.objects.get(pk=shared.quote.pk)
        assert (quote.state, quote.valid_until) == (QuoteState.SENT, dt.date(2027, 2, 28))
        assert quote.revision_number == 2
        assert QuoteRevision.objects.filter(quote=quote).count() == 2
        share = PortalShare.objects.get(pk=shared.share.pk)
        assert (share.key, share.send_count) == (key, 2)
        email = OutboxEmail.objects.filter(kind="portal_share").latest("pk")
        assert shared.token in render_outbox_email(email).body  # the same link
        client.logout()
        html = client.get(shared.url).content.decode()
    assert "28 February 2027" in html
    assert "This quote expired" not in html
    assert reverse("portal:accept", args=[shared.token]) in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the new date, like 2027-01-31."),
        ("31/02/2027", "Enter the new date, like 2027-01-31."),
        ("2027-01-05", "Pick a date from today on: the new date is already past."),
        ("2029-01-01", "Pick a date within a year from today."),
    ],
)
def test_extend_validity_with_bad_input_says_why_and_changes_nothing(
    login, shared, rita, typed, message
):
    with at(AFTER):
        quotes_expire_due()
        before = written()
        response = login(rita).post(
            reverse("reminders:extend", args=[shared.quote.pk]), {"valid_until": typed}
        )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert written() == before
    assert Quote.objects.get(pk=shared.quote.pk).valid_until == dt.date(2027, 1, 9)


def test_extend_validity_without_a_live_link_is_refused(login, shared, rita):
    PortalShare.objects.filter(pk=shared.share.pk).update(revoked_at=AFTER)
    with at(AFTER):
        before = written()
        response = login(rita).post(
            reverse("reminders:extend", args=[shared.quote.pk]), {"valid_until": "2027-02-28"}
        )
    assert response.status_code == 409
    assert "Nobody holds a live link" in response.content.decode()
    assert written() == before


def test_another_companys_quote_is_not_found(login, shared):
    stranger = member(CompanyFactory(), Role.ADMIN)
    other = share_quote(member(stranger.membership.company, Role.REP))
    page = login(stranger)
    for name in ("reminders:extend", "reminders:quote"):
        assert page.get(reverse(name, args=[shared.quote.pk])).status_code == 404
        assert page.post(reverse(name, args=[shared.quote.pk]), {}).status_code == 404
        assert page.get(reverse(name, args=[other.quote.pk])).status_code == 200
