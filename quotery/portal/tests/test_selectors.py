"""Capability links: random, derived from the server secret, revocable (SECURITY.md 1-3)."""

from __future__ import annotations

import pytest

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.portal.selectors import share_for_token
from quotery.portal.services.sharing import share_revoke, share_send
from quotery.quotes.factories import make_quote
from quotery.sharing.links import KEY_LENGTH, TOKEN_LENGTH, share_token, share_url, split_token
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db


def shared(company, email="anna@example.com"):  # type: ignore[no-untyped-def]
    rep = member(company, Role.REP)
    quote = make_quote(owner=rep)
    share = share_send(quote=quote, user=rep, recipient_name="Anna Berg", recipient_email=email)
    return rep, quote, share


def token_of(share: PortalShare) -> str:
    return share_token(key=share.key, quote_id=share.quote_id, email=share.recipient_email)


def test_security_1_a_link_carries_128_random_bits_and_one_link_per_recipient(company) -> None:
    # given two recipients of one quote
    rep, quote, first = shared(company)
    second = share_send(
        quote=quote, user=rep, recipient_name="Ben", recipient_email="ben@example.com"
    )

    # then each has its own key: 22 base64url characters = 16 bytes from `secrets`
    assert len(first.key) == KEY_LENGTH == 22
    assert first.key != second.key
    assert len(token_of(first)) == TOKEN_LENGTH == 44
    # and sharing again to the first recipient reuses the same link
    again = share_send(
        quote=quote, user=rep, recipient_name="Anna Berg", recipient_email="ANNA@example.com"
    )
    assert again.pk == first.pk
    assert token_of(again) == token_of(first)
    assert PortalShare.objects.filter(quote=quote).count() == 2


def test_security_2_the_database_alone_cannot_produce_a_working_link(company, settings) -> None:
    # given a share and everything the database holds about it
    _, _, share = shared(company)
    working = token_of(share)
    stored = " ".join(
        str(v) for v in PortalShare.objects.filter(pk=share.pk).values().get().values()
    )

    # then no stored value is the link or its secret half
    assert working not in stored
    assert working[KEY_LENGTH:] not in stored
    # and the same derivation under any other secret gives a link that does not open
    real_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "an-attacker-guess-of-the-secret-key-0123456789abcdef"
    forged = token_of(share)
    settings.SECRET_KEY = real_secret
    assert forged != working
    assert share_for_token(forged) is None
    assert share_for_token(share.key + "A" * 22) is None


def test_security_2_links_survive_a_key_rotation_through_the_fallbacks(company, settings) -> None:
    # given a link made under the old secret
    settings.SECRET_KEY = "old-secret-key-old-secret-key-old-secret-key-0001"
    _, _, share = shared(company)
    old_link = token_of(share)

    # when the secret rotates with the old one kept as a fallback
    settings.SECRET_KEY = "new-secret-key-new-secret-key-new-secret-key-0002"
    settings.SECRET_KEY_FALLBACKS = ["old-secret-key-old-secret-key-old-secret-key-0001"]

    # then the old link still opens, and new links use the new secret
    assert share_for_token(old_link) == share
    assert token_of(share) != old_link
    # and once the fallback is dropped, the old link is dead
    settings.SECRET_KEY_FALLBACKS = []
    assert share_for_token(old_link) is None
    assert share_for_token(token_of(share)) == share


@pytest.mark.parametrize(
    "token",
    ["", "short", "x" * 43, "x" * 45, "a" * 21 + "!" + "b" * 22, "../" * 15, "A" * 44],
)
def test_security_3_malformed_and_unknown_links_open_nothing(company, token: str) -> None:
    shared(company)
    assert share_for_token(token) is None


def test_security_3_a_revoked_link_opens_nothing_and_a_new_share_gets_a_new_link(company) -> None:
    # given a revoked share
    rep, quote, share = shared(company)
    old_link = token_of(share)
    share_revoke(share=share, user=rep)

    # then its link opens nothing
    assert share_for_token(old_link) is None
    # and sharing again to the same email issues a new link, the old one staying dead
    again = share_send(
        quote=quote, user=rep, recipient_name="Anna", recipient_email=share.recipient_email
    )
    assert again.pk == share.pk and not again.is_revoked
    assert token_of(again) != old_link
    assert share_for_token(token_of(again)) == again
    assert share_for_token(old_link) is None


def test_split_token_separates_key_and_signature() -> None:
    token = "k" * 22 + "s" * 22
    assert split_token(token) == ("k" * 22, "s" * 22)
    assert split_token(token + "x") is None


def test_security_6_share_urls_come_from_base_url(company, settings) -> None:
    settings.BASE_URL = "https://quotes.example.com"
    _, quote, share = shared(company)
    url = share_url(key=share.key, quote_id=quote.pk, email=share.recipient_email)
    assert url == f"https://quotes.example.com/p/{token_of(share)}/"
