"""In-app notifications: the unread count, the list, open and mark all read. A user only
ever reads and changes their own (SECURITY.md 23)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.core.exceptions import NotFound
from quotery.notifications.models import Notification
from quotery.notifications.selectors import (
    notification_of_user,
    notifications_for_user,
    notifications_unread_count,
)
from quotery.notifications.services import notification_open, notifications_mark_all_read
from quotery.notifications.tests.notification_fixtures import notify, read_times
from quotery.quotes.factories import make_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(company, other_company, rep):  # type: ignore[no-untyped-def]
    colleague = member(company, Role.REP)
    stranger = member(other_company, Role.REP)
    quote = make_quote(owner=rep)
    return {
        "quote": quote,
        "colleague": colleague,
        "stranger": stranger,
        "colleague_note": notify(colleague, make_quote(owner=colleague)),
        "stranger_note": notify(stranger, make_quote(owner=stranger)),
    }


def test_unread_count_counts_only_the_users_unread_notifications(company, rep, world) -> None:
    # given two unread and one read notification for the rep, and others' notifications
    first, second, read = (notify(rep, world["quote"]) for _ in range(3))
    notification_open(notification=read, user=rep)

    # then the rep's count is two
    assert notifications_unread_count(user=rep, company=company) == 2
    assert first.read_at is None and second.read_at is None


def test_unread_count_is_one_query(company, rep, world, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    notify(rep, world["quote"])
    with django_assert_num_queries(1):
        assert notifications_unread_count(user=rep, company=company) == 1


def test_the_list_is_the_users_own_newest_first(company, rep, world) -> None:
    # given three notifications for the rep, created out of order
    now = timezone.now()
    older, newest, middle = (notify(rep, world["quote"], text=t) for t in ("a", "c", "b"))
    for notification, minutes_ago in ((older, 30), (newest, 1), (middle, 10)):
        Notification.objects.filter(pk=notification.pk).update(
            created_at=now - dt.timedelta(minutes=minutes_ago)
        )

    # then the list is newest first and holds nobody else's
    listed = list(notifications_for_user(user=rep, company=company))
    assert [n.text for n in listed] == ["c", "b", "a"]
    assert listed[0].quote.number == world["quote"].number


def test_the_list_reads_the_quote_number_without_a_query_per_row(
    company, rep, world, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        notify(rep, world["quote"])
    with django_assert_num_queries(1):
        numbers = {n.quote.number for n in notifications_for_user(user=rep, company=company)}
    assert numbers == {world["quote"].number}


def test_open_marks_read_once_and_keeps_the_first_read_time(rep, world) -> None:
    # given an unread notification
    notification = notify(rep, world["quote"])

    # when the rep opens it twice
    opened = notification_open(notification=notification, user=rep)
    first_read = Notification.objects.get(pk=notification.pk).read_at
    again = notification_open(notification=Notification.objects.get(pk=notification.pk), user=rep)

    # then it is read, with the time of the first opening
    assert first_read is not None
    assert opened.read_at == first_read
    assert again.read_at == first_read


def test_open_of_a_stale_copy_reports_the_stored_read_time(rep, world) -> None:
    # given a notification read meanwhile in another tab
    notification = notify(rep, world["quote"])
    stale = Notification.objects.get(pk=notification.pk)
    notification_open(notification=notification, user=rep)

    # when the stale copy is opened
    opened = notification_open(notification=stale, user=rep)

    # then it carries the stored read time
    assert opened.read_at == Notification.objects.get(pk=notification.pk).read_at


def test_security_23_open_of_another_users_notification_raises_and_changes_nothing(
    rep, world
) -> None:
    before = read_times()
    for foreign in (world["colleague_note"], world["stranger_note"]):
        with pytest.raises(NotFound):
            notification_open(notification=foreign, user=rep)
    assert read_times() == before


def test_mark_all_read_marks_only_the_users_notifications_and_counts_them(
    company, rep, world
) -> None:
    # given two unread and one read notification for the rep
    notify(rep, world["quote"])
    notify(rep, world["quote"])
    notification_open(notification=notify(rep, world["quote"]), user=rep)
    others_before = read_times(world["colleague"], world["stranger"])

    # when the rep marks all read
    marked = notifications_mark_all_read(user=rep)

    # then the two are marked, nobody else's changed, and a second call marks nothing
    assert marked == 2
    assert notifications_unread_count(user=rep, company=company) == 0
    assert read_times(world["colleague"], world["stranger"]) == others_before
    assert notifications_mark_all_read(user=rep) == 0


def test_mark_all_read_up_to_the_newest_shown_leaves_later_ones_unread(company, rep, world) -> None:
    # given the rep saw the list with two notifications, then a third arrived
    notify(rep, world["quote"])
    newest_shown = notify(rep, world["quote"])
    arrived_later = notify(rep, world["quote"])

    # when they mark all read from that page
    marked = notifications_mark_all_read(user=rep, up_to_id=newest_shown.pk)

    # then the later one stays unread
    assert marked == 2
    arrived_later.refresh_from_db()
    assert arrived_later.read_at is None
    assert notifications_unread_count(user=rep, company=company) == 1


def test_security_23_lookups_never_reach_another_users_or_companys_notification(
    company, other_company, rep, world
) -> None:
    own = notify(rep, world["quote"])
    assert notification_of_user(user=rep, company=company, pk=own.pk) == own
    for foreign in (world["colleague_note"], world["stranger_note"]):
        with pytest.raises(Http404):
            notification_of_user(user=rep, company=company, pk=foreign.pk)
    # nor through the other company, should the rep's id be tried against it
    with pytest.raises(Http404):
        notification_of_user(user=rep, company=other_company, pk=own.pk)
    assert list(notifications_for_user(user=rep, company=company)) == [own]
    assert notifications_unread_count(user=rep, company=other_company) == 0
