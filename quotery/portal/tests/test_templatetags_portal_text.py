"""Email addresses on the client's pages break only at their natural places."""

from __future__ import annotations

from quotery.portal.templatetags.portal_text import email_breaks


def test_an_address_may_break_after_the_at_and_before_dots_only() -> None:
    assert email_breaks("max.ober-hausen@hafen-blick.example") == (
        "max<wbr>.ober-hausen@<wbr>hafen-blick<wbr>.example"
    )


def test_an_address_is_escaped_first() -> None:
    assert email_breaks('a<b>"@x.test') == "a&lt;b&gt;&quot;@<wbr>x<wbr>.test"


def test_text_without_an_at_only_gets_its_dots_marked() -> None:
    assert email_breaks("no-address.here") == "no-address<wbr>.here"
