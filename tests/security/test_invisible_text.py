"""SECURITY.md 21 for text that does not show as typed: names without a visible letter, and
bidi controls (the overrides, isolates and the marks RLM, LRM, ALM) in names and messages.

Names are refused with a sentence that says what to do; messages lose their bidi controls
quietly. Names of every script still pass, with combining marks, ZWJ inside emoji and ZWNJ
inside Persian words. The rule lives in quotery.core.text (its unit tests:
quotery/core/tests/test_text.py); these tests go through the forms a person uses.

Exercises: quotery.portal.services.sharing.share_send, quotery.accounts.views.member_new,
quotery.clients.views.client_new, quotery.clients.views.contact_new,
quotery.portal.views.acceptance.accept, quotery.portal.views.answers.decline,
quotery.portal.views.answers.message, quotery.portal.views.answers.request_changes,
quotery.portal.views.rep.reply, quotery.portal.views.rep.share, quotery.quotes.views.quote_new
"""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.clients.factories import ClientFactory
from quotery.clients.models import Client, Contact
from quotery.portal.tests.portal_fixtures import Shared, latest_revision_hash, share_quote
from quotery.sharing.models import Acceptance, ConversationMessage, Decline, PortalShare
from tests.security.written import database_rows

pytestmark = pytest.mark.django_db

INVISIBLE_NAMES = {
    "zero-width spaces": "\u200b\u200b\u200b",
    "a zero-width joiner": "\u200d",
    "a combining mark alone": "\u0301",
    "spaces and a BOM": "  \ufeff ",
    "a soft hyphen": "\u00ad",
    "Hangul fillers": "\u3164\u3164",
}
BIDI_NAMES = {
    "RLO": "Anna\u202eevil",
    "RLM": "Anna\u200f",
    "LRM": "\u200eAnna",
    "ALM": "Anna\u061c",
    "RLI and PDI": "\u2067Anna\u2069",
    "PDF": "Anna\u202c",
}
NAMES_OF_EVERY_SCRIPT = {
    "Latin with precomposed accents": "Zoë Ångström-Müller",
    "Latin with a combining accent": "Jose\u0301 Nun\u0303ez",
    "Cyrillic": "Анна Петрова",
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Arabic": "محمد العلي",
    "Persian with ZWNJ": "فاطمه\u200cزهرا محمدی",
    "Hebrew": "דוד כהן",
    "Devanagari": "अनुष्का शर्मा",
    "Thai": "สมชาย ใจดี",
    "Chinese": "李小龍",
    "Japanese": "山田 太郎",
    "Korean": "김민준",
    "Emoji with ZWJ after a name": "Ada \U0001f469\u200d\U0001f4bb",
    "Vietnamese": "Nguyễn Thị Minh Khai",
    "Georgian": "ნინო ბერიძე",
    "digits only": "007",
}


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def accept_data(shared: Shared, name: str) -> dict[str, str]:
    return {
        "signer_name": name,
        "signer_email": "anna@client.test",
        "consent": "on",
        "revision_hash": latest_revision_hash(shared.quote),
    }


# ---------------------------------------------------------------------------------------
# The signer's name


SIGNER_REFUSALS = [
    *(
        pytest.param(name, "Type your name with at least one letter.", id=f"only {what}")
        for what, name in INVISIBLE_NAMES.items()
    ),
    *(
        pytest.param(
            name,
            "Your name must be one line, without invisible control characters. "
            "Please type it again.",
            id=f"with {what}",
        )
        for what, name in BIDI_NAMES.items()
    ),
]


@pytest.mark.parametrize(("name", "expected"), SIGNER_REFUSALS)
def test_security_21_a_signer_name_that_does_not_show_as_typed_is_refused(
    client, rep, name, expected
):
    # given a shared quote, and a name that shows nothing, or has a character that
    # reorders what follows
    shared = share_quote(rep)
    before = database_rows()
    # when the client signs with it
    response = client.post(reverse("portal:accept", args=[shared.token]), accept_data(shared, name))
    # then the form says what to type, and nothing was accepted, written or sent
    assert response.status_code == 422
    assert expected in page_text(response)
    assert database_rows() == before


# ---------------------------------------------------------------------------------------
# The recipient's name on the share form


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("\u200b\u200b", "Type the client's name with at least one letter."),
        (
            "Anna\u200f",
            "The client's name must be one line, without invisible control characters.",
        ),
        (
            "\u202eAnna",
            "The client's name must be one line, without invisible control characters.",
        ),
        ("Anna\u061c", "The client's name must be one line, without invisible control"),
    ],
    ids=["zero-width spaces", "RLM", "RLO", "ALM"],
)
def test_security_21_the_share_form_refuses_an_invisible_or_reordering_name(
    login, rep, name, expected
):
    # given a rep's shared quote
    shared = share_quote(rep)
    browser = login(rep)
    before = database_rows()
    # when they share it with a name that does not show as typed
    response = browser.post(
        reverse("sharing:share", args=[shared.quote.pk]),
        {"recipient_name": name, "recipient_email": "bo@client.test", "message": "Hi"},
    )
    # then the form says why, and no link, event or email was made
    assert response.status_code == 422
    assert expected in page_text(response)
    assert database_rows() == before


@pytest.mark.parametrize("name", NAMES_OF_EVERY_SCRIPT.values(), ids=NAMES_OF_EVERY_SCRIPT.keys())
@pytest.mark.parametrize("form", ["signature", "share"])
def test_security_21_names_of_every_script_are_kept_as_typed(client, login, rep, form, name):
    # given a shared quote
    shared = share_quote(rep)
    # when the client signs with a name in their own script, or the rep shares with one
    if form == "signature":
        url, data = reverse("portal:accept", args=[shared.token]), accept_data(shared, name)
    else:
        client = login(rep)
        url = reverse("sharing:share", args=[shared.quote.pk])
        data = {"recipient_name": name, "recipient_email": "bo@client.test", "message": ""}
    response = client.post(url, data)
    # then the acceptance, or the new link, holds the name exactly as typed
    assert response.status_code == 302
    if form == "signature":
        assert Acceptance.objects.get(quote=shared.quote).signer_name == name
    else:
        assert PortalShare.objects.get(recipient_email="bo@client.test").recipient_name == name


# ---------------------------------------------------------------------------------------
# Messages: bidi controls dropped, the words kept

HOSTILE_MESSAGE = "Please \u202eredro\u202c review\u200f the \u2067price\u2069\u061c."
# ZWJ inside the emoji and ZWNJ inside the Persian word stay: they join, not reorder.
KEPT_MESSAGE = "Thanks \U0001f469\u200d\U0001f4bb, می\u200cخواهم."


@pytest.mark.parametrize(
    ("endpoint", "field"), [("portal:changes", "message"), ("portal:message", "body")]
)
def test_security_21_bidi_controls_are_dropped_from_the_clients_words(client, rep, endpoint, field):
    # given a shared quote
    shared = share_quote(rep)
    # when the client writes words with bidi controls, and words with joiners
    for text in (HOSTILE_MESSAGE, KEPT_MESSAGE):
        response = client.post(reverse(endpoint, args=[shared.token]), {field: text})
        assert response.status_code == 302
    # then the words are stored without the bidi controls, and with the joiners
    bodies = ConversationMessage.objects.filter(quote=shared.quote, author_kind="client")
    assert list(bodies.order_by("pk").values_list("body", flat=True)) == [
        "Please redro review the price.",
        KEPT_MESSAGE,
    ]


def test_security_21_a_decline_detail_loses_its_bidi_controls(client, rep):
    shared = share_quote(rep)
    response = client.post(
        reverse("portal:decline", args=[shared.token]),
        {"reason": "price", "detail": HOSTILE_MESSAGE},
    )
    assert response.status_code == 302
    assert Decline.objects.get(quote=shared.quote).detail == "Please redro review the price."


def test_security_21_bidi_controls_are_dropped_from_the_reps_words(login, rep):
    # given a shared quote (its personal message: "Here is the quote we discussed.")
    shared = share_quote(rep)
    browser = login(rep)
    # when the rep replies, and shares again with a personal message, both with bidi controls
    reply = browser.post(
        reverse("sharing:reply", args=[shared.quote.pk]), {"body": HOSTILE_MESSAGE}
    )
    share = browser.post(
        reverse("sharing:share", args=[shared.quote.pk]),
        {
            "recipient_name": "Anna Client",
            "recipient_email": "anna@client.test",
            "message": HOSTILE_MESSAGE,
        },
    )
    # then both are stored without them
    assert (reply.status_code, share.status_code) == (302, 302)
    bodies = ConversationMessage.objects.filter(quote=shared.quote, author_kind="rep")
    assert sorted(bodies.values_list("body", flat=True)) == [
        "Here is the quote we discussed.",
        "Please redro review the price.",
        "Please redro review the price.",
    ]


def test_security_21_a_message_of_bidi_controls_only_is_an_empty_message(client, rep):
    # given a shared quote
    shared = share_quote(rep)
    before = database_rows()
    # when the client sends nothing but bidi controls
    response = client.post(
        reverse("portal:message", args=[shared.token]), {"body": "\u202e\u200f\u2066\u2069"}
    )
    # then it is refused as the empty message it shows as, and nothing was written
    assert response.status_code == 422
    assert "Write your message first." in page_text(response)
    assert database_rows() == before


# ---------------------------------------------------------------------------------------
# The rep's names: clients, contacts, the editor's new client, members


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("\u200b", "Type the client's name with at least one letter."),
        ("Acme\u200f", "The client's name must be one line, without invisible control"),
    ],
    ids=["zero-width space", "RLM"],
)
def test_security_21_a_client_name_must_show(login, rep, name, expected):
    browser = login(rep)
    before = database_rows()
    response = browser.post(reverse("clients:new"), {"name": name})
    assert response.status_code == 422
    assert expected in page_text(response)
    assert database_rows() == before


def test_security_21_a_contact_name_must_show(login, rep, company):
    acme = ClientFactory(company=company)
    browser = login(rep)
    before = database_rows()
    for url, data in (
        (reverse("clients:new"), {"name": "Bolt AG", "contact_name": "\u200b\u200b"}),
        (reverse("clients:contact_new", args=[acme.pk]), {"name": "\u2066", "email": "a@b.test"}),
    ):
        response = browser.post(url, data)
        assert response.status_code == 422
        assert "the contact's name" in page_text(response).lower()
    assert database_rows() == before


def test_security_21_the_editors_new_client_must_show_its_name(login, rep, company):
    # given the quote editor, a new client typed in with invisible names
    browser = login(rep)
    today = timezone.localdate(timezone=company.zone)
    data = {
        "new_client_name": "\u200b\u200b",
        "new_contact_name": "Ada\u202e",
        "new_contact_email": "ada@acme.test",
        "title": "Desks",
        "currency": "EUR",
        "issue_date": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=30)).isoformat(),
        "sections.0.title": "Desks",
        "sections.0.lines.0.description": "Desk",
        "sections.0.lines.0.quantity": "1",
        "sections.0.lines.0.unit_price": "10",
    }
    before = database_rows()
    # when the quote is saved
    response = browser.post(reverse("quotes:new"), data)
    # then both names are refused beside their fields, and nothing was created
    assert response.status_code == 422
    text = page_text(response)
    assert "Type the client's name with at least one letter." in text
    assert "The contact's name must be one line, without invisible control characters." in text
    assert database_rows() == before
    assert not Client.objects.filter(company=company).exists()
    assert not Contact.objects.filter(company=company).exists()


def test_security_21_a_new_member_name_must_show(login, company):
    admin = member(company, Role.ADMIN)
    browser = login(admin)
    before = database_rows()
    response = browser.post(
        reverse("accounts:member_new"),
        {"full_name": "\u200b", "email": "dee@example.test", "role": "rep"},
    )
    assert response.status_code == 422
    assert "Type the person's name with at least one letter." in page_text(response)
    assert database_rows() == before
