"""Settings -> Reminders (admins) and a quote's own reminders (its editors): saved with a
message, bad input named beside its field with nothing changed, other roles and companies
turned away with a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from quotery.reminders.models import QuoteReminderSchedule, ReminderPolicy
from quotery.reminders.tests.conftest import at

pytestmark = pytest.mark.django_db

SETTINGS = reverse("reminders:settings")
GOOD = {
    "enabled": "on",
    "after_share_days": "2, 5, 10",
    "before_expiry_days": "4",
    "working_days": ["1", "2", "3", "4", "5", "6"],
    "work_starts": "08:30",
    "work_ends": "18:00",
}


def test_the_settings_page_shows_the_defaults_and_is_in_the_settings_nav(login, admin_user):
    html = login(admin_user).get(SETTINGS).content.decode()
    assert 'aria-current="page"><strong>Reminders</strong>' in html
    assert 'value="3, 7"' in html and 'name="before_expiry_days" value="3"' in html
    assert 'value="09:00"' in html and 'value="17:00"' in html


def test_an_admin_saves_the_company_schedule(login, admin_user, company):
    response = login(admin_user).post(SETTINGS, GOOD)
    assert response.status_code == 302
    policy = ReminderPolicy.objects.get(company=company)
    assert policy.after_share_days == [2, 5, 10]
    assert policy.before_expiry_days == 4
    assert policy.working_days == "123456"
    assert (policy.work_starts, policy.work_ends) == (dt.time(8, 30), dt.time(18))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("after_share_days", "3, soon", "Write whole numbers of days separated by commas"),
        ("after_share_days", "0, 7", "Each number of days must be between 1 and 90."),
        ("after_share_days", "1,2,3,4,5,6", "At most 5 reminders after sharing."),
        ("before_expiry_days", "-1", "Write a whole number of days from 0 (none) to 60."),
        ("working_days", [], "Pick at least one working day."),
        ("working_days", ["1", "9"], "Pick days from the list."),
        ("work_starts", "nine", "Enter the time the working day starts, like 09:00."),
        ("work_ends", "07:00", "The working day must end after it starts."),
    ],
)
def test_bad_settings_say_why_and_change_nothing(login, admin_user, company, field, value, message):
    response = login(admin_user).post(SETTINGS, {**GOOD, field: value})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved" in html and message in html
    assert not ReminderPolicy.objects.filter(company=company).exists()


def test_only_admins_open_the_settings(login, rep):
    assert login(rep).get(SETTINGS).status_code == 404
    assert login(rep).post(SETTINGS, GOOD).status_code == 404


def test_the_quote_page_shows_the_next_reminder_and_the_forms(login, rita, shared):
    with at(dt.datetime(2026, 12, 11, 9, 0, tzinfo=dt.UTC)):
        html = login(rita).get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()
    assert 'id="reminders-heading">Reminders</h2>' in html
    assert "The company schedule: when not viewed 3 and 7 days after sharing" in html
    assert "Next to anna@client.test: <time" in html and "Mon 14 Dec 2026, 09:00 CET" in html
    assert "<summary>Change reminders</summary>" in html
    assert "<summary>Extend validity</summary>" in html


def test_the_rep_stops_the_reminders_of_a_quote(login, rita, shared):
    url = reverse("reminders:quote", args=[shared.quote.pk])
    response = login(rita).post(url, {"mode": "off"})
    assert response.status_code == 302
    assert QuoteReminderSchedule.objects.get(quote=shared.quote).mode == "off"
    html = login(rita).get(reverse("quotes:detail", args=[shared.quote.pk])).content.decode()
    assert "Off for this quote." in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "custom", "after_share_days": "0"}, "Each number of days must be between"),
        ({"mode": "custom", "after_share_days": "", "before_expiry_days": ""}, "Give at least one"),
        ({"mode": "custom", "before_expiry_days": "x"}, "Write a whole number of days"),
        ({"mode": "weekly"}, "Pick one of the choices."),
    ],
)
def test_bad_quote_reminders_say_why_and_change_nothing(login, rita, shared, data, message):
    response = login(rita).post(reverse("reminders:quote", args=[shared.quote.pk]), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The reminders were not changed." in html and message in html
    assert not QuoteReminderSchedule.objects.exists()


def test_a_read_only_member_cannot_change_a_quotes_reminders(login, finance, shared):
    url = reverse("reminders:quote", args=[shared.quote.pk])
    assert login(finance).post(url, {"mode": "off"}).status_code == 404
    assert not QuoteReminderSchedule.objects.exists()
