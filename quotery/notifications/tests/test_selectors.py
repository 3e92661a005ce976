"""Reading in-app notifications (quotery.notifications.selectors): the unread count and the
list, each in one query. A user only ever reads their own (SECURITY.md 23)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from quotery.notifications.models import Notification
from quotery.notifications.selectors import (
    notification_of_user,
    notifications_for_user,
    notifications_unread_count,
)
from quotery.notifications.services import notification_open
from quotery.notifications.tests.notification_fixtures import notify

pytestmark = pytest.mark.django_db


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
