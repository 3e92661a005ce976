"""The link rule itself, pinned: a link is a pure function of the share's key, quote, email
and the server secret, so links already in inboxes keep opening whatever module makes them
(SECURITY.md 2, 6)."""

from __future__ import annotations

from quotery.sharing.links import share_token, share_url, signature_matches, split_token

SECRET = "a-fixed-secret-for-the-link-test-0123456789"
KEY = "q7VbN2xR4mK8pLs0TfYw3A"
# Made by the portal's link module before the links moved to quotery.sharing.
EMAILED_TOKEN = "q7VbN2xR4mK8pLs0TfYw3AxU-f8FkvvR8zVIVgbAKnYw"


def test_security_2_a_link_emailed_before_the_move_is_the_link_made_now(settings) -> None:
    # given the server secret a link was emailed under
    settings.SECRET_KEY = SECRET
    settings.SECRET_KEY_FALLBACKS = []
    settings.BASE_URL = "https://quotes.example"

    # when the link for the same share is made today
    token = share_token(key=KEY, quote_id=7, email="Anna@Example.com")

    # then it is the very link in the email, and that link still checks out
    assert token == EMAILED_TOKEN
    assert share_url(key=KEY, quote_id=7, email="anna@example.com") == (
        f"https://quotes.example/p/{EMAILED_TOKEN}/"
    )
    assert split_token(EMAILED_TOKEN) == (KEY, "xU-f8FkvvR8zVIVgbAKnYw")
    assert signature_matches(key=KEY, quote_id=7, email="anna@example.com", signature=token[22:])


def test_security_2_the_emailed_link_does_not_open_another_quote_or_recipient(settings) -> None:
    # given the server secret the link was emailed under
    settings.SECRET_KEY = SECRET
    settings.SECRET_KEY_FALLBACKS = []
    signature = EMAILED_TOKEN[22:]

    # then its signature belongs to its own quote and recipient only
    assert not signature_matches(key=KEY, quote_id=8, email="anna@example.com", signature=signature)
    assert not signature_matches(key=KEY, quote_id=7, email="ben@example.com", signature=signature)
