"""The emails the client's answers and the conversation send: to the owner with a link back
to the quote, to each client with their own link; branded HTML and plain text, links from
BASE_URL, delivered through a real SMTP server (SECURITY.md 6, 20, 21)."""

from __future__ import annotations

import hashlib
from email.utils import parseaddr

import pytest
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Role, User
from quotery.notifications.delivery import outbox_email_deliver
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.rendering import EmailNotSendable, render_outbox_email
from quotery.portal.emails.layout import one_line
from quotery.portal.services.answers import (
    client_message_post,
    quote_decline,
    quote_request_changes,
    rep_message_post,
)
from quotery.portal.services.sharing import share_revoke, share_send
from quotery.portal.tests.portal_fixtures import CLIENT_META
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote
from quotery.sharing.links import share_token, share_url
from quotery.sharing.models import ConversationMessage, PortalShare

pytestmark = pytest.mark.django_db

BASE = "https://quotes.northwind.example"


@pytest.fixture
def setup(company, settings):  # type: ignore[no-untyped-def]
    """Rita's quote shared with Anna (the share email not sent: no commit callbacks ran)."""
    settings.BASE_URL = BASE
    settings.DEFAULT_FROM_EMAIL = "quotes@quotery.example"
    company.name = "Northwind"
    company.brand_colour = "#0a7d3b"
    company.time_zone = "Europe/Vienna"
    company.save()
    rita = member(company, Role.REP, full_name="Rita Rep", email="rita@northwind.example")
    quote = make_quote(owner=rita, title="Office fit-out")
    share = share_send(
        quote=quote, user=rita, recipient_name="Anna Berg", recipient_email="anna@example.com"
    )
    return Quote.objects.get(pk=quote.pk), share, rita


def html_of(message) -> str:  # type: ignore[no-untyped-def]
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def body_text(received) -> str:  # type: ignore[no-untyped-def]
    return received.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def body_html(received) -> str:  # type: ignore[no-untyped-def]
    return received.get_body(preferencelist=("html",)).get_content()


def quote_link(quote: Quote) -> str:
    return f"{BASE}{reverse('quotes:detail', args=[quote.pk])}"


def test_changes_requested_reaches_the_owner_by_smtp_with_a_link_to_the_quote(
    setup, smtp_server, django_capture_on_commit_callbacks
):
    quote, share, _ = setup
    # when the client asks for changes (the outbox sends once the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        quote_request_changes(
            share=share, message="Ten chairs instead of six,\nplease.", request_meta=CLIENT_META
        )

    # then Rita gets an email naming the client, with the message and a link to the quote
    (received,) = smtp_server.wait_for(1)
    assert received["To"].addresses[0].addr_spec == "rita@northwind.example"
    assert received["Subject"] == f"Changes requested on {quote.number}: Office fit-out"
    assert parseaddr(str(received["From"])) == ("Northwind", "quotes@quotery.example")
    text, html = body_text(received), body_html(received)
    assert "Anna Berg (anna@example.com) asked for changes" in text
    assert "Ten chairs instead of six,\nplease." in text
    assert "Ten chairs instead of six,<br>please." in html
    # the link lands on the banner with the client's words at the top of the quote page
    banner = quote_link(quote) + "#client-request"
    assert banner in text and f'href="{banner}"' in html
    assert "#0a7d3b" in html and ">Open the quote</a>" in html
    # the time, in the company's zone, as the pages write it
    asked = timezone.localtime(ConversationMessage.objects.get().created_at, quote.company.zone)
    assert f"{asked:%H:%M %Z}" in text and asked.strftime("%Z") in {"CET", "CEST"}
    assert OutboxEmail.objects.get(kind="changes_requested_rep").status == EmailStatus.SENT


def test_a_decline_reaches_the_owner_with_the_reason(
    setup, smtp_server, django_capture_on_commit_callbacks
):
    quote, share, _ = setup
    with django_capture_on_commit_callbacks(execute=True):
        quote_decline(
            share=share, reason="timing", detail="Next spring, maybe.", request_meta=CLIENT_META
        )
    (received,) = smtp_server.wait_for(1)
    assert received["Subject"] == f"Quote {quote.number} declined: Office fit-out"
    text = body_text(received)
    assert "Anna Berg (anna@example.com) declined quote" in text
    assert "Reason: Timing" in text and "Next spring, maybe." in text
    assert quote_link(quote) in text


def test_a_decline_without_reason_says_so(setup):
    _, share, _ = setup
    quote_decline(share=share, reason="", detail="", request_meta=CLIENT_META)
    message = render_outbox_email(OutboxEmail.objects.get(kind="declined_rep"))
    assert "Reason: No reason given" in message.body
    assert "wrote:" not in message.body


def test_a_client_message_reaches_the_owner(setup, smtp_server, django_capture_on_commit_callbacks):
    quote, share, _ = setup
    with django_capture_on_commit_callbacks(execute=True):
        client_message_post(share=share, body="Is delivery included?", request_meta=CLIENT_META)
    (received,) = smtp_server.wait_for(1)
    assert received["Subject"] == f"New message about {quote.number}: Office fit-out"
    assert "Is delivery included?" in body_text(received)
    assert quote_link(quote) + "#client-request" in body_text(received)


def test_the_reps_reply_reaches_each_client_with_their_own_link(
    setup, smtp_server, django_capture_on_commit_callbacks
):
    # given the quote also shared with Bob
    quote, anna, rita = setup
    bob = share_send(
        quote=quote, user=rita, recipient_name="Bob", recipient_email="bob@example.com"
    )

    # when Rita replies
    with django_capture_on_commit_callbacks(execute=True):
        rep_message_post(quote=quote, user=rita, body="Delivery is included.")

    # then each gets one email with their own link, answerable to Rita
    received = smtp_server.wait_for(2)
    by_address = {message["To"].addresses[0].addr_spec: message for message in received}
    assert set(by_address) == {"anna@example.com", "bob@example.com"}
    for share in (anna, bob):
        message = by_address[share.recipient_email]
        link = share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)
        assert link.startswith(f"{BASE}/p/")
        text, html = body_text(message), body_html(message)
        assert link in text and f'href="{link}"' in html
        assert "Delivery is included." in text
        assert "Rita Rep at Northwind replied about quote" in text
        assert message["Reply-To"].addresses[0].addr_spec == "rita@northwind.example"
        assert message["Subject"] == f"Rita Rep replied about quote {quote.number}"
    # and neither carries the other's link
    other = share_token(key=bob.key, quote_id=quote.pk, email=bob.recipient_email)
    assert other not in body_text(by_address["anna@example.com"])


def test_a_reply_to_a_link_revoked_before_sending_is_not_sent(setup):
    quote, share, rita = setup
    rep_message_post(quote=quote, user=rita, body="Hello")
    email = OutboxEmail.objects.get(kind="rep_message_client")
    share_revoke(share=share, user=rita)
    with pytest.raises(EmailNotSendable, match="revoked"):
        render_outbox_email(email)
    assert outbox_email_deliver(email_id=email.pk) == EmailStatus.FAILED


def test_message_ids_come_from_the_dedupe_keys(setup):
    _, share, _ = setup
    client_message_post(share=share, body="Hi", request_meta=CLIENT_META)
    email = OutboxEmail.objects.get(kind="client_message_rep")
    digest = hashlib.sha256(email.dedupe_key.encode()).hexdigest()[:32]
    assert render_outbox_email(email).message()["Message-ID"] == f"<{digest}@quotery.example>"


def test_security_21_names_with_line_breaks_never_make_a_header(setup):
    # given names that slipped into the database with line breaks (never through a form)
    quote, share, rita = setup
    PortalShare.objects.filter(pk=share.pk).update(recipient_name="Anna\r\nBcc: victim@evil.test")
    User.objects.filter(pk=rita.pk).update(full_name="Rita\nBcc: victim@evil.test")
    rita.refresh_from_db()
    share.refresh_from_db()

    # when the rep replies and the client writes
    rep_message_post(quote=quote, user=rita, body="Hi")
    client_message_post(share=share, body="Hello", request_meta=CLIENT_META)

    # then every header is one line and no Bcc appears
    for email in OutboxEmail.objects.exclude(kind="portal_share"):
        raw = render_outbox_email(email).message().as_string()
        headers = raw.split("\n\n", 1)[0]
        assert "Bcc" not in [line.split(":", 1)[0] for line in headers.splitlines()]
        recipients = render_outbox_email(email).recipients()
        assert [parseaddr(to)[1] for to in recipients] in (
            ["anna@example.com"],
            ["rita@northwind.example"],
        )


@pytest.mark.parametrize(
    "name",
    ["Anna\r\nBcc: x@evil.test", "Anna\x85Bcc: x@evil.test", "Anna\u2028Bcc: x@evil.test"],
)
def test_security_21_every_kind_of_line_break_leaves_a_name_one_line(name):
    assert one_line(name) == "Anna Bcc: x@evil.test"


def test_invisible_direction_overrides_leave_a_name():
    assert one_line("Anna\u202eZ") == "AnnaZ"
