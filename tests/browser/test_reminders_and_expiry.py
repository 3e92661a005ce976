"""Reminders and expiry in a real browser, at phone and desktop widths, checked with axe:
the rep changes one quote's reminders; the client opens an expired quote and asks for a new
version; the rep extends the validity and the client sees it at the same link.

Exercises: quotery.reminders.views.quote_reminders, quotery.reminders.views.extend_validity,
quotery.reminders.views.settings_page,
quotery.reminders.services.expiry.quotes_expire_due, quotery.portal.views.answers.request_changes,
quotery.portal.views.client.page, quotery.quotes.views.quote_detail
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.portal.tests.portal_fixtures import Shared, expire, share_quote
from quotery.quotes.models import Quote, QuoteState
from quotery.reminders.models import QuoteReminderSchedule, ReminderPolicy
from quotery.reminders.services.expiry import quotes_expire_due
from tests.browser.accessibility import serious_violations
from tests.browser.test_quote_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 1280]


@pytest.fixture(params=WIDTHS, ids=[f"{width}px" for width in WIDTHS])
def wide(request, browser, live_server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=True,  # axe is injected as a script
        viewport={"width": request.param, "height": 900},
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def fits(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def checked(page: Any, what: str) -> None:
    assert serious_violations(page) == [], what
    assert fits(page), f"{what} scrolls sideways"


def shared_quote() -> Shared:
    company = CompanyFactory(name="Northwind Office Supply", time_zone="Europe/Berlin")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    return share_quote(rep)


def expired_quote() -> Shared:
    shared = shared_quote()
    expire(shared.quote)
    assert quotes_expire_due() == 1
    return shared


def test_the_rep_changes_the_reminders_of_one_quote(wide) -> None:  # type: ignore[no-untyped-def]
    page = wide
    shared = shared_quote()
    log_in(page, "rita@northwind.test")
    page.goto(reverse("quotes:detail", args=[shared.quote.pk]))
    panel = page.locator("#reminders")
    panel.get_by_text("The company schedule: when not viewed 3 and 7 days").wait_for()
    checked(page, "quote page with its reminders")
    panel.get_by_text("Change reminders").click()
    panel.get_by_label("Use a schedule for this quote").check()
    panel.get_by_label("Remind when not viewed, days after sharing").fill("2, 5")
    panel.get_by_label("Remind before expiry, days before").fill("1")
    panel.get_by_role("button", name="Save reminders").click()
    page.get_by_text("Reminders for this quote saved.").wait_for()
    page.locator("#reminders").get_by_text(
        "This quote's own schedule: when not viewed 2 and 5 days after sharing; 1 day before"
    ).wait_for()
    schedule = QuoteReminderSchedule.objects.get(quote=shared.quote)
    assert (schedule.mode, schedule.after_share_days, schedule.before_expiry_days) == (
        "custom",
        [2, 5],
        1,
    )
    # a bad entry is named beside its field, and nothing changes
    page.goto(reverse("reminders:quote", args=[shared.quote.pk]))
    page.get_by_label("Use a schedule for this quote").check()
    page.get_by_label("Remind when not viewed, days after sharing").fill("soon")
    page.get_by_role("button", name="Save reminders").click()
    page.get_by_text("Write whole numbers of days separated by commas").wait_for()
    checked(page, "reminders form with an error")
    assert QuoteReminderSchedule.objects.get(quote=shared.quote).after_share_days == [2, 5]


def test_the_client_asks_for_a_new_version_of_an_expired_quote(wide) -> None:  # type: ignore[no-untyped-def]
    page = wide
    shared = expired_quote()
    page.goto(shared.url)
    page.get_by_text("This quote expired on").wait_for()
    checked(page, "expired client page")
    page.get_by_role("link", name="Ask for a new version").click()
    page.get_by_role("heading", name="Ask for a new version").wait_for()
    checked(page, "ask for a new version form")
    page.get_by_label("What would you like changed?").fill("The same for March, please.")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Your request for changes was sent.").wait_for()
    assert Quote.objects.get(pk=shared.quote.pk).state == QuoteState.CHANGES_REQUESTED


def test_the_rep_extends_validity_and_the_client_sees_it_at_the_same_link(wide, browser) -> None:  # type: ignore[no-untyped-def]
    page = wide
    shared = expired_quote()
    zone = shared.quote.company.zone
    new_date = timezone.localdate(timezone=zone) + dt.timedelta(days=21)
    log_in(page, "rita@northwind.test")
    page.goto(reverse("quotes:detail", args=[shared.quote.pk]))
    page.get_by_text("This quote has expired.").wait_for()
    checked(page, "quote page of an expired quote")
    page.get_by_label("New valid-until date").fill(new_date.isoformat())
    page.get_by_role("button", name="Extend validity").click()
    page.get_by_text("The new version went to anna@client.test").wait_for()
    # the client, in a browser of their own, opens the link they already had
    client = browser.new_context(base_url=page.url.split("/quotes/")[0])
    try:
        client_page = client.new_page()
        client_page.goto(shared.url)
        client_page.get_by_text(f"{new_date.day} {new_date:%B %Y}").first.wait_for()
        assert client_page.get_by_role("link", name="Accept").count() >= 1
        assert client_page.get_by_text("This quote expired on").count() == 0
    finally:
        client.close()


def test_an_admin_sets_the_company_schedule(wide) -> None:  # type: ignore[no-untyped-def]
    page = wide
    company = CompanyFactory(name="Northwind Office Supply", time_zone="Europe/Berlin")
    member(company, Role.ADMIN, email="ada@northwind.test", full_name="Ada Admin")
    log_in(page, "ada@northwind.test")
    page.goto(reverse("accounts:settings"))
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Reminders"
    ).click()
    page.get_by_label("Remind when not viewed, days after sharing").wait_for()
    checked(page, "reminder settings")
    page.get_by_label("Remind when not viewed, days after sharing").fill("2, 4")
    page.get_by_label("Saturday").check()
    page.get_by_label("Working day ends").fill("18:30")
    page.get_by_role("button", name="Save reminder settings").click()
    page.get_by_text("Reminder settings saved.").wait_for()
    policy = ReminderPolicy.objects.get(company=company)
    assert (policy.after_share_days, policy.working_days) == ([2, 4], "123456")
    assert policy.work_ends == dt.time(18, 30)
    # a working day that ends before it starts is refused, with the reason beside the field
    page.get_by_label("Working day ends").fill("08:00")
    page.get_by_role("button", name="Save reminder settings").click()
    page.get_by_text("The working day must end after it starts.").wait_for()
    checked(page, "reminder settings with an error")
    assert ReminderPolicy.objects.get(company=company).work_ends == dt.time(18, 30)
