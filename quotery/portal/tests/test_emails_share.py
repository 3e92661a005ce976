"""The share email: built at send time from the outbox row, branded, HTML and plain text,
links from BASE_URL, hostile text escaped, and delivered exactly once through real SMTP
(SECURITY.md 6, 20, 21)."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.message import EmailMessage
from email.utils import parseaddr
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.core.exceptions import ValidationFailed
from quotery.notifications.delivery import outbox_email_deliver
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.rendering import render_outbox_email
from quotery.notifications.tasks import deliver_due_emails
from quotery.portal.emails.layout import message_id
from quotery.portal.emails.share import ShareEmailNotSendable, share_email
from quotery.portal.services.sharing import share_revoke, share_send
from quotery.portal.tests.portal_fixtures import Shared, edit_and_share_again
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote
from quotery.sharing.links import share_url
from quotery.sharing.models import PortalShare
from tests.network import free_port, smtp_mailers

pytestmark = pytest.mark.django_db

BASE = "https://quotes.northwind.example"


@pytest.fixture
def shared(company, settings, time_machine):  # type: ignore[no-untyped-def]
    """A quote shared with Anna (the outbox row written, not yet sent) on 2 November 2026,
    the clock pinned there so the email's validity date is known: 2 December 2026."""
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    settings.BASE_URL = BASE
    settings.DEFAULT_FROM_EMAIL = "quotes@quotery.example"
    company.name = "Northwind"
    company.brand_colour = "#0a7d3b"
    company.save()
    rep = member(company, Role.REP, full_name="Rita Rep", email="rita@northwind.example")
    quote = make_quote(owner=rep, title="Office fit-out")
    share = share_send(
        quote=quote,
        user=rep,
        recipient_name="Anna Berg",
        recipient_email="anna@example.com",
        message="Hello Anna,\nhere is our offer.",
    )
    quote.refresh_from_db()
    return quote, share, OutboxEmail.objects.get()


def html_of(message) -> str:  # type: ignore[no-untyped-def]
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def test_share_email_has_the_branded_content_in_html_and_text(shared) -> None:
    quote, share, outbox = shared
    # when the email is built at send time
    message = share_email(outbox)
    link = share_url(key=share.key, quote_id=quote.pk, email="anna@example.com")

    # then the headers name the company, the rep and the client
    assert message.subject == f"Quote {quote.number} from Northwind: Office fit-out"
    assert message.from_email == '"Northwind" <quotes@quotery.example>' or parseaddr(
        message.from_email
    ) == ("Northwind", "quotes@quotery.example")
    assert [parseaddr(to) for to in message.to] == [("Anna Berg", "anna@example.com")]
    assert [parseaddr(to) for to in message.reply_to] == [("Rita Rep", "rita@northwind.example")]
    # both parts carry the message, the link, the total and the validity
    text, html = message.body, html_of(message)
    total = f"€{quote.total:,.2f}"
    for part in (text, html):
        assert link in part
        assert total in part
        assert "2 December 2026" in part
        assert "Rita Rep at Northwind" in part
    assert "Hello Anna,\nhere is our offer." in text
    assert "Hello Anna,<br>here is our offer." in html
    # the HTML is branded: brand colour, a button, inline styles only, no logo without one
    assert "#0a7d3b" in html and ">View your quote</a>" in html
    assert f'<a href="{link}"' in html
    assert "<style" not in html and "<script" not in html and "<link" not in html
    assert "<img" not in html


def test_logo_is_an_absolute_link_from_base_url(shared) -> None:
    quote, _, outbox = shared
    company = quote.company
    company.logo.save("logo.png", ContentFile(b"\x89PNG fake"), save=False)
    company.logo_content_type = "image/png"
    company.save()
    html = html_of(share_email(OutboxEmail.objects.get(pk=outbox.pk)))
    assert f'<img src="{BASE}{reverse("accounts:logo", args=[company.pk])}"' in html


def test_message_id_is_derived_from_the_dedupe_key(shared) -> None:
    _, _, outbox = shared
    first = share_email(outbox).message()["Message-ID"]
    again = share_email(outbox).message()["Message-ID"]
    digest = hashlib.sha256(outbox.dedupe_key.encode()).hexdigest()[:32]
    assert first == again == f"<{digest}@quotery.example>" == message_id(outbox.dedupe_key)


def test_security_6_email_links_come_from_base_url_not_the_requests_host(
    company, settings, login, django_capture_on_commit_callbacks
) -> None:
    # given a server that answers any Host header, and BASE_URL set
    settings.ALLOWED_HOSTS = ["*"]
    settings.BASE_URL = BASE
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)

    # when the share is sent through a request with a hostile Host
    with django_capture_on_commit_callbacks(execute=True):
        response = login(rep).post(
            reverse("sharing:share", args=[quote.pk]),
            {"recipient_name": "Anna", "recipient_email": "anna@example.com", "message": ""},
            HTTP_HOST="evil.example",
        )

    # then the email's link is on BASE_URL and the hostile host appears nowhere
    assert response.status_code == 302
    (sent,) = mail.outbox
    share = PortalShare.objects.get()
    link = share_url(key=share.key, quote_id=quote.pk, email="anna@example.com")
    assert link.startswith(f"{BASE}/p/")
    assert link in sent.body and link in html_of(sent)
    assert "evil.example" not in sent.message().as_string()


def test_security_21_hostile_name_and_message_are_escaped_in_the_html_email(
    company, settings
) -> None:
    # given a share whose name and message carry markup
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep, title="Fit-out")
    name = '<script>alert("n")</script> "Anna" & Co'
    text = '<img src=x onerror=alert(1)>\n<a href="https://evil.example">click</a> & "quotes"'
    share_send(
        quote=quote, user=rep, recipient_name=name, recipient_email="anna@example.com", message=text
    )

    # when the email is built
    message = share_email(OutboxEmail.objects.get())
    html = html_of(message)

    # then the HTML shows the text, escaped, with its line break
    assert "<script" not in html and "<img src=x" not in html and 'href="https://evil' not in html
    assert "Hello &lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt; &quot;Anna&quot; &amp; Co," in (
        html
    )
    assert (
        "&lt;img src=x onerror=alert(1)&gt;<br>&lt;a href=&quot;https://evil.example&quot;&gt;"
        "click&lt;/a&gt; &amp; &quot;quotes&quot;" in html
    )
    # the plain text keeps it as typed, and the To header is one well-formed address
    assert text in message.body
    assert parseaddr(message.message()["To"])[1] == "anna@example.com"


@pytest.mark.parametrize(
    "name",
    ["Anna\r\nBcc: victim@example.com", "Anna\nBcc: victim@example.com", "Anna\rX: y"],
)
def test_security_21_header_injection_in_the_name_is_refused(company, name) -> None:
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    with pytest.raises(ValidationFailed) as refused:
        share_send(quote=quote, user=rep, recipient_name=name, recipient_email="anna@example.com")
    assert "one line" in refused.value.field_errors["recipient_name"][0]
    assert not OutboxEmail.objects.exists() and not PortalShare.objects.exists()


def test_a_revoked_shares_pending_email_is_not_sent_with_a_dead_link(shared) -> None:
    # given a share whose email is still pending when the rep revokes the link
    quote, share, outbox = shared
    share_revoke(share=share, user=quote.owner)

    # then building it refuses with a clear reason
    with pytest.raises(ShareEmailNotSendable, match="link was revoked"):
        render_outbox_email(outbox)
    # and the worker gives it up at once: unsent, with the reason recorded, never retried
    assert outbox_email_deliver(email_id=outbox.pk) == EmailStatus.FAILED
    outbox.refresh_from_db()
    assert outbox.sent_at is None and "link was revoked" in outbox.last_error
    assert mail.outbox == []


def test_the_email_shows_the_revision_that_was_shared(shared) -> None:
    quote, _, outbox = shared
    Quote.objects.filter(pk=quote.pk).update(title="Renamed after sharing")
    assert "Office fit-out" in share_email(outbox).subject


def test_security_20_smtp_down_delays_the_email_and_it_goes_out_exactly_once_later(
    company, settings, django_capture_on_commit_callbacks, smtp_server
) -> None:
    # given SMTP is down: nobody listens on the mailer's port
    real_smtp = settings.MAILERS
    settings.MAILERS = smtp_mailers(free_port())
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)

    # when the rep shares the quote (the worker tries to send at once, on commit)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        share = share_send(
            quote=quote, user=rep, recipient_name="Anna", recipient_email="anna@example.com"
        )

    # then the share is committed and the email waits, with a later retry and the error
    assert PortalShare.objects.filter(pk=share.pk).exists()
    outbox = OutboxEmail.objects.get()
    assert (outbox.status, outbox.attempts) == (EmailStatus.PENDING, 1)
    assert outbox.next_attempt_at > before + dt.timedelta(seconds=30)
    assert "ConnectionRefused" in outbox.last_error
    assert smtp_server.messages == []

    # when the scheduler runs before the retry time, nothing is tried
    settings.MAILERS = real_smtp
    assert deliver_due_emails.call() == 0
    # and once the retry time has come, with SMTP back, it is sent
    later = outbox.next_attempt_at + dt.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert deliver_due_emails.call() == 1
        # and running again (or the lost on-commit task) sends nothing more
        assert deliver_due_emails.call() == 0
        assert outbox_email_deliver(email_id=outbox.pk) == EmailStatus.SENT
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    outbox.refresh_from_db()
    assert (outbox.status, outbox.attempts, outbox.last_error) == (EmailStatus.SENT, 2, "")


def test_the_email_arrives_over_smtp_with_html_and_text_and_the_link(
    company, settings, django_capture_on_commit_callbacks, smtp_server
) -> None:
    settings.BASE_URL = BASE
    rep = member(company, Role.REP, full_name="Rita Rep")
    quote = make_quote(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        share = share_send(
            quote=quote,
            user=rep,
            recipient_name="Zoë Ångström",
            recipient_email="zoe@example.com",
            message="Grüße, Zoë!",
        )
    (received,) = smtp_server.wait_for(1)
    assert isinstance(received, EmailMessage)
    link = share_url(key=share.key, quote_id=quote.pk, email="zoe@example.com")
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert link in text.get_content() and "Grüße, Zoë!" in text.get_content()
    assert f'href="{link}"' in html.get_content()
    assert str(received["To"]) == "Zoë Ångström <zoe@example.com>"
    assert received["Message-ID"] == message_id(OutboxEmail.objects.get().dedupe_key)
    assert OutboxEmail.objects.get().status == EmailStatus.SENT


@override_settings(BASE_URL=BASE)
def test_the_text_email_has_no_html_escapes(company) -> None:
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep, title="Tables & chairs")
    share_send(
        quote=quote,
        user=rep,
        recipient_name="O'Brien & Co",
        recipient_email="ob@example.com",
        message='"Quoted" <text>',
    )
    body = share_email(OutboxEmail.objects.get()).body
    assert "Hello O'Brien & Co," in body and '"Quoted" <text>' in body
    assert "Tables & chairs" in body and "&amp;" not in body and "&#x27;" not in body


def test_a_share_after_an_edit_says_the_quote_was_updated(shared) -> None:
    # given Anna had version 1, and the rep edited the quote and shared it with her again
    quote, share, first = shared
    edit_and_share_again(Shared(quote=quote, share=share, token=""))
    second = OutboxEmail.objects.exclude(pk=first.pk).get()

    message = share_email(second)

    # then the email says it is an update, and which version
    assert (
        message.subject
        == f"Updated quote {quote.number} from Northwind: Office fit-out (version 2)"
    )
    for part in (message.body, html_of(message)):
        assert "Rita Rep at Northwind has updated the quote (version 2)." in part
        assert "what changed since you last looked" in part


def test_a_plain_resend_and_a_new_recipient_get_the_first_email(shared) -> None:
    quote, share, _ = shared
    rep = quote.owner
    # a resend of the unchanged quote, and version 2 sent to someone who never had version 1
    share_send(
        quote=quote, user=rep, recipient_name="Anna Berg", recipient_email="anna@example.com"
    )
    edit_and_share_again(Shared(quote=quote, share=share, token=""))
    share_send(quote=quote, user=rep, recipient_name="Bo Lind", recipient_email="bo@example.com")

    resend, newcomer = (
        share_email(OutboxEmail.objects.get(dedupe_key=f"portal_share:{share.pk}:2")),
        share_email(OutboxEmail.objects.get(to_email="bo@example.com")),
    )

    for message in (resend, newcomer):
        assert message.subject.startswith(f"Quote {quote.number} from Northwind")
        assert "has shared a quote with you" in message.body
