"""SECURITY.md 21: no name a person types can add a recipient to an email.

A client's name (typed by the rep when sharing, or by the client when signing), a user's
full name and a company's sender name all end up as display names in From, To or Reply-To.
These tests send every kind of email Quotery sends through a real SMTP server (aiosmtpd)
with hostile names in every one of those places, parse the bytes the server received, and
check that each address header, and the SMTP envelope, holds exactly the intended addresses.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.sharing.share_input_errors,
quotery.portal.services.acceptance.quote_accept,
quotery.portal.services.acceptance.acceptance_input_errors,
quotery.portal.services.answers.quote_request_changes,
quotery.portal.services.answers.quote_decline,
quotery.portal.services.answers.client_message_post,
quotery.portal.services.answers.rep_message_post, quotery.accounts.services.member_create,
quotery.clients.services.contact_create, quotery.portal.emails.layout.display_name,
quotery.portal.emails.layout.mail_address, quotery.notifications.rendering.render_outbox_email,
quotery.notifications.rendering.registered_email_kinds,
quotery.notifications.delivery.outbox_email_deliver,
quotery.reminders.services.sending.reminders_send_due,
quotery.reminders.services.expiry.quote_expire
"""

from __future__ import annotations

import datetime as dt
import email
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quotery.accounts.factories import member
from quotery.accounts.models import Company, Role, User
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.services import payment_status_set
from quotery.notifications.delivery import outbox_email_deliver
from quotery.notifications.models import EmailStatus, OutboxEmail
from quotery.notifications.rendering import (
    EmailNotSendable,
    registered_email_kinds,
    render_outbox_email,
)
from quotery.portal.emails.layout import display_name, mail_address
from quotery.portal.services.answers import (
    client_message_post,
    quote_decline,
    quote_request_changes,
    rep_message_post,
)
from quotery.portal.tests.portal_fixtures import CLIENT_META, accept_shared, share_quote
from quotery.reminders.models import ReminderSlot
from quotery.reminders.services.expiry import quote_expire
from quotery.reminders.services.sending import reminders_send_due
from quotery.sharing.models import Acceptance, ConversationMessage, Decline, PortalShare
from tests.network import Delivery, SmtpInbox

pytestmark = pytest.mark.django_db

FROM = "quotes@quotery.example"
REP = "rita@northwind.example"
ANNA = "anna@client.test"  # quote A: shared, then accepted
BEN = "ben@client.test"  # quote B: shared, changes requested, messages both ways, declined
CLARA = "clara@client.test"  # quote C: shared, not viewed, reminded
DORA = "dora@client.test"  # quote D: shared, expired

# The name from the report: quoted by formataddr, unquoted by Python's folding, and read by
# mail clients as four recipients, one of them the attacker's.
FOLDED_NAME = (
    "Anna Schmidt, Procurement Department, Example GmbH <attacker@evil.example>, Procurement"
)


@dataclass(frozen=True)
class Expected:
    row: OutboxEmail
    to: list[str]
    reply_to: list[str]


@dataclass
class Scene:
    company: Company
    rep: User
    expected: list[Expected]


@pytest.fixture
def scene(company: Company, settings) -> Scene:  # type: ignore[no-untyped-def]
    """One outbox row of every kind Quotery sends, none sent yet (no commit callbacks run)."""
    settings.DEFAULT_FROM_EMAIL = FROM
    rep = member(company, Role.REP, full_name="Rita Rep", email=REP)
    Company.objects.filter(pk=company.pk).update(finance_gate=True)
    first = share_quote(rep, email=ANNA, products=[None])
    accept_shared(first, email=ANNA)
    payment_status_set(
        payment=Payment.objects.get(quote=first.quote),
        status=PaymentStatus.UNDER_REVIEW,
        user=member(company, Role.FINANCE),
    )
    second = share_quote(rep, email=BEN, products=[None])
    quote_request_changes(share=second.share, message="Ten chairs.", request_meta=CLIENT_META)
    client_message_post(share=second.share, body="And a desk?", request_meta=CLIENT_META)
    rep_message_post(quote=second.quote, user=rep, body="Both are in version 2.")
    quote_decline(
        share=second.share, reason="", detail="We went elsewhere.", request_meta=CLIENT_META
    )

    third = share_quote(rep, email=CLARA, products=[None])
    # ten days on, every step is due (A and B were answered: C alone is reminded)
    assert reminders_send_due(now=timezone.now() + dt.timedelta(days=10)) == 1
    fourth = share_quote(rep, email=DORA, products=[None])
    assert quote_expire(quote_id=fourth.quote.pk, now=timezone.now() + dt.timedelta(days=40))

    def row(kind: str, quote_id: int) -> OutboxEmail:
        rows = [r for r in OutboxEmail.objects.filter(kind=kind) if quote_of(r) == quote_id]
        assert len(rows) == 1, (kind, rows)
        return rows[0]

    a, b, c, d = first.quote.pk, second.quote.pk, third.quote.pk, fourth.quote.pk
    return Scene(
        company=company,
        rep=rep,
        expected=[
            Expected(row("portal_share", a), to=[ANNA], reply_to=[REP]),
            Expected(row("portal_share", b), to=[BEN], reply_to=[REP]),
            Expected(row("acceptance_rep", a), to=[REP], reply_to=[]),
            Expected(row("acceptance_client", a), to=[ANNA], reply_to=[REP]),
            Expected(row("payment_status_client", a), to=[ANNA], reply_to=[REP]),
            Expected(row("changes_requested_rep", b), to=[REP], reply_to=[]),
            Expected(row("client_message_rep", b), to=[REP], reply_to=[]),
            Expected(row("rep_message_client", b), to=[BEN], reply_to=[REP]),
            Expected(row("declined_rep", b), to=[REP], reply_to=[]),
            Expected(row("reminder_client", c), to=[CLARA], reply_to=[REP]),
            Expected(row("quote_expired_rep", d), to=[REP], reply_to=[]),
        ],
    )


def quote_of(row: OutboxEmail) -> int:
    """The quote an outbox row is about, through the record its context names."""
    context = row.context
    if row.kind.startswith("acceptance_"):
        return Acceptance.objects.get(pk=context["acceptance"]).quote_id
    if row.kind == "payment_status_client":
        return Payment.objects.get(pk=context["payment"]).quote_id
    if row.kind == "declined_rep":
        return Decline.objects.get(pk=context["decline"]).quote_id
    if row.kind == "portal_share":
        return PortalShare.objects.get(pk=context["share"]).quote_id
    if row.kind == "reminder_client":
        return ReminderSlot.objects.get(pk=context["reminder"]).quote_id
    if row.kind == "quote_expired_rep":
        return int(context["quote"])
    return ConversationMessage.objects.get(pk=context["message"]).quote_id


def name_everyone(scene: Scene, *, client: str, rep: str, sender: str, signer: str) -> None:
    """Gives every name that reaches a header the given value, as if typed so: the client's
    name on the shares (by the rep) and in the thread, the signer's name (by the client),
    the rep's full name, the company's sender name. Straight into the database, past the
    input checks, so the header code alone has to make them safe."""
    Company.objects.filter(pk=scene.company.pk).update(email_sender_name=sender[:120])
    User.objects.filter(pk=scene.rep.pk).update(full_name=rep[:120])
    PortalShare.objects.update(recipient_name=client[:200])
    ConversationMessage.objects.filter(author_email=REP).update(author_name=rep[:200])
    ConversationMessage.objects.exclude(author_email=REP).update(author_name=client[:200])
    Acceptance.objects.update(signer_name=signer[:200])
    for expected in scene.expected:
        row = expected.row
        signed = row.kind in {"acceptance_client", "payment_status_client"}
        to_name = {REP: rep, ANNA: signer if signed else client}
        OutboxEmail.objects.filter(pk=row.pk).update(
            to_name=to_name.get(expected.to[0], client)[:200],
            status=EmailStatus.PENDING,
            next_attempt_at=timezone.now(),
            attempts=0,
        )


def addresses(message: EmailMessage, header: str) -> list[str]:
    """The addresses in every `header` field of the message, as Python's parser reads them."""
    return [
        address.addr_spec
        for field in message.get_all(header) or []
        for address in field.addresses  # type: ignore[attr-defined]
    ]


def legacy_addresses(raw: bytes, header: str) -> list[str]:
    """The same, as the older parser (compat32 + getaddresses) reads the raw field."""
    legacy = email.message_from_bytes(raw)
    return [address for _name, address in getaddresses(legacy.get_all(header) or [])]


def send_every_kind(scene: Scene, inbox: SmtpInbox) -> list[Delivery]:
    """Delivers each outbox row in turn through the real SMTP server; one delivery each."""
    inbox.messages.clear()
    inbox.deliveries.clear()
    for count, expected in enumerate(scene.expected, start=1):
        status = outbox_email_deliver(email_id=expected.row.pk)
        expected.row.refresh_from_db()
        assert status == EmailStatus.SENT, (expected.row.kind, expected.row.last_error)
        assert len(inbox.deliveries) == count
    return inbox.deliveries


def assert_only_intended_addresses(scene: Scene, deliveries: list[Delivery]) -> None:
    for expected, delivery in zip(scene.expected, deliveries, strict=True):
        kind = expected.row.kind
        message = email.message_from_bytes(delivery.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        assert addresses(message, "From") == [FROM], kind
        assert addresses(message, "To") == expected.to, kind
        assert addresses(message, "Reply-To") == expected.reply_to, kind
        assert addresses(message, "Cc") == [], kind
        assert addresses(message, "Bcc") == [], kind
        for header, intended in [("From", [FROM]), ("To", expected.to)]:
            assert legacy_addresses(delivery.content, header) == intended, (kind, header)
        assert legacy_addresses(delivery.content, "Reply-To") == expected.reply_to, kind
        assert delivery.mail_from == FROM, kind
        assert delivery.rcpt_tos == expected.to, kind


def test_security_21_every_kind_of_email_is_covered(scene: Scene) -> None:
    assert sorted({expected.row.kind for expected in scene.expected}) == sorted(
        registered_email_kinds()
    )
    assert sorted(registered_email_kinds()) == [
        "acceptance_client",
        "acceptance_rep",
        "changes_requested_rep",
        "client_message_rep",
        "declined_rep",
        "payment_status_client",
        "portal_share",
        "quote_expired_rep",
        "reminder_client",
        "rep_message_client",
    ]


def test_security_21_a_long_name_with_an_address_in_it_adds_no_recipient(
    scene: Scene, smtp_server: SmtpInbox
) -> None:
    # given the name from the report everywhere a name can reach a header
    name_everyone(
        scene, client=FOLDED_NAME, rep=FOLDED_NAME, sender=FOLDED_NAME, signer=FOLDED_NAME
    )

    # when every kind of email goes out through the SMTP server
    deliveries = send_every_kind(scene, smtp_server)

    # then each header and the envelope hold exactly the intended addresses
    assert_only_intended_addresses(scene, deliveries)
    share_mail = email.message_from_bytes(deliveries[0].content, policy=policy.default)
    assert isinstance(share_mail, EmailMessage)
    (to,) = share_mail["To"].addresses
    assert to.display_name == (
        "Anna Schmidt Procurement Department Example GmbH attacker evil example Procurement"
    )
    assert to.addr_spec == ANNA
    # and the body still greets the client by the name as typed (only headers change it)
    text = share_mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Hello {FOLDED_NAME}," in text


# Pieces hostile names are made of: RFC 5322 specials, quotes, whole addresses, encoded-word
# look-alikes (which a reader decodes), runs long enough to make Python fold the header,
# full-width look-alikes, line breaks and bidi controls, and names in other scripts.
PIECES = [
    '"',
    ",",
    "<",
    ">",
    "@",
    "(",
    ")",
    ":",
    ";",
    "[",
    "]",
    "\\",
    ".",
    " ",
    "<attacker@evil.example>",
    "attacker@evil.example",
    ", Procurement",
    '"Anna, Procurement" <attacker@evil.example>',
    "=?utf-8?q?=3Cattacker=40evil.example=3E?=",
    "=?utf-8?b?PGF0dGFja2VyQGV2aWwuZXhhbXBsZT4=?=",
    "=?utf-8?q?a?= =?utf-8?q?b?=",
    "=?",
    "?=",
    "undisclosed-recipients:;",
    "Bcc: attacker@evil.example",
    "\r\nBcc: attacker@evil.example",
    "\t",
    "\u2028",
    "\u202e",
    "\u200f",
    "＜attacker＠evil.example＞",
    "，",
    "Anna Schmidt",
    "Procurement Department",
    "Zoë Ødegård",
    "李王",
    "محمد",
    "👩\u200d💻",
    "\u3164",
]
NAMES = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.builds(
            lambda piece, times: piece * times,
            st.sampled_from(["x", "a,", "<a@evil.example>", "é", " ", "=?", "Procurement "]),
            st.integers(min_value=1, max_value=120),
        ),
        st.text(
            alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
            max_size=30,
        ),
    ),
    max_size=12,
).map("".join)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(client=NAMES, rep=NAMES, sender=NAMES, signer=NAMES)
@example(client=FOLDED_NAME, rep=FOLDED_NAME, sender=FOLDED_NAME, signer=FOLDED_NAME)
# Once found by this test: a folded name starting with a period crashed Python's parser.
@example(client="Anna", rep=".pdf" + "Procurement " * 40, sender="Northwind", signer="Anna")
@example(
    client="=?utf-8?q?=3Cattacker=40evil.example=3E?=" + " x" * 40,
    rep='"Rita, Sales" <attacker@evil.example>',
    sender="(" * 150,
    signer="",
)
def test_security_21_no_name_adds_a_recipient_to_any_email(
    scene: Scene, smtp_server: SmtpInbox, client: str, rep: str, sender: str, signer: str
) -> None:
    # given hostile names wherever a name reaches an address header
    name_everyone(scene, client=client, rep=rep, sender=sender, signer=signer)

    # when every kind of email goes out through the SMTP server
    deliveries = send_every_kind(scene, smtp_server)

    # then From, To, Reply-To and Cc hold exactly the intended addresses, and so does the
    # envelope the server was given
    assert_only_intended_addresses(scene, deliveries)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (
            FOLDED_NAME,
            "Anna Schmidt Procurement Department Example GmbH attacker evil example Procurement",
        ),
        ("O'Brien (Sales)", "O'Brien Sales"),
        ("Dr. Anna Berg", "Dr Anna Berg"),
        (".pdf" + " Procurement" * 20, "pdf" + " Procurement" * 20),
        ("=?utf-8?q?=3Cattacker=40evil.example=3E?=", "= ?utf-8?q?=3Cattacker=40evil example=3E?="),
        ("Anna\r\nBcc: attacker@evil.example", "Anna Bcc attacker evil example"),
        ("李，王 ＜x＠y＞", "李 王 x y"),
        ("Zoë Ødegård", "Zoë Ødegård"),
        ("محمد\u200f", "محمد"),
        ("👩\u200d💻 Dev", "👩\u200d💻 Dev"),
        ("\u202eAnna", "Anna"),
        ('<>,"@:;', ""),
        ("\u200d \u3164", ""),
        ("", ""),
    ],
)
def test_security_21_display_names_keep_words_and_lose_what_could_end_an_address(
    typed: str, shown: str
) -> None:
    assert display_name(typed) == shown


def test_security_21_a_name_with_nothing_visible_left_gives_the_bare_address(settings) -> None:
    assert mail_address('<>,"', "anna@example.com") == "anna@example.com"
    assert mail_address("Anna", "anna@example.com") == "Anna <anna@example.com>"


@pytest.mark.parametrize(
    "address",
    [
        '"x, <attacker@evil.example>"@example.com',
        '"a,b"@example.com',
        "=?utf-8?q?abc?= @example.com",
        "anna@example.com, attacker@evil.example",
        "anna@example.com>",
    ],
)
def test_security_21_an_address_headers_cannot_carry_as_given_is_refused(address: str) -> None:
    with pytest.raises(EmailNotSendable):
        mail_address("Anna", address)


def test_security_21_a_recipient_address_with_a_quoted_local_part_is_not_sent(
    scene: Scene, smtp_server: SmtpInbox
) -> None:
    # given a share whose recipient address has a quoted local part (Django's validate_email
    # takes it; folding drops its quotes as it does a display name's)
    row = scene.expected[0].row
    hostile = '"' + "x" * 70 + ', <attacker@evil.example>"@example.com'
    OutboxEmail.objects.filter(pk=row.pk).update(to_email=hostile)

    # when the worker delivers it
    status = outbox_email_deliver(email_id=row.pk)

    # then it is not sent anywhere, and the row says why
    assert status == EmailStatus.FAILED
    assert smtp_server.deliveries == []
    row.refresh_from_db()
    assert (
        row.last_error == "Not sent: the address has a form that mail headers cannot carry safely."
    )
    with pytest.raises(EmailNotSendable):
        render_outbox_email(row)


# -- refused where the address is typed ---------------------------------------------------

UNSAFE_ADDRESSES = [
    '"a,b"@example.com',  # a quoted local part: loses its quotes when a header is folded
    '"anna <x@evil.example>"@example.com',
    "=?utf-8?q?anna?=@example.com",  # reads as an encoded word
]


@pytest.mark.django_db
@pytest.mark.parametrize("address", UNSAFE_ADDRESSES)
def test_security_21_an_address_a_header_cannot_carry_is_refused_where_it_is_typed(
    company, rep, address
):
    from quotery.accounts.services import member_create
    from quotery.clients.factories import ClientFactory
    from quotery.clients.services import contact_create
    from quotery.core.exceptions import ValidationFailed
    from quotery.portal.services.acceptance import acceptance_input_errors
    from quotery.portal.services.sharing import share_input_errors

    # the rep typing the client's address, the client typing their own
    assert "recipient_email" in share_input_errors(name="Anna", email=address, message="")
    assert "signer_email" in acceptance_input_errors(name="Anna", email=address, consent=True)
    # a contact and a new member, with nothing written
    client = ClientFactory(company=company)
    contacts, users = client.contacts.count(), User.objects.count()
    with pytest.raises(ValidationFailed) as contact_refusal:
        contact_create(client=client, name="Anna", email=address)
    assert "email" in contact_refusal.value.field_errors
    with pytest.raises(ValidationFailed) as member_refusal:
        member_create(company=company, full_name="Anna", email=address, role=Role.REP)
    assert "email" in member_refusal.value.field_errors
    assert (client.contacts.count(), User.objects.count()) == (contacts, users)
