"""SECURITY.md 22: CSRF protection on every POST; a cross-site Origin is refused.

Every URL of the app is listed here; a new URL without an entry fails
test_security_22_every_url_is_covered, so no form slips past this check.

Exercises: quotery.core.csrf.PortalAwareCsrfViewMiddleware,
quotery.portal.services.sharing.share_send, quotery.portal.services.acceptance.quote_accept,
quotery.notifications.services.notification_add, django.contrib.auth.views.LoginView,
django.contrib.auth.views.LogoutView, quotery.accounts.views.company_logo,
quotery.accounts.views.company_settings, quotery.accounts.views.member_deactivate,
quotery.accounts.views.member_detail, quotery.accounts.views.member_list,
quotery.accounts.views.member_new, quotery.accounts.views.member_reactivate,
quotery.accounts.views.password_change, quotery.billing.views.payment_list,
quotery.billing.views.payment_status_update, quotery.billing.views.payment_instructions,
quotery.catalog.views.product_edit,
quotery.catalog.views.product_list, quotery.catalog.views.product_new,
quotery.clients.views.client_edit, quotery.clients.views.client_new,
quotery.clients.views.contact_edit, quotery.clients.views.contact_new,
quotery.documents.views.accepted_quote_pdf, quotery.engagement.views.dashboard,
quotery.notifications.views.mailbox_list, quotery.notifications.views.mailbox_message_detail,
quotery.notifications.views.notification_bell, quotery.notifications.views.notification_list,
quotery.notifications.views.notification_open,
quotery.notifications.views.notifications_mark_all_read, quotery.portal.views.acceptance.accept,
quotery.portal.views.acceptance.accepted_pdf_download, quotery.portal.views.answers.decline,
quotery.portal.views.answers.message, quotery.portal.views.answers.request_changes,
quotery.portal.views.client.page, quotery.portal.views.client.pdf,
quotery.portal.views.client.preview, quotery.portal.views.client.seen,
quotery.portal.views.client.attention,
quotery.portal.views.rep.reply, quotery.portal.views.rep.resend,
quotery.portal.views.rep.revoke, quotery.portal.views.rep.share,
quotery.quotes.client_views.client_detail, quotery.quotes.client_views.client_list,
quotery.quotes.product_views.product_detail, quotery.quotes.product_views.stock_adjust,
quotery.quotes.views.delivery_note_cancel, quotery.quotes.views.delivery_note_detail,
quotery.quotes.views.delivery_note_list, quotery.quotes.views.delivery_note_ship,
quotery.documents.views.delivery_note_pdf_view, quotery.quotes.views.editor_totals_view,
quotery.quotes.views.quote_cancel, quotery.quotes.views.quote_detail,
quotery.quotes.views.quote_duplicate, quotery.quotes.views.quote_edit,
quotery.quotes.views.quote_list, quotery.quotes.views.quote_new,
quotery.webhooks.views.endpoint_list, quotery.webhooks.views.endpoint_new,
quotery.webhooks.views.endpoint_detail, quotery.webhooks.views.endpoint_rotate,
quotery.webhooks.views.endpoint_disable, quotery.webhooks.views.endpoint_enable,
quotery.webhooks.views.endpoint_delete, quotery.webhooks.views.delivery_replay,
quotery.webhooks.views.endpoint_test
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from quotery.accounts.factories import DEFAULT_PASSWORD, member
from quotery.accounts.models import Company, Membership, Role, User
from quotery.api.keys import api_key_create
from quotery.billing.models import Payment, PaymentInstructions
from quotery.catalog.factories import ProductFactory
from quotery.catalog.models import Product, StockLevel, StockMovement
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.clients.models import Client, Contact
from quotery.core.headers import PORTAL_HEADERS
from quotery.engagement.models import QuoteEvent
from quotery.notifications.models import Notification, NotificationKind, OutboxEmail
from quotery.notifications.services import notification_add
from quotery.portal.services.sharing import share_send
from quotery.portal.tests.portal_fixtures import Shared, accept_shared
from quotery.quotes.factories import make_quote
from quotery.quotes.models import DeliveryNote, Quote, QuoteState
from quotery.sharing.links import share_token
from quotery.sharing.models import Acceptance, ConversationMessage, Decline, PortalShare
from quotery.webhooks.models import WebhookDelivery, WebhookEndpoint
from quotery.webhooks.services.endpoints import webhook_endpoint_create

pytestmark = pytest.mark.django_db

World = dict[str, Any]

# url name -> kwargs built from the test's objects
URL_KWARGS: dict[str, Callable[[World], dict[str, int | str]]] = {
    "accounts:login": lambda w: {},
    "accounts:logout": lambda w: {},
    "accounts:password_change": lambda w: {},
    "accounts:settings": lambda w: {},
    "accounts:members": lambda w: {},
    "accounts:member_new": lambda w: {},
    "accounts:member_detail": lambda w: {"pk": w["colleague"].membership.pk},
    "accounts:member_deactivate": lambda w: {"pk": w["colleague"].membership.pk},
    "accounts:member_reactivate": lambda w: {"pk": w["colleague"].membership.pk},
    "accounts:logo": lambda w: {"company_id": w["company"].pk},
    "catalog:list": lambda w: {},
    "catalog:new": lambda w: {},
    "catalog:detail": lambda w: {"pk": w["product"].pk},
    "catalog:edit": lambda w: {"pk": w["product"].pk},
    "catalog:adjust": lambda w: {"pk": w["product"].pk},
    "clients:list": lambda w: {},
    "clients:new": lambda w: {},
    "clients:detail": lambda w: {"pk": w["client"].pk},
    "clients:edit": lambda w: {"pk": w["client"].pk},
    "clients:contact_new": lambda w: {"pk": w["client"].pk},
    "clients:contact_edit": lambda w: {"pk": w["client"].pk, "contact_pk": w["contact"].pk},
    "quotes:list": lambda w: {},
    "quotes:new": lambda w: {},
    "quotes:editor_totals": lambda w: {},
    "quotes:detail": lambda w: {"pk": w["quote"].pk},
    "quotes:edit": lambda w: {"pk": w["quote"].pk},
    "quotes:cancel": lambda w: {"pk": w["quote"].pk},
    "quotes:duplicate": lambda w: {"pk": w["quote"].pk},
    "quotes:delivery_notes": lambda w: {},
    "quotes:delivery_note": lambda w: {"pk": 1},
    "quotes:delivery_note_cancel": lambda w: {"pk": 1},
    "quotes:delivery_note_ship": lambda w: {"pk": 1},
    "reminders:settings": lambda w: {},
    "reminders:quote": lambda w: {"pk": w["quote"].pk},
    "reminders:extend": lambda w: {"pk": w["quote"].pk},
    "billing:list": lambda w: {},
    "billing:set_status": lambda w: {"pk": 1},
    "billing:instructions": lambda w: {},
    "sharing:share": lambda w: {"pk": w["quote"].pk},
    "sharing:resend": lambda w: {"pk": w["quote"].pk, "share_pk": w["share"].pk},
    "sharing:revoke": lambda w: {"pk": w["quote"].pk, "share_pk": w["share"].pk},
    "sharing:reply": lambda w: {"pk": w["quote"].pk},
    "portal:page": lambda w: {"token": w["token"]},
    "portal:seen": lambda w: {"token": w["token"]},
    "portal:attention": lambda w: {"token": w["token"]},
    "portal:pdf": lambda w: {"token": w["token"]},
    "portal:preview": lambda w: {"pk": w["quote"].pk},
    "portal:accept": lambda w: {"token": w["token"]},
    "portal:choices": lambda w: {"token": w["token"]},
    "portal:accepted_pdf": lambda w: {"token": w["token"]},
    "portal:changes": lambda w: {"token": w["token"]},
    "portal:decline": lambda w: {"token": w["token"]},
    "portal:message": lambda w: {"token": w["token"]},
    "documents:accepted_quote_pdf": lambda w: {"pk": w["quote"].pk},
    "documents:delivery_note_pdf": lambda w: {"pk": 1},
    "engagement:dashboard": lambda w: {},
    "notifications:list": lambda w: {},
    "notifications:bell": lambda w: {},
    "notifications:mark_all_read": lambda w: {},
    "notifications:open": lambda w: {"pk": w["notification"].pk},
    "mailbox:list": lambda w: {},
    "mailbox:message": lambda w: {"name": "20261128-073050-1.0"},
    "api_keys:list": lambda w: {},
    "api_keys:create": lambda w: {},
    "api_keys:revoke": lambda w: {"pk": w["api_key"].pk},
    "webhooks:list": lambda w: {},
    "webhooks:new": lambda w: {},
    "webhooks:detail": lambda w: {"pk": w["webhook"].pk},
    "webhooks:rotate": lambda w: {"pk": w["webhook"].pk},
    "webhooks:disable": lambda w: {"pk": w["webhook"].pk},
    "webhooks:enable": lambda w: {"pk": w["webhook"].pk},
    "webhooks:delete": lambda w: {"pk": w["webhook"].pk},
    "webhooks:test": lambda w: {"pk": w["webhook"].pk},
    "webhooks:replay": lambda w: {"pk": w["webhook"].pk, "delivery_pk": w["delivery"].pk},
}


def app_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # The REST API takes no cookie: a bearer key or nothing, so a forged form
                # post has nothing to ride on (quotery/api/tests/test_conventions.py:
                # test_security_22_session_cookies_do_not_authenticate_the_api).
                if pattern.namespace in {"admin", "api-v1"}:
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name and namespace:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return names


@pytest.fixture
def world(company: Company) -> World:
    admin = member(company, Role.ADMIN)
    client = ClientFactory(company=company)
    quote = make_quote(owner=admin, client=client)
    webhook = webhook_endpoint_create(
        company=company, url="https://crm.example.com/in", event_types=["quote.shared"]
    ).endpoint
    share = share_send(
        quote=quote, user=admin, recipient_name="Anna", recipient_email="anna@example.com"
    )
    return {
        "company": company,
        "admin": admin,
        "colleague": member(company, Role.REP),
        "client": client,
        "contact": ContactFactory(client=client, company=company),
        "product": ProductFactory(company=company),
        "quote": quote,
        "share": share,
        "token": share_token(key=share.key, quote_id=quote.pk, email=share.recipient_email),
        "webhook": webhook,
        "api_key": api_key_create(company=company, user=admin, name="CRM", scope="read").key,
        "delivery": WebhookDelivery.objects.get(endpoint=webhook),
        "notification": notification_add(
            user=admin,
            quote=quote,
            kind=NotificationKind.QUOTE_ACCEPTED,
            text="Anna accepted",
            dedupe_key="csrf-test",
        ),
    }


def snapshot() -> tuple[object, ...]:
    return (QuoteEvent.objects.count(), *business_state())


def business_state() -> tuple[object, ...]:
    """Everything but the engagement log (a client's GET of the page records an open)."""
    return (
        Quote.objects.count(),
        list(Quote.objects.values_list("state", "title")),
        Client.objects.count(),
        Contact.objects.count(),
        Product.objects.count(),
        StockMovement.objects.count(),
        User.objects.count(),
        list(Membership.objects.values_list("role", "user__is_active")),
        list(Company.objects.values_list("name", "brand_colour")),
        list(PortalShare.objects.values_list("key", "revoked_at", "send_count")),
        OutboxEmail.objects.count(),
        list(StockLevel.objects.values_list("on_hand", "reserved")),
        Acceptance.objects.count(),
        Decline.objects.count(),
        ConversationMessage.objects.count(),
        Notification.objects.count(),
        list(Notification.objects.values_list("read_at", flat=True)),
        list(Payment.objects.values_list("status", flat=True)),
        list(PaymentInstructions.objects.values_list("iban", "reference_format")),
        list(DeliveryNote.objects.values_list("state", flat=True)),
        list(WebhookEndpoint.objects.values_list("url", "secret", "disabled_reason")),
        WebhookDelivery.objects.count(),
    )


PORTAL_URLS = sorted(name for name in URL_KWARGS if name.startswith("portal:"))


@pytest.mark.parametrize("accepted", [False, True], ids=["open quote", "accepted quote"])
@pytest.mark.parametrize("name", PORTAL_URLS)
def test_security_9_get_and_head_on_every_portal_url_change_nothing(
    world: World, name: str, accepted: bool
) -> None:
    # given a client's browser (no login) and the quote open, or already accepted
    if accepted:
        shared = Shared(quote=world["quote"], share=world["share"], token=world["token"])
        accept_shared(shared, email="anna@example.com")
    browser = HttpClient()
    url = reverse(name, kwargs=URL_KWARGS[name](world))
    before = snapshot()

    # when a link scanner sends HEAD, nothing at all is recorded
    browser.head(url)
    assert snapshot() == before, name

    # and a GET changes no business state (it may log an open or a download)
    browser.get(url)
    assert business_state() == before[1:], name


def test_security_22_every_url_is_covered() -> None:
    assert app_url_names() == set(URL_KWARGS)


@pytest.mark.parametrize("name", sorted(URL_KWARGS))
def test_security_22_post_without_csrf_token_is_refused_and_changes_nothing(
    world: World, name: str
) -> None:
    # given a logged-in admin whose browser does not send the CSRF token
    browser = HttpClient(enforce_csrf_checks=True)
    assert browser.login(
        request=HttpRequest(), email=world["admin"].email, password=DEFAULT_PASSWORD
    )
    before = snapshot()

    # when anything is posted to the URL
    url = reverse(name, kwargs=URL_KWARGS[name](world))
    response = browser.post(url, {"title": "changed", "name": "changed", "role": "admin"})

    # then it is refused (or the URL does not take POST at all) and nothing changed
    assert response.status_code in {403, 405}, (name, response.status_code)
    assert snapshot() == before
    # and a refusal under /p/ carries the portal's headers (SECURITY.md 5) like its pages
    if url.startswith("/p/"):
        for header, value in PORTAL_HEADERS.items():
            assert response.headers.get(header) == value, (name, header)


def cancel_with_token_from(world: World, origin: str) -> int:
    """Cancels the quote the way its page's form does, with the CSRF token, from `origin`."""
    browser = HttpClient(enforce_csrf_checks=True)
    assert browser.login(
        request=HttpRequest(), email=world["admin"].email, password=DEFAULT_PASSWORD
    )
    browser.get(reverse("quotes:detail", args=[world["quote"].pk]))
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        reverse("quotes:cancel", args=[world["quote"].pk]),
        {"csrfmiddlewaretoken": token},
        HTTP_ORIGIN=origin,
    )
    world["quote"].refresh_from_db()
    return response.status_code


def test_security_22_cross_site_origin_is_refused_even_with_a_token(world: World) -> None:
    assert cancel_with_token_from(world, "https://attacker.example") == 403
    assert world["quote"].state == QuoteState.SENT


def test_security_22_same_origin_post_with_token_works(world: World) -> None:
    assert cancel_with_token_from(world, "http://testserver") == 302
    assert world["quote"].state == QuoteState.CANCELLED
