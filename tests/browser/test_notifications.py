"""Notifications in a real browser: the bell's count rises without a reload when a
notification arrives; the list leads to the quote and opening marks it read.

Exercises: quotery.notifications.services.notification_add, django.contrib.auth.views.LoginView,
quotery.notifications.views.notification_bell, quotery.notifications.views.notification_list,
quotery.notifications.views.notification_open,
quotery.notifications.views.notifications_mark_all_read, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_list
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.notifications.models import Notification, NotificationKind
from quotery.notifications.tests.notification_fixtures import notify
from quotery.quotes.factories import make_quote
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_counts_up_without_a_reload_and_opening_leads_to_the_quote(page, settings) -> None:  # type: ignore[no-untyped-def]
    # given a rep logged in, with the bell polling every second and nothing unread
    settings.NOTIFICATION_POLL_SECONDS = 1
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    quote = make_quote(owner=rep, title="Office fit-out for Globex")
    # (a strict CSP refuses inline script: the polling must work without any)
    problems: list[str] = []

    def note_csp_refusal(message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", note_csp_refusal)
    log_in(page, rep.email)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Notifications, none unread").wait_for()
    page.evaluate("window.stillTheSamePage = true")

    # when the client asks for changes and the rep gets a notification
    notify(
        rep,
        quote,
        text="Hank Scorpio asked for changes: please split the delivery.",
        kind=NotificationKind.CHANGES_REQUESTED,
    )

    # then the bell shows 1 on the same page, with no reload
    bell = nav.get_by_role("link", name="Notifications, 1 unread")
    bell.wait_for(timeout=5_000)
    assert bell.locator(".bell-count").inner_text() == "1"
    assert page.evaluate("window.stillTheSamePage") is True

    # when the rep opens the list from the bell and clicks the notification
    bell.click()
    page.get_by_role("heading", name="Notifications").wait_for()
    page.get_by_role("button", name=re.compile("please split the delivery")).click()

    # then they land on the quote, the notification is read, and the count is gone
    page.get_by_role("heading", level=1, name=re.compile("Office fit-out for Globex")).wait_for()
    # (a change request lands on the banner with the client's words)
    assert page.url.endswith(f"/quotes/{quote.pk}/#client-request")
    nav.get_by_role("link", name="Notifications, none unread").wait_for()
    assert nav.locator(".bell-count").count() == 0
    assert Notification.objects.get(user=rep).read_at is not None
    assert problems == []


def test_mark_all_read_clears_the_list_and_the_bell(page) -> None:  # type: ignore[no-untyped-def]
    # given a rep with two unread notifications
    company = CompanyFactory(name="Northwind", default_currency="EUR", default_tax_rate=Decimal(20))
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    quote = make_quote(owner=rep)
    notify(rep, quote, text="Hank Scorpio accepted the quote.")
    notify(rep, quote, text="Hank Scorpio wrote: thank you!")
    log_in(page, rep.email)

    # when they open the list and press Mark all read
    page.get_by_role("link", name="Notifications, 2 unread").click()
    page.get_by_text("2 unread.").wait_for()
    page.get_by_role("button", name="Mark all read").click()

    # then the page says so, nothing is unread, and the bell shows no count
    page.get_by_text("Marked 2 notifications as read.").wait_for()
    assert page.get_by_text("Unread", exact=True).count() == 0
    page.get_by_role("link", name="Notifications, none unread").wait_for()
    assert not Notification.objects.filter(user=rep, read_at__isnull=True).exists()
