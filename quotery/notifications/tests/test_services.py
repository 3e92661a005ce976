"""The notification writes (quotery.notifications.services): opening a notification and
marking all read, which change only the user's own (SECURITY.md 23); and adding an outbox
email, one row per dedupe key, sent only once the transaction commits (SECURITY.md 20)."""

from __future__ import annotations

import pytest

from quotery.core.exceptions import NotFound
from quotery.notifications.models import Notification, OutboxEmail
from quotery.notifications.selectors import notifications_unread_count
from quotery.notifications.services import notification_open, notifications_mark_all_read
from quotery.notifications.tests.notification_fixtures import add, notify, read_times

pytestmark = pytest.mark.django_db


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


def test_security_20_one_row_per_dedupe_key(company) -> None:
    first = add(company)
    second = add(company)
    assert first.pk == second.pk
    assert OutboxEmail.objects.count() == 1


def test_the_send_is_queued_only_when_the_transaction_commits(
    company, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        add(company)
        add(company)  # the same key: no second send
    assert len(callbacks) == 1
