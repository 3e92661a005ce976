"""The local mailbox: what the file mailer wrote, readable in the browser without a login,
only while MAILBOX_DIR is set, with names that cannot reach other files."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.portal.services.sharing import share_send
from quotery.quotes.factories import make_quote
from quotery.sharing.links import share_url
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Django's real file mailer writing into a fresh MAILBOX_DIR."""
    directory = tmp_path / "mailbox"
    settings.MAILBOX_DIR = directory
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(directory)},
        }
    }
    return directory


def send_plain(subject: str, body: str, html: str = "", to: str = "anna@example.com") -> None:
    message = mail.EmailMultiAlternatives(subject, body, "quotes@quotery.example", [to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def test_mailbox_is_404_when_off(client, settings) -> None:
    settings.MAILBOX_DIR = None
    assert client.get(reverse("mailbox:list")).status_code == 404
    response = client.get(reverse("mailbox:message", args=["20261128-073050-1.0"]))
    assert response.status_code == 404


def test_mailbox_lists_every_message_newest_first_without_login(client, mailbox) -> None:
    # given two files, the first holding two messages (one connection, two sends)
    mail.mailers.default.send_messages(
        [
            mail.EmailMessage("First", "one", "q@quotery.example", ["a@example.com"]),
            mail.EmailMessage("Second", "two", "q@quotery.example", ["b@example.com"]),
        ]
    )
    # The file backend names files by second and connection id, and a new connection in the
    # same second may get the same id: move the first file out of the way, written earlier.
    [first] = mailbox.glob("*.log")
    older = first.rename(mailbox / "20260101-000000-1.log")
    os.utime(older, ns=(1_000_000_000, 1_000_000_000))
    send_plain("Third", "three", to="c@example.com")
    assert len(list(mailbox.glob("*.log"))) == 2

    # when anyone opens the mailbox
    response = client.get(reverse("mailbox:list"))

    # then all three are listed with subject and recipient, the newest first
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    for subject, to in [("First", "a@"), ("Second", "b@"), ("Third", "c@")]:
        assert subject in html and to in html
    assert html.index("Third") < html.index("First")


def test_share_email_in_the_mailbox_shows_a_clickable_link_and_a_sandboxed_html_part(
    client, company, mailbox, django_capture_on_commit_callbacks
) -> None:
    # given a quote shared with a message carrying markup
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        share_send(
            quote=quote,
            user=rep,
            recipient_name="Anna",
            recipient_email="anna@example.com",
            message="<script>alert(1)</script>",
        )
    share = PortalShare.objects.get()
    link = share_url(key=share.key, quote_id=quote.pk, email="anna@example.com")

    # when the newcomer opens it from the list
    listing = client.get(reverse("mailbox:list")).content.decode()
    (file,) = mailbox.glob("*.log")
    detail = reverse("mailbox:message", args=[f"{file.stem}.0"])
    assert detail in listing

    response = client.get(detail)
    html = response.content.decode()

    # then the text part's link is a link, the HTML part sits in a script-less sandbox
    assert response.status_code == 200
    assert f'<a href="{link}"' in html
    assert '<iframe title="HTML version of the email" sandbox="allow-popups' in html
    assert "allow-scripts" not in html and "allow-same-origin" not in html
    # the email's own markup is inert text inside srcdoc, its script doubly escaped
    assert 'srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;!doctype html&gt;' in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the plain text, escaped once
    assert "&amp;lt;script&amp;gt;" in html  # the HTML part, escaped in the email and again
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    "name",
    [
        "..",
        "...",
        "..%2F..%2Fsettings.0",
        "%2E%2E",
        "20261128-073050-1",
        "20261128-073050-1.log",
        "20261128-073050-1.0.0",
        "../20261128-073050-1.0",
        "20261128-073050-1.99",
        "etc-passwd.0",
        "20261128-073050-1%00.0",
        "20261128-073050-1.-1",
    ],
)
def test_mailbox_names_cannot_reach_other_files(client, mailbox, tmp_path, name) -> None:
    # given a message in the mailbox and a secret file next to it that looks like a log
    send_plain("Hello", "hi")
    (tmp_path / "20261128-073050-1.log").write_text("Subject: secret\n\nsecret")
    # when a crafted name is asked for, then it is not found and nothing leaks
    response = client.get(f"/mailbox/{name}/")
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_a_message_beyond_the_files_end_is_404(client, mailbox) -> None:
    send_plain("Only", "one")
    (file,) = mailbox.glob("*.log")
    assert client.get(reverse("mailbox:message", args=[f"{file.stem}.0"])).status_code == 200
    assert client.get(reverse("mailbox:message", args=[f"{file.stem}.1"])).status_code == 404


def test_empty_or_missing_mailbox_says_so(client, settings, tmp_path) -> None:
    settings.MAILBOX_DIR = tmp_path / "not-yet"
    response = client.get(reverse("mailbox:list"))
    assert response.status_code == 200 and "No email yet" in response.content.decode()


def test_mailbox_pages_refuse_post(client, mailbox) -> None:
    assert client.post(reverse("mailbox:list")).status_code == 405
