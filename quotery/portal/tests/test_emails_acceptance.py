"""The acceptance emails through a real SMTP server: one to the quote's owner, one to the
signer with the accepted PDF attached, both carrying the signature hash (SECURITY.md 6, 17,
20, 21)."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import pytest
from django.utils.html import escape

from quotery.accounts.factories import member
from quotery.accounts.models import Role, User
from quotery.core.evidence_text import short_reference
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.portal.emails.layout import message_id
from quotery.portal.tests.portal_fixtures import Shared, accept_shared, share_quote
from quotery.sharing.links import share_url
from quotery.sharing.models import Acceptance

pytestmark = pytest.mark.django_db

BASE = "https://quotes.northwind.example"


@pytest.fixture
def owner(company, settings) -> User:  # type: ignore[no-untyped-def]
    settings.BASE_URL = BASE
    settings.DEFAULT_FROM_EMAIL = "quotes@quotery.example"
    company.name = "Northwind"
    company.save()
    return member(company, Role.REP, full_name="Rita Rep", email="rita@northwind.example")


@pytest.fixture
def shared(owner: User) -> Shared:
    return share_quote(owner, products=[None, None])


def accept_and_send(shared: Shared, capture, *, name: str = "Anna Client") -> Acceptance:  # type: ignore[no-untyped-def]
    """Accepts and runs what the commit sets off (the outbox's immediate sends, the seal)."""
    with capture(execute=True):
        acceptance = accept_shared(shared, name=name)
    acceptance.refresh_from_db()
    return acceptance


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def by_recipient(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {parseaddr(str(message["To"]))[1]: message for message in messages}


def test_security_17_both_parties_get_the_signature_hash_and_the_client_the_pdf(
    shared: Shared, owner: User, smtp_server, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # when the client accepts and the outbox sends
    acceptance = accept_and_send(shared, django_capture_on_commit_callbacks)

    # then exactly two emails arrive: to the owner and to the signer
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2
    mails = by_recipient(messages)
    assert set(mails) == {"rita@northwind.example", "anna@client.test"}
    assert set(
        OutboxEmail.objects.filter(kind__startswith="acceptance_").values_list("status", flat=True)
    ) == {EmailStatus.SENT}

    # both carry the signature hash in the text and the HTML part: a short reference to
    # read, and the full hash for checking
    reference = short_reference(acceptance.signature_hash)
    for message in messages:
        text, html = parts(message)
        assert acceptance.signature_hash in text
        assert acceptance.signature_hash in html
        assert reference in text and reference in html
        assert f"The full signature hash, for checking: {acceptance.signature_hash}." in text
        assert "Signature code" not in text

    # the owner's says who, when and how much, and links to the quote from BASE_URL
    rep_mail = mails["rita@northwind.example"]
    text, html = parts(rep_mail)
    assert shared.quote.number in str(rep_mail["Subject"])
    assert "Anna Client" in str(rep_mail["Subject"])
    assert "anna@client.test" in text and "UTC" in text
    assert f"{BASE}/quotes/{shared.quote.pk}/" in text
    assert rep_mail["Message-ID"] == message_id(f"acceptance_rep:{acceptance.pk}")

    # the signer's has the accepted PDF attached: the very stored, sealed bytes
    client_mail = mails["anna@client.test"]
    attachments = list(client_mail.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    pdf = attachments[0].get_content()
    assert pdf.startswith(b"%PDF")
    assert attachments[0].get_filename() == f"{shared.quote.number}-accepted.pdf"
    assert hashlib.sha256(pdf).hexdigest() == acceptance.pdf_sha256 != ""
    assert client_mail["Message-ID"] == message_id(f"acceptance_client:{acceptance.pk}")
    assert parseaddr(str(client_mail["Reply-To"]))[1] == "rita@northwind.example"
    text, _html = parts(client_mail)
    link = share_url(key=shared.share.key, quote_id=shared.quote.pk, email="anna@client.test")
    assert link.startswith(BASE) and link in text


def test_the_rep_email_has_no_attachment(
    shared: Shared, smtp_server, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    accept_and_send(shared, django_capture_on_commit_callbacks)
    rep_mail = by_recipient(smtp_server.wait_for(2))["rita@northwind.example"]
    assert list(rep_mail.iter_attachments()) == []


HOSTILE = '<img src=x onerror="alert(1)">, Evil & Co <bcc@evil.test>'


def test_security_21_a_hostile_signer_name_is_escaped_and_adds_no_recipient(
    shared: Shared, smtp_server, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    accept_and_send(shared, django_capture_on_commit_callbacks, name=HOSTILE)

    messages = smtp_server.wait_for(2)
    for message in messages:
        _text, html = parts(message)
        assert "<img src=x" not in html
        assert escape("<img src=x") in html or "&lt;img src=x" in html
        # the name with its comma and angle brackets stays one display name
        recipients = getaddresses([str(message["To"]), str(message.get("Cc", ""))])
        assert [address for _name, address in recipients if address] in (
            ["anna@client.test"],
            ["rita@northwind.example"],
        )
    assert "bcc@evil.test" not in {
        address
        for message in messages
        for _name, address in getaddresses([str(message["To"]), str(message.get("Cc", ""))])
    }
    # the signer's own email addresses them by the name's words, without the characters
    # that could end an address (the body greets them by the name as typed)
    client_mail = by_recipient(messages)["anna@client.test"]
    assert getaddresses([str(client_mail["To"])])[0][0] == (
        "img src=x onerror= alert 1 Evil & Co bcc evil test"
    )


def test_each_email_goes_once_however_often_the_worker_runs(
    shared: Shared, smtp_server, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from quotery.notifications.delivery import outbox_email_deliver
    from quotery.notifications.tasks import deliver_due_emails

    acceptance = accept_and_send(shared, django_capture_on_commit_callbacks)
    smtp_server.wait_for(2)

    for email in OutboxEmail.objects.filter(kind__startswith="acceptance_"):
        assert outbox_email_deliver(email_id=email.pk) == EmailStatus.SENT
    deliver_due_emails.call()  # also sends the share email that was still waiting

    ids = [str(message["Message-ID"]) for message in smtp_server.wait_for(3)]
    for kind in ("acceptance_rep", "acceptance_client"):
        assert ids.count(message_id(f"{kind}:{acceptance.pk}")) == 1
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("name", "in_to_header"),
    [
        ("Zoë O'Brien-Ångström", "Zoë O'Brien-Ångström"),
        ("山田 花子", "山田 花子"),
        ("محمد العلي", "محمد العلي"),
        ("Anna 👩‍💼 Client", "Anna 👩‍💼 Client"),
        # near the 200-character limit: a folded subject; the header's name has no period
        # (a special, like the comma: SECURITY.md 21)
        ("Dr. " + "Bartholomew " * 16, "Dr" + " Bartholomew" * 16),
    ],
)
def test_every_name_the_form_allows_makes_both_emails(
    shared: Shared, smtp_server, django_capture_on_commit_callbacks, name: str, in_to_header: str
) -> None:  # type: ignore[no-untyped-def]
    acceptance = accept_and_send(shared, django_capture_on_commit_callbacks, name=name)
    mails = by_recipient(smtp_server.wait_for(2))
    assert set(mails) == {"rita@northwind.example", "anna@client.test"}
    assert acceptance.signer_name in str(mails["rita@northwind.example"]["Subject"])
    assert getaddresses([str(mails["anna@client.test"]["To"])])[0][0] == in_to_header
