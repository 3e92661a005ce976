"""After an answer the client page shows one banner (the confirmation, not also the state)
and calls the rep by name."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.portal.tests.portal_fixtures import share_quote

pytestmark = pytest.mark.django_db


def notices(html: str) -> list[str]:
    """The text of every banner (notice) in the page's main part."""
    main = html[html.index("<main") : html.index("</main>")]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()
        for text in re.findall(r'<p class="notice[^"]*"[^>]*>(.*?)</p>', main, re.S)
    ]


@pytest.fixture
def riley():  # type: ignore[no-untyped-def]
    company = CompanyFactory(name="Northwind Office Supply")
    return member(company, Role.REP, email="riley@northwind.test", full_name="Riley Rep")


def test_one_banner_after_a_change_request_naming_the_rep(client, riley) -> None:
    shared = share_quote(riley)
    response = client.post(
        reverse("portal:changes", args=[shared.token]), {"message": "Ten chairs, please."}
    )

    html = client.get(response["Location"]).content.decode()

    assert notices(html) == [
        "Your request for changes was sent. Riley Rep will update the quote, and you will "
        "get an email when it is ready."
    ]
    # and later visits show the state, once, also by name
    later = client.get(shared.url).content.decode()
    assert notices(later) == [
        "You asked for changes. Riley Rep has your message and will send an update."
    ]


def test_a_message_confirmation_names_the_rep(client, riley) -> None:
    shared = share_quote(riley)
    response = client.post(
        reverse("portal:message", args=[shared.token]), {"body": "Is assembly included?"}
    )
    html = client.get(response["Location"]).content.decode()
    assert notices(html) == ["Your message was sent. Riley Rep gets it by email and answers here."]


def test_the_reps_address_breaks_only_at_its_natural_places(client) -> None:
    company = CompanyFactory()
    rep = member(
        company,
        Role.REP,
        email="maximilian.oberhausen@hafenblick-architekten.example",
        full_name="Max",
    )
    html = client.get(share_quote(rep).url).content.decode()
    assert (
        '<a class="email" href="mailto:maximilian.oberhausen@hafenblick-architekten.example">'
        "maximilian<wbr>.oberhausen@<wbr>hafenblick-architekten<wbr>.example</a>"
    ) in html


def test_the_change_request_help_text_says_where_the_words_go(client, riley) -> None:
    html = client.get(reverse("portal:changes", args=[share_quote(riley).token])).content.decode()
    assert "Tell Riley Rep what you would like changed." in html
    assert "the sender" not in html
    assert "It also stays in the conversation on the quote" in html


def test_a_decline_is_confirmed_in_one_banner_that_says_so(client, riley) -> None:
    shared = share_quote(riley)
    response = client.post(reverse("portal:decline", args=[shared.token]), {"reason": "price"})

    html = client.get(response["Location"]).content.decode()

    assert notices(html) == [
        "This quote was declined. Your answer was sent to Riley Rep: thank you for letting us know."
    ]
