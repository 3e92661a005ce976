"""The start page at /: what needs you with one action each, the figures, then the quotes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.engagement.tests.conftest import BROWSER, shared, visit
from quotery.home.tests.test_selectors import NOW, accept
from quotery.portal.services.answers import client_message_post, quote_request_changes
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    """The page's words, tags and extra spaces removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_home_asks_for_a_login(client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logging_in_lands_on_the_start_page(client, rep) -> None:
    response = client.post(
        reverse("accounts:login"),
        {"username": rep.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home") == "/"


def test_each_need_offers_one_action(login, rep, clock) -> None:
    # given a change request, a message awaiting a reply, a hot, an unseen and an expiring quote
    clock.move_to(NOW - dt.timedelta(days=8))
    unseen = shared(rep, title="Unseen")
    clock.move_to(NOW)
    changes = shared(rep, title="Changes")
    quote_request_changes(share=changes, message="Fewer chairs", request_meta=BROWSER)
    reply = shared(rep, title="Reply")
    client_message_post(share=reply, body="Any discount?", request_meta=BROWSER)
    hot = shared(rep, title="Hot")
    visit(hot, downloads=1)
    visit(hot)
    expiring = shared(rep, title="Expiring", valid_days=2)

    html = login(rep).get("/").content.decode()

    number = {
        share.quote_id: Quote.objects.get(pk=share.quote_id).number
        for share in (unseen, changes, reply, hot, expiring)
    }
    words = text(html)
    assert "What needs you 5" in words
    for title in (
        "Changes requested 1",
        "Awaiting your reply 1",
        "Hot: strong buying signal 1",
        "Not viewed a week after sharing 1",
        "Expiring within 7 days 1",
    ):
        assert title in words
    assert f'href="{reverse("quotes:edit", args=[changes.quote_id])}"' in html
    assert f'aria-label="Edit quote {number[changes.quote_id]}"' in html
    assert f'href="{reverse("quotes:detail", args=[reply.quote_id])}#client-request"' in html
    assert f'href="{reverse("quotes:detail", args=[hot.quote_id])}#id_reply_body"' in html
    assert f'action="{reverse("sharing:resend", args=[unseen.quote_id, unseen.pk])}"' in html
    assert f'href="{reverse("quotes:edit", args=[expiring.quote_id])}#id_valid_until"' in html
    assert "2 views, 1 PDF download" in words
    assert "Shared 1 week, 1 day ago, not viewed yet" in words


def test_resend_from_the_start_page_sends_the_link_again(login, rep, clock) -> None:
    clock.move_to(NOW - dt.timedelta(days=8))
    unseen = shared(rep, title="Unseen")
    clock.move_to(NOW)
    http = login(rep)

    response = http.post(reverse("sharing:resend", args=[unseen.quote_id, unseen.pk]))

    assert response.status_code == 302
    unseen.refresh_from_db()
    assert unseen.send_count == 2
    assert "Not viewed a week after sharing" in text(http.get("/").content.decode())


def test_the_figures_and_the_latest_quotes_follow(login, rep, clock) -> None:
    shared(rep, title="Open")
    accept(shared(rep, title="Won"))
    make_quote(owner=rep, title="Draft")

    words = text(login(rep).get("/").content.decode())

    assert "Nothing needs you right now" in words
    assert "Pipeline €66.97 1 open quote, sent and awaiting an answer" in words
    assert "Won in March €66.97 1 accepted since 1 Mar" in words
    assert words.index("Pipeline") < words.index("Won in March") < words.index("Quotes All quotes")
    for title in ("Open", "Won", "Draft"):
        assert f" {title} " in words


def test_finance_sees_no_needs_nor_pipeline_but_the_won_value(login, rep, finance, clock) -> None:
    changes = shared(rep, title="Changes")
    quote_request_changes(share=changes, message="Less", request_meta=BROWSER)
    accept(shared(rep, title="Won"))

    words = text(login(finance).get("/").content.decode())

    assert "What needs you" not in words and "Pipeline" not in words
    assert "Won in March €66.97" in words
    assert " Won " in words
    assert Quote.objects.get(pk=changes.quote_id).number not in words


def test_another_company_never_shows(login, manager, clock) -> None:
    stranger = member(CompanyFactory(), Role.REP)
    quote_request_changes(
        share=shared(stranger, title="Foreign secret deal"), message="Less", request_meta=BROWSER
    )
    accept(shared(stranger, title="Foreign won"))

    html = login(manager).get("/").content.decode()

    assert "Foreign" not in html
    assert "Pipeline €0.00" in text(html) and "Won in March €0.00" in text(html)


def test_an_empty_search_offers_to_clear_the_filters(login, rep, clock) -> None:
    make_quote(owner=rep, title="Office fit-out")
    http = login(rep)

    html = http.get(reverse("quotes:list"), {"q": "nothing like this", "state": "sent"}).content
    words = text(html.decode())

    assert "No quotes match these filters (“nothing like this”)." in words
    assert (
        f'<a class="button button--secondary" href="{reverse("quotes:list")}">Clear filters</a>'
        in html.decode()
    )
    # and without filters, an empty list invites the first quote instead
    empty = text(
        login(member(CompanyFactory(), Role.REP)).get(reverse("quotes:list")).content.decode()
    )
    assert "No quotes yet. Create the first one ." in empty
    assert "Clear filters" not in empty


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_the_start_page_queries_do_not_grow_with_the_quotes(
    login, request, rep, clock, django_assert_max_num_queries, who
) -> None:
    http = login(request.getfixturevalue(who))

    def count() -> int:
        http.get("/")  # warm up per-process caches (content types, sessions)
        with CaptureQueriesContext(connection) as queries:
            assert http.get("/").status_code == 200
        return len(queries)

    quote_request_changes(share=shared(rep, title="C0"), message="Less", request_meta=BROWSER)
    small = count()
    for number in range(1, 6):
        quote_request_changes(
            share=shared(rep, title=f"C{number}"), message="Less", request_meta=BROWSER
        )
        visit(shared(rep, title=f"H{number}", valid_days=3), downloads=1)
        accept(shared(rep, title=f"W{number}"))
        make_quote(owner=rep, title=f"D{number}")
    assert count() == small
