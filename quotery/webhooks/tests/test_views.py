"""Settings -> Webhooks: admins only, company-scoped, bad input changes nothing, the secret
is shown once (SECURITY.md 23, 27)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.webhooks.models import DisabledReason, WebhookDelivery, WebhookEndpoint
from quotery.webhooks.services.endpoints import webhook_endpoint_create

pytestmark = pytest.mark.django_db

LIST = reverse("webhooks:list")
NEW = reverse("webhooks:new")


def endpoint_of(company, url="https://crm.example.com/in"):
    return webhook_endpoint_create(
        company=company, url=url, event_types=["quote.shared"], description="CRM"
    ).endpoint


def rows() -> list[tuple]:
    return list(WebhookEndpoint.objects.order_by("pk").values_list("url", "secret", "event_types"))


def test_settings_nav_links_to_webhooks(login, admin_user):
    page = login(admin_user).get(reverse("accounts:settings"))
    assert f'href="{LIST}"' in page.content.decode()


@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER, Role.FINANCE])
def test_only_admins_open_the_webhook_pages(login, company, role):
    endpoint = endpoint_of(company)
    client = login(member(company, role))
    for url in (LIST, NEW, reverse("webhooks:detail", args=[endpoint.pk])):
        assert client.get(url).status_code == 404
    before = rows()
    assert (
        client.post(
            NEW, {"url": "https://x.example.com", "event_types": ["quote.shared"]}
        ).status_code
        == 404
    )
    for name in ("rotate", "delete", "test"):
        assert client.post(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 404
    assert rows() == before
    assert not WebhookDelivery.objects.exists()


def test_security_27_adding_an_endpoint_shows_its_secret_once(login, admin_user, company):
    client = login(admin_user)
    response = client.post(
        NEW,
        {
            "url": "https://crm.example.com/webhooks",
            "event_types": ["quote.shared", "quote.accepted"],
            "description": "Our CRM",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    shown = re.search(r"whsec_[A-Za-z0-9+/=]+", response.content.decode())
    assert shown is not None
    secret = shown.group(0)
    assert secret == endpoint.secret
    assert (endpoint.company, endpoint.event_types, endpoint.description) == (
        company,
        ["quote.shared", "quote.accepted"],
        "Our CRM",
    )
    # the endpoint's page and the list never show it again
    for url in (LIST, reverse("webhooks:detail", args=[endpoint.pk])):
        assert secret not in client.get(url).content.decode()
        assert "whsec_" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"url": "", "event_types": ["quote.shared"]}, "Enter the URL your receiver listens on."),
        ({"url": "crm.example.com", "event_types": ["quote.shared"]}, "The URL must start with"),
        ({"url": "https://crm.example.com/in", "event_types": []}, "Choose at least one event"),
        (
            {"url": "https://crm.example.com/in", "event_types": ["quote.deleted"]},
            "Select a valid choice",
        ),
        (
            {
                "url": "https://crm.example.com/in",
                "event_types": ["quote.shared"],
                "description": "x" * 201,
            },
            "Keep the description to 200 characters",
        ),
        (
            {"url": "https://user:pw@crm.example.com/in", "event_types": ["quote.shared"]},
            "Leave user names and passwords out of the URL",
        ),
    ],
)
def test_bad_input_says_what_is_wrong_and_adds_nothing(login, admin_user, data, field_message):
    response = login(admin_user).post(NEW, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The endpoint was not added" in html
    assert field_message in html
    assert WebhookEndpoint.objects.count() == 0


def test_security_23_another_companys_endpoint_and_deliveries_are_404_and_unchanged(
    login, admin_user, other_company
):
    foreign = endpoint_of(other_company)
    foreign_admin = member(other_company, Role.ADMIN)
    share_quote(member(other_company, Role.REP))
    delivery = WebhookDelivery.objects.get()
    before = rows()
    client = login(admin_user)
    assert client.get(reverse("webhooks:detail", args=[foreign.pk])).status_code == 404
    for name in ("rotate", "disable", "enable", "delete", "test"):
        assert client.post(reverse(f"webhooks:{name}", args=[foreign.pk])).status_code == 404
    changed = {"url": "https://evil.example.com", "event_types": ["quote.shared"]}
    detail = reverse("webhooks:detail", args=[foreign.pk])
    assert client.post(detail, changed).status_code == 404
    replay = reverse("webhooks:replay", args=[foreign.pk, delivery.pk])
    assert client.post(replay).status_code == 404
    assert rows() == before
    assert WebhookDelivery.objects.count() == 1
    assert foreign.url not in client.get(LIST).content.decode()
    # while the other company's admin sees it
    client.logout()
    own = login(foreign_admin).get(LIST)
    assert foreign.url in own.content.decode()


def test_rotate_shows_the_new_secret_once_and_keeps_the_old_for_a_day(login, admin_user, company):
    endpoint = endpoint_of(company)
    old = endpoint.secret
    response = login(admin_user).post(reverse("webhooks:rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in response.content.decode()
    assert old not in response.content.decode()
    assert "24 hours" in response.content.decode()
    assert len(endpoint.signing_secrets()) == 2


def test_disable_enable_and_delete(login, admin_user, company):
    endpoint = endpoint_of(company)
    client = login(admin_user)
    detail = reverse("webhooks:detail", args=[endpoint.pk])
    assert client.post(reverse("webhooks:disable", args=[endpoint.pk])).url == detail
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == DisabledReason.BY_USER
    assert "Disabled by an admin" in client.get(detail).content.decode()
    client.post(reverse("webhooks:enable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert client.post(reverse("webhooks:delete", args=[endpoint.pk])).url == LIST
    assert not WebhookEndpoint.objects.exists()


def test_get_on_an_action_changes_nothing(login, admin_user, company):
    endpoint = endpoint_of(company)
    client = login(admin_user)
    for name in ("rotate", "disable", "delete"):
        assert client.get(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 405
    assert rows() == [(endpoint.url, endpoint.secret, endpoint.event_types)]


def test_delivery_log_shows_each_delivery_and_replay_sends_it_again(
    login, admin_user, company, rep
):
    endpoint = endpoint_of(company, url="http://127.0.0.1:9/unreachable")
    share_quote(rep)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=3, last_status_code=503, last_error="HTTP 503: <b>down</b>"
    )
    client = login(admin_user)
    html = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "quote.shared" in html and delivery.event.msg_id in html
    assert "503" in html and "&lt;b&gt;down&lt;/b&gt;" in html and "<b>down</b>" not in html
    assert ">Replay<" in html
    replay = client.post(reverse("webhooks:replay", args=[endpoint.pk, delivery.pk]))
    assert replay.status_code == 302
    assert WebhookDelivery.objects.filter(event=delivery.event).count() == 2


def test_replay_on_a_disabled_endpoint_is_refused_with_a_reason(login, admin_user, company, rep):
    endpoint = endpoint_of(company)
    share_quote(rep)
    delivery = WebhookDelivery.objects.get()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_reason=DisabledReason.GONE)
    client = login(admin_user)
    response = client.post(reverse("webhooks:replay", args=[endpoint.pk, delivery.pk]), follow=True)
    assert "Enable the endpoint first" in response.content.decode()
    assert WebhookDelivery.objects.count() == 1


def test_editing_an_endpoint_keeps_its_secret_and_bad_input_changes_nothing(
    login, admin_user, company
):
    endpoint = endpoint_of(company)
    before = rows()
    client = login(admin_user)
    detail = reverse("webhooks:detail", args=[endpoint.pk])
    bad = client.post(detail, {"url": "ftp://crm.example.com", "event_types": ["quote.viewed"]})
    assert bad.status_code == 422
    assert "The endpoint was not saved" in bad.content.decode()
    assert "The URL must start with https://" in bad.content.decode()
    assert rows() == before
    good = client.post(
        detail,
        {
            "url": "https://erp.example.com/in",
            "event_types": ["quote.viewed", "quote.shared"],
            "description": "ERP",
        },
    )
    assert good.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types, endpoint.description) == (
        "https://erp.example.com/in",
        ["quote.shared", "quote.viewed"],
        "ERP",
    )
    assert endpoint.secret == before[0][1]


def test_send_test_event_queues_one_for_this_endpoint_and_says_so(login, admin_user, company):
    endpoint = endpoint_of(company)
    client = login(admin_user)
    detail = reverse("webhooks:detail", args=[endpoint.pk])
    assert ">Send test event<" in client.get(detail).content.decode()
    response = client.post(reverse("webhooks:test", args=[endpoint.pk]), follow=True)
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == endpoint and delivery.event.type == "webhook.test"
    html = response.content.decode()
    assert f"A test event ({delivery.event.msg_id}) is on its way." in html
    assert "webhook.test" in html  # in the delivery log


def test_send_test_event_to_a_disabled_endpoint_is_refused_with_a_reason(
    login, admin_user, company
):
    endpoint = endpoint_of(company)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_reason=DisabledReason.BY_USER)
    client = login(admin_user)
    detail = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "Send test event" not in detail
    response = client.post(reverse("webhooks:test", args=[endpoint.pk]), follow=True)
    assert "Enable the endpoint first" in response.content.decode()
    assert not WebhookDelivery.objects.exists()
