"""The notification pages: the bell and its polled fragment, the list, open, mark all read;
tenancy on every URL (SECURITY.md 23)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.notifications.models import Notification, NotificationKind
from quotery.notifications.tests.notification_fixtures import notify, read_times
from quotery.notifications.views import PAGE_SIZE
from quotery.quotes.factories import make_quote

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
BELL = reverse("notifications:bell")
MARK_ALL = reverse("notifications:mark_all_read")


def open_url(notification: Notification) -> str:
    return reverse("notifications:open", args=[notification.pk])


def bell_name(html: str) -> str:
    """The bell's accessible name: its visually hidden text."""
    found = re.search(r'<span class="visually-hidden">(Notifications[^<]*)</span>', html)
    assert found, html
    return found.group(1)


@pytest.fixture
def quote(rep):  # type: ignore[no-untyped-def]
    return make_quote(owner=rep)


# -- the bell ---------------------------------------------------------------------------------


def test_the_bell_on_every_page_shows_the_unread_count_and_polls(login, rep, quote) -> None:
    # given three unread notifications
    for _ in range(3):
        notify(rep, quote)

    # when the rep opens any page
    html = login(rep).get(reverse("quotes:list")).content.decode()

    # then the nav holds the bell: a link to the list, its count, and the polling attributes
    assert bell_name(html) == "Notifications, 3 unread"
    assert '<span class="bell-count" aria-hidden="true" data-count="3">3</span>' in html
    assert f'href="{LIST}"' in html
    assert f'hx-get="{BELL}"' in html
    assert 'hx-trigger="every 30s"' in html


def test_the_bell_polls_at_the_configured_interval(login, rep, settings) -> None:
    settings.NOTIFICATION_POLL_SECONDS = 2
    html = login(rep).get(reverse("quotes:list")).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert bell_name(html) == "Notifications, none unread"
    assert "bell-count" not in html


def notification_queries(browser, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]


def test_the_bell_costs_one_count_query(login, rep, quote) -> None:
    notify(rep, quote)
    browser = login(rep)
    for url in (reverse("quotes:list"), BELL):
        queries = notification_queries(browser, url)
        assert len(queries) == 1, queries
        assert "COUNT(" in queries[0].upper()


def test_the_fragment_is_the_inside_of_the_bell_with_the_fresh_count(login, rep, quote) -> None:
    browser = login(rep)
    assert bell_name(browser.get(BELL).content.decode()) == "Notifications, none unread"

    notify(rep, quote)
    response = browser.get(BELL)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert bell_name(html) == "Notifications, 1 unread"
    assert "<a " not in html and "<html" not in html  # only the inside, for innerHTML


def test_a_large_count_reads_99_plus_and_the_name_keeps_the_number(login, rep, quote) -> None:
    for _ in range(100):
        notify(rep, quote)
    html = login(rep).get(BELL).content.decode()
    assert bell_name(html) == "Notifications, 100 unread"
    assert 'data-count="100">99+</span>' in html


def test_after_logout_the_fragment_stops_the_polling_instead_of_showing_the_login_page(
    client,
) -> None:  # type: ignore[no-untyped-def]
    response = client.get(BELL)
    assert response.status_code == 286  # htmx: stop polling
    html = response.content.decode()
    assert bell_name(html) == "Notifications"
    assert "form" not in html


def test_the_fragment_changes_nothing_and_refuses_post(login, rep, quote) -> None:
    notify(rep, quote)
    before = read_times()
    browser = login(rep)
    browser.get(BELL)
    browser.head(BELL)
    assert browser.post(BELL).status_code == 405
    assert read_times() == before


# -- the list ---------------------------------------------------------------------------------


def test_the_list_shows_text_quote_number_and_time_in_the_companys_zone(
    login, company, rep, quote
) -> None:
    # given a company in Berlin and a notification at 12:00 UTC in January (13:00 there)
    company.time_zone = "Europe/Berlin"
    company.save()
    notification = notify(rep, quote, text="Anna Client accepted the quote.")
    Notification.objects.filter(pk=notification.pk).update(
        created_at=dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
    )

    # when the rep opens the list
    html = login(rep).get(LIST).content.decode()

    # then it shows the text, the quote number, the local time, and that it is unread
    assert "Anna Client accepted the quote." in html
    assert quote.number in html
    assert "15 Jan 2026, 13:00" in html
    assert 'datetime="2026-01-15T13:00:00+01:00"' in html
    assert "notification--unread" in html
    assert ">Unread</span>" in html
    assert "1 unread." in html
    assert reverse("notifications:open", args=[notification.pk]) in html


def test_the_list_is_newest_first_and_read_ones_are_not_marked_unread(login, rep, quote) -> None:
    now = timezone.now()
    older = notify(rep, quote, text="Older one")
    newer = notify(rep, quote, text="Newer one")
    Notification.objects.filter(pk=older.pk).update(
        created_at=now - dt.timedelta(hours=1), read_at=now
    )
    Notification.objects.filter(pk=newer.pk).update(created_at=now)

    html = login(rep).get(LIST).content.decode()

    assert html.index("Newer one") < html.index("Older one")
    assert html.count("notification--unread") == 1
    assert html.count(">Unread</span>") == 1


def test_the_list_is_paginated(login, rep, quote) -> None:
    for index in range(PAGE_SIZE + 1):
        notify(rep, quote, text=f"Note {index}")
    browser = login(rep)

    first = browser.get(LIST).content.decode()
    second = browser.get(LIST, {"page": 2}).content.decode()

    assert first.count('class="notification-open"') == PAGE_SIZE
    assert second.count('class="notification-open"') == 1
    assert "Note 0<" in second  # the oldest, alone on page 2
    assert f"Page 1 of 2 · {PAGE_SIZE + 1} notifications" in first


def test_the_empty_list_says_what_will_appear(login, rep) -> None:
    html = login(rep).get(LIST).content.decode()
    assert "No notifications yet." in html
    assert "Mark all read" not in html


def test_the_list_needs_a_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER, Role.ADMIN, Role.FINANCE])
def test_every_role_has_a_bell_and_a_list(login, company, role) -> None:  # type: ignore[no-untyped-def]
    user = member(company, role)
    assert login(user).get(LIST).status_code == 200


# -- open -------------------------------------------------------------------------------------


def test_open_marks_read_and_goes_to_the_quote(login, rep, quote) -> None:
    notification = notify(rep, quote)
    response = login(rep).post(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == reverse("quotes:detail", args=[quote.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "kind", [NotificationKind.CHANGES_REQUESTED, NotificationKind.CLIENT_MESSAGE]
)
def test_open_of_a_client_request_lands_on_the_banner_at_the_top(login, rep, quote, kind) -> None:
    notification = notify(rep, quote, text="Anna Client asked for changes.", kind=kind)

    response = login(rep).post(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == reverse("quotes:detail", args=[quote.pk]) + "#client-request"


def test_open_of_an_expiry_lands_on_extend_validity(login, rep, quote) -> None:
    notification = notify(rep, quote, text="Q expired.", kind=NotificationKind.QUOTE_EXPIRED)

    response = login(rep).post(open_url(notification))

    assert response["Location"] == reverse("quotes:detail", args=[quote.pk]) + "#reminders"


def test_open_of_a_read_notification_still_goes_to_the_quote(login, rep, quote) -> None:
    notification = notify(rep, quote)
    browser = login(rep)
    browser.post(open_url(notification))
    first_read = Notification.objects.get(pk=notification.pk).read_at

    response = browser.post(open_url(notification))

    assert response["Location"] == reverse("quotes:detail", args=[quote.pk])
    assert Notification.objects.get(pk=notification.pk).read_at == first_read


def test_security_9_get_and_head_on_open_change_nothing(login, rep, quote) -> None:
    notification = notify(rep, quote)
    browser = login(rep)
    assert browser.get(open_url(notification)).status_code == 405
    assert browser.head(open_url(notification)).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


# -- mark all read ----------------------------------------------------------------------------


def test_mark_all_read_marks_them_and_says_how_many(login, rep, quote) -> None:
    notify(rep, quote)
    notify(rep, quote)
    browser = login(rep)

    response = browser.post(MARK_ALL, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    html = response.content.decode()
    assert "Marked 2 notifications as read." in html
    assert "notification--unread" not in html
    assert bell_name(html) == "Notifications, none unread"
    assert not Notification.objects.filter(user=rep, read_at__isnull=True).exists()


def test_mark_all_read_from_the_list_spares_what_arrived_after_it_was_drawn(
    login, rep, quote
) -> None:
    # given the rep's list page with one notification, then another arrives
    notify(rep, quote, text="Seen")
    browser = login(rep)
    html = browser.get(LIST).content.decode()
    up_to = re.search(r'name="up_to" value="(\d+)"', html)
    assert up_to
    later = notify(rep, quote, text="Arrived later")

    # when the rep presses Mark all read on that page
    browser.post(MARK_ALL, {"up_to": up_to.group(1)})

    # then the later one is still unread
    later.refresh_from_db()
    assert later.read_at is None
    assert Notification.objects.filter(user=rep, read_at__isnull=True).count() == 1


def test_mark_all_read_with_a_nonsense_bound_marks_all(login, rep, quote) -> None:
    notify(rep, quote)
    login(rep).post(MARK_ALL, {"up_to": "x'; drop"})
    assert not Notification.objects.filter(user=rep, read_at__isnull=True).exists()


def test_mark_all_read_refuses_get(login, rep, quote) -> None:
    notify(rep, quote)
    assert login(rep).get(MARK_ALL).status_code == 405
    assert Notification.objects.filter(user=rep, read_at__isnull=True).count() == 1


# -- tenancy (SECURITY.md 23) -----------------------------------------------------------------


@pytest.fixture
def foreign(company, other_company):  # type: ignore[no-untyped-def]
    """A colleague's notification (same company) and a stranger's (another company)."""
    colleague = member(company, Role.MANAGER)
    stranger = member(other_company, Role.ADMIN)
    return {
        "colleague": notify(colleague, make_quote(owner=colleague), text="Colleague's news"),
        "stranger": notify(stranger, make_quote(owner=stranger), text="Stranger's news"),
    }


@pytest.mark.parametrize("whose", ["colleague", "stranger"])
def test_security_23_opening_another_users_notification_is_404_and_changes_nothing(
    login, company, rep, foreign, whose
) -> None:
    # given a manager of the same company, to show that the role does not matter either
    for user in (rep, member(company, Role.MANAGER)):
        before = read_times()
        response = login(user).post(open_url(foreign[whose]))
        assert response.status_code == 404
        assert read_times() == before


def test_security_23_opening_an_unknown_id_is_404(login, rep) -> None:
    assert login(rep).post(reverse("notifications:open", args=[999_999])).status_code == 404


def test_security_23_the_list_never_shows_another_users_notifications(
    login, rep, quote, foreign
) -> None:
    notify(rep, quote, text="My own news")
    html = login(rep).get(LIST).content.decode()
    assert "My own news" in html
    assert "Colleague's news" not in html and "Stranger's news" not in html
    for notification in foreign.values():
        assert open_url(notification) not in html


def test_security_23_mark_all_read_never_touches_another_users_notifications(
    login, rep, quote, foreign
) -> None:
    notify(rep, quote)
    others = [n.pk for n in foreign.values()]
    before = list(Notification.objects.filter(pk__in=others).values_list("pk", "read_at"))

    # even with a bound that covers their ids
    login(rep).post(MARK_ALL, {"up_to": str(max(others) + 10)})

    after = list(Notification.objects.filter(pk__in=others).values_list("pk", "read_at"))
    assert after == before


def test_security_23_the_bell_never_counts_another_users_notifications(login, rep, foreign) -> None:
    assert bell_name(login(rep).get(BELL).content.decode()) == "Notifications, none unread"
