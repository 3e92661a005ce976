"""What the client looked at, as the rep reads it: the quote page's Engagement section and
the company's Engagement page."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from quotery.engagement.tests.attention_events import option_changed, time_on
from quotery.engagement.tests.conftest import share_again, shared, visit
from quotery.quotes.models import Quote, Section

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_quote_page_shows_time_per_section_options_and_the_signal(login, rep):
    # given a counted view that spent most of its time on the second section and tried options
    with time_machine.travel(START, tick=False) as clock:
        share = shared(rep, sections=2)
        visit(share)
        clock.shift(300)
        time_on(share, {"section:1": 20, "section:2": 150, "totals": 12}, last="totals")
        option_changed(share, change="added", line="Extended warranty")
        option_changed(share, change="chose", line="Oak", replaced="Walnut")
        option_changed(share, change="quantity", line="Desk", previous="8", to="12")

        # when the rep opens the quote
        html = login(rep).get(reverse("quotes:detail", args=[share.quote_id])).content.decode()

    # then the Engagement section says what they looked at, numbers as text
    text = text_of(html)
    assert "Spent most time on Section 2 (2 min 30 s on screen)" in text
    assert "What they looked at" in text and "Revision 1" in text
    assert "Section 1 20 s" in text and "Section 2 2 min 30 s" in text and "Totals 12 s" in text
    assert 'style="width:100%"' in html and 'style="width:13%"' in html
    assert "Last looked at: Totals" in text
    for option in ("added Extended warranty", "chose Oak over Walnut", "Desk: quantity 8 -> 12"):
        assert option in text
    # and the timeline folds the option changes into one entry, each listed inside
    assert "Option changed 3 times" in text


def test_security_21_section_titles_and_option_names_are_escaped(login, rep):
    share = shared(rep, sections=1)
    quote = Quote.objects.get(pk=share.quote_id)
    Section.objects.filter(quote=quote).update(title="<script>alert('s')</script>")
    share = share_again(share, rep)
    visit(share)
    time_on(share, {"section:1": 1})
    option_changed(share, change="added", line="<img src=x onerror=alert(1)>")

    html = login(rep).get(reverse("quotes:detail", args=[share.quote_id])).content.decode()

    assert "<script>alert('s')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;s&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_quote_without_attention_shows_no_such_block(login, rep):
    share = shared(rep)
    visit(share)
    html = login(rep).get(reverse("quotes:detail", args=[share.quote_id])).content.decode()
    assert "What they looked at" not in html and "Spent most time on" not in html


def test_the_engagement_page_lists_sections_and_options(login, rep, manager):
    with time_machine.travel(START, tick=False) as clock:
        share = shared(rep, sections=2)
        visit(share)
        clock.shift(300)
        time_on(share, {"section:1": 20, "section:2": 150})
        option_changed(share, change="added", line="Extended warranty")
        option_changed(share, change="removed", line="<b>Delivery</b>")
        html = login(manager).get(reverse("engagement:dashboard")).content.decode()

    text = text_of(html)
    assert "Sections that hold attention" in text
    assert "Section 2 2 min 30 s 1" in text and "Section 1 20 s 1" in text
    assert "Options most often added and removed" in text
    assert "Extended warranty added 1" in text
    assert "&lt;b&gt;Delivery&lt;/b&gt;" in html and "<b>Delivery</b>" not in html


def test_the_engagement_page_says_when_there_is_nothing_yet(login, rep, manager):
    with time_machine.travel(START, tick=False):
        html = login(manager).get(reverse("engagement:dashboard")).content.decode()
    assert "No time on sections was recorded in this range." in html
    assert "No options were added or removed in this range." in html
