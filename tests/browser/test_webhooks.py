"""Settings -> Webhooks in a real browser: an admin registers a local receiver, copies the
secret shown once, and sees `quote.shared` and then `quote.viewed` (a real browser's view)
arrive signed; the pages pass axe.

Exercises: quotery.webhooks.views.endpoint_list, quotery.webhooks.views.endpoint_new,
quotery.webhooks.views.endpoint_detail, quotery.webhooks.services.publishing,
quotery.webhooks.delivery, quotery.portal.views.client.page, quotery.portal.views.client.seen
"""

from __future__ import annotations

import re

import pytest

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.portal.tests.portal_fixtures import share_quote
from tests.browser.accessibility import serious_violations
from tests.browser.test_quote_editor import log_in
from tests.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_registers_a_receiver_and_shared_then_viewed_arrive_signed(
    browser, live_server, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.BASE_URL = live_server.url
    company = CompanyFactory(name="Northwind")
    admin = member(company, Role.ADMIN, email="ada@northwind.test", full_name="Ada Admin")
    rep = member(company, Role.REP, email="rita@northwind.test", full_name="Rita Rep")
    receiver = WebhookReceiver().start()
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        # when the admin adds an endpoint for the receiver under Settings -> Webhooks
        log_in(page, admin.email)
        page.goto("/accounts/settings/")
        nav = page.get_by_role("navigation", name="Settings sections")
        nav.get_by_role("link", name="Webhooks").click()
        page.get_by_role("heading", name="Webhooks").wait_for()
        assert serious_violations(page) == [], "webhook list"
        page.get_by_role("link", name="Add an endpoint").click()
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_label(re.compile(r"quote\.shared:")).check()
        page.get_by_label(re.compile(r"quote\.viewed:")).check()
        page.get_by_label("Description (optional)").fill("My laptop")
        assert serious_violations(page) == [], "new endpoint form"
        page.get_by_role("button", name="Add endpoint").click()

        # then the secret is shown once, and the receiver is configured with it
        secret = page.locator("#webhook-secret").inner_text()
        assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
        assert serious_violations(page) == [], "secret page"
        receiver.secrets = [secret]

        # when the rep shares a quote and the client opens its link in a browser
        shared = share_quote(rep)
        receiver.wait_for(1)
        client = browser.new_context(base_url=live_server.url).new_page()
        client.goto(shared.url)
        client.get_by_role("heading", name=shared.quote.title).wait_for()
        receiver.wait_for(2)

        # then both arrived, signed, in order
        assert receiver.types() == ["quote.shared", "quote.viewed"]
        assert all(request.verified for request in receiver.requests)

        # and the endpoint's delivery log shows them delivered, with Replay
        page.get_by_role("link", name="Go to the endpoint").click()
        log = page.get_by_role("table")
        log.get_by_text("quote.viewed").wait_for()
        assert log.get_by_text("Delivered").count() == 2
        assert log.get_by_role("button", name=re.compile("^Replay quote.shared")).count() == 1
        assert secret not in page.content()
        assert serious_violations(page) == [], "endpoint page"
    finally:
        context.close()
        receiver.stop()
