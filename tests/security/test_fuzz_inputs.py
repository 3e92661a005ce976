"""SECURITY.md 21: no input, however hostile, gives a 500, and a refusal changes nothing.

Hypothesis posts arbitrary text (NUL, lone surrogates, control characters, bidi controls,
very long strings), arbitrary numbers (huge, tiny, NaN, Infinity, exponents, many digits,
negative zero) and arbitrary field sets (missing, extra and repeated fields) to every form
of the app and every POST under the portal. Each example runs in a savepoint that is rolled
back afterwards, so every example starts from the same quote, share and settings.

The body is url-encoded by hand, with lone surrogates written as the bytes a hostile client
would send (`surrogatepass`): Django decodes those as U+FFFD, which the test then covers too.

Exercises: quotery.portal.services.sharing.share_send,
quotery.portal.services.acceptance.quote_accept, quotery.accounts.views.company_settings,
quotery.accounts.views.member_deactivate, quotery.accounts.views.member_detail,
quotery.accounts.views.member_new, quotery.accounts.views.password_change,
quotery.billing.views.payment_status_update, quotery.catalog.views.product_edit,
quotery.catalog.views.product_new, quotery.clients.views.client_edit,
quotery.clients.views.client_new, quotery.clients.views.contact_edit,
quotery.clients.views.contact_new, quotery.notifications.views.notification_open,
quotery.notifications.views.notifications_mark_all_read, quotery.portal.views.acceptance.accept,
quotery.portal.views.answers.decline, quotery.portal.views.answers.message,
quotery.portal.views.answers.request_changes, quotery.portal.views.client.page,
quotery.portal.views.client.seen, quotery.portal.views.rep.reply,
quotery.portal.views.rep.resend, quotery.portal.views.rep.revoke,
quotery.portal.views.rep.share, quotery.quotes.product_views.stock_adjust,
quotery.quotes.views.editor_totals_view, quotery.quotes.views.quote_edit,
quotery.quotes.views.quote_new
"""

from __future__ import annotations

import datetime as dt
import html
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quotery.accounts.factories import DEFAULT_PASSWORD, member
from quotery.accounts.models import Company, Role
from quotery.billing.models import Payment
from quotery.catalog.factories import ProductFactory
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.notifications.models import Notification
from quotery.portal import ratelimit
from quotery.portal.tests.portal_fixtures import accept_shared, latest_revision_hash, share_quote
from quotery.portal.view_confirmation import view_token_for
from tests.security.written import database_rows

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"

# Characters that broke, or could break, something: NUL and other C0/C1 controls, line and
# paragraph separators, zero-width and bidi controls, a BOM, lone surrogates, a combining
# mark, an emoji outside the BMP.
HOSTILE_CHARACTERS = (
    "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\r\n\t\u2028\u2029\u200b\u200c\u200d\u200e\u200f"
    "\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\ufffd\ud800\udfff"
    "\u0301\U0001f600"
)
# Numbers that parse into something no column, context or quantize can hold, or not at all.
HOSTILE_NUMBERS = (
    "1e999",
    "-1e999",
    "1E+999999999",
    "1e-999999999",
    "9" * 25,
    "9" * 50,
    "-" + "9" * 50,
    "0." + "0" * 60 + "1",
    "1" + "0" * 5000,
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "-0",
    "-0.0",
    "0E-1000000",
    "1_000",
    "0x1F",
    "١٢٣",  # Arabic-Indic digits: Decimal() and int() read them
    "１２",
    "1e",
    ".",
    "5\x00",
)

characters = st.one_of(st.characters(), st.sampled_from(HOSTILE_CHARACTERS))
short_text = st.text(alphabet=characters, max_size=40)
long_text = st.builds(
    lambda chunk, times: chunk * times,
    st.text(alphabet=characters, min_size=1, max_size=3),
    st.integers(min_value=100, max_value=30_000),
)
numbers = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.builds(
        lambda mantissa, exponent: f"{mantissa}e{exponent}",
        st.integers(min_value=-(10**6), max_value=10**6),
        st.integers(min_value=-(10**12), max_value=10**12),
    ),
    st.text(alphabet="0123456789", min_size=15, max_size=80),
)
hostile_values = st.one_of(short_text, long_text, numbers)


def form_body(pairs: list[tuple[str, str]]) -> str:
    """The url-encoded body, byte for byte what a client that sends lone surrogates sends."""

    def encode(text: str) -> str:
        return quote(text, safe="", encoding="utf-8", errors="surrogatepass")

    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)


# ---------------------------------------------------------------------------------------
# The app, with something behind every endpoint


@dataclass
class Endpoint:
    url: str
    # Each field with a value that passes, so a hostile value in one field is judged
    # beside valid others, not hidden behind their errors.
    fields: dict[str, str]
    as_client: bool = False


@dataclass
class World:
    member: HttpClient
    client: HttpClient
    endpoints: dict[str, Endpoint]


@pytest.fixture
def world(settings: Any) -> World:
    # Every example is rolled back, counters too; no limit should cut the fuzzing short anyway.
    settings.PORTAL_RATE_LIMITS = {name: (10**9, 600) for name in ratelimit.DEFAULT_LIMITS}
    company = Company.objects.create(
        name="Fuzz GmbH", slug="fuzz", time_zone="Europe/Berlin", default_currency="EUR"
    )
    admin = member(company, Role.ADMIN)
    colleague = member(company, Role.REP)
    product = ProductFactory(company=company, sku="DESK-01", name="Standing desk", stock=5)
    acme = ClientFactory(company=company, name="Acme GmbH")
    contact = ContactFactory(client=acme, company=company, name="Ada Buyer")
    billed = share_quote(admin, sections=1, lines_per_section=1, email="bea@client.test")
    Company.objects.filter(pk=company.pk).update(finance_gate=True)
    accept_shared(billed, email="bea@client.test")
    payment = Payment.objects.get(quote=billed.quote)
    notification = Notification.objects.filter(user=admin).first()
    assert notification is not None
    shared = share_quote(admin, sections=1, lines_per_section=1)

    client = HttpClient()
    client.get(shared.url)  # an open for the beacon to confirm
    member_browser = HttpClient()
    # Sign-in throttling (django-axes) counts attempts per request: authenticate() needs one.
    assert member_browser.login(request=HttpRequest(), email=admin.email, password=DEFAULT_PASSWORD)

    today = timezone.localdate(timezone=company.zone)
    editor = {
        "client": str(acme.pk),
        "contact": str(contact.pk),
        "new_client_name": "",
        "new_contact_name": "",
        "new_contact_email": "",
        "title": "Office desks",
        "currency": "EUR",
        "issue_date": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=30)).isoformat(),
        "notes": "Delivery in two weeks.",
        "internal_notes": "",
        "sections.0.title": "Desks",
        "sections.0.lines.0.product": str(product.pk),
        "sections.0.lines.0.description": "Standing desk",
        "sections.0.lines.0.quantity": "2",
        "sections.0.lines.0.unit_price": "499.90",
        "sections.0.lines.0.discount_percent": "5",
        "sections.0.lines.0.tax_rate": "20",
        "editor_action": "",
    }
    product_fields = {
        "sku": "CHAIR-01",
        "name": "Office chair",
        "description": "Black",
        "unit_price": "199",
        "tax_rate": "20",
        "tracks_stock": "on",
        "is_active": "on",
    }
    token, pk = shared.token, shared.quote.pk
    open_sequence = shared.quote.events.order_by("-sequence").values_list("sequence", flat=True)[0]
    view_token = view_token_for(share=shared.share, open_sequence=open_sequence)
    endpoints = {
        # the client, through the link
        "accept": Endpoint(
            reverse("portal:accept", args=[token]),
            {
                "signer_name": "Anna Client",
                "signer_email": "anna@client.test",
                "consent": "on",
                "revision_hash": latest_revision_hash(shared.quote),
            },
            as_client=True,
        ),
        "changes": Endpoint(
            reverse("portal:changes", args=[token]), {"message": "Cheaper?"}, as_client=True
        ),
        "decline": Endpoint(
            reverse("portal:decline", args=[token]),
            {"reason": "price", "detail": "Too dear."},
            as_client=True,
        ),
        "messages": Endpoint(
            reverse("portal:message", args=[token]), {"body": "Hello"}, as_client=True
        ),
        "seen": Endpoint(
            reverse("portal:seen", args=[token]), {"open": view_token}, as_client=True
        ),
        # the rep's sharing and conversation
        "share": Endpoint(
            reverse("sharing:share", args=[pk]),
            {"recipient_name": "Anna Client", "recipient_email": "anna@client.test", "message": ""},
        ),
        "resend": Endpoint(reverse("sharing:resend", args=[pk, shared.share.pk]), {}),
        "revoke": Endpoint(reverse("sharing:revoke", args=[pk, shared.share.pk]), {}),
        "reply": Endpoint(reverse("sharing:reply", args=[pk]), {"body": "Thank you."}),
        # the quote editor, its line fill (an editor action) and its live totals
        "quote_new": Endpoint(reverse("quotes:new"), editor),
        "quote_edit": Endpoint(reverse("quotes:edit", args=[pk]), editor),
        "quote_fill_line": Endpoint(
            reverse("quotes:edit", args=[pk]), {**editor, "editor_action": "fill_line:0:0"}
        ),
        "editor_totals": Endpoint(reverse("quotes:editor_totals"), editor),
        # clients and contacts
        "client_new": Endpoint(
            reverse("clients:new"),
            {
                "name": "Bolt AG",
                "address": "Main street 1",
                "vat_number": "DE123",
                "contact_name": "Bo",
                "contact_email": "bo@bolt.test",
            },
        ),
        "client_edit": Endpoint(
            reverse("clients:edit", args=[acme.pk]),
            {"name": "Acme AG", "address": "", "vat_number": ""},
        ),
        "contact_new": Endpoint(
            reverse("clients:contact_new", args=[acme.pk]),
            {"name": "Cy", "email": "cy@acme.test", "phone": "+49 1"},
        ),
        "contact_edit": Endpoint(
            reverse("clients:contact_edit", args=[acme.pk, contact.pk]),
            {"name": "Ada B.", "email": "ada@acme.test", "phone": ""},
        ),
        # products and stock
        "product_new": Endpoint(reverse("catalog:new"), {**product_fields, "initial_stock": "3"}),
        "product_edit": Endpoint(reverse("catalog:edit", args=[product.pk]), product_fields),
        "stock": Endpoint(
            reverse("catalog:adjust", args=[product.pk]), {"delta": "-2", "reason": "Count"}
        ),
        # company settings, users, password
        "settings": Endpoint(
            reverse("accounts:settings"),
            {
                "name": "Fuzz AG",
                "brand_colour": "#1f6feb",
                "portal_text": "Welcome",
                "email_sender_name": "Fuzz sales",
                "time_zone": "Europe/Berlin",
                "default_currency": "EUR",
                "default_tax_rate": "19",
                "default_validity_days": "30",
                "plan": "pro",
                "finance_gate": "on",
                "ip_recording": "anonymised",
            },
        ),
        "member_new": Endpoint(
            reverse("accounts:member_new"),
            {"full_name": "Dee", "email": "dee@fuzz.test", "role": "rep", "password": ""},
        ),
        "member_role": Endpoint(
            reverse("accounts:member_detail", args=[colleague.membership.pk]), {"role": "manager"}
        ),
        "member_deactivate": Endpoint(
            reverse("accounts:member_deactivate", args=[colleague.membership.pk]), {}
        ),
        "password": Endpoint(
            reverse("accounts:password_change"),
            {
                "old_password": "not-the-password",
                "new_password1": "a-new-long-passphrase",
                "new_password2": "a-new-long-passphrase",
            },
        ),
        # billing and notifications
        "billing": Endpoint(
            reverse("billing:set_status", args=[payment.pk]), {"status": "paid", "show": ""}
        ),
        "notifications_read": Endpoint(reverse("notifications:mark_all_read"), {"up_to": "1"}),
        "notification_open": Endpoint(reverse("notifications:open", args=[notification.pk]), {}),
    }
    return World(member=member_browser, client=client, endpoints=endpoints)


def post_changes_nothing_when_refused(
    world: World, endpoint: Endpoint, pairs: list[tuple[str, str]]
) -> int:
    """Posts `pairs`; no 5xx, and a refusal (4xx) leaves every table as it was. Rolled back
    afterwards, whatever the answer."""
    browser = world.client if endpoint.as_client else world.member
    with transaction.atomic():
        before = database_rows()
        response = browser.post(endpoint.url, data=form_body(pairs), content_type=FORM)
        assert response.status_code < 500, (response.status_code, pairs)
        if response.status_code >= 400:
            assert database_rows() == before, pairs
        transaction.set_rollback(True)
    return response.status_code


@dataclass(frozen=True)
class Plan:
    """A field set for any endpoint: the n-th known field gets `values[n]` (None, or past
    the end: its valid value) `counts[n]` times (0: missing; past the end: once); then the
    extra fields; in an order shuffled by `order` (0: as listed)."""

    values: tuple[str | None, ...] = ()
    counts: tuple[int, ...] = ()
    extras: tuple[tuple[str, str], ...] = ()
    order: int = 0

    def pairs(self, fields: dict[str, str]) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for n, (name, valid) in enumerate(fields.items()):
            value = self.values[n] if n < len(self.values) else None
            count = self.counts[n] if n < len(self.counts) else 1
            pairs += [(name, valid if value is None else value)] * count
        pairs += self.extras
        if self.order:
            random.Random(self.order).shuffle(pairs)
        return pairs


def every_field(value: str) -> Plan:
    return Plan(values=(value,) * 20)


extra_names = st.one_of(
    short_text,
    st.sampled_from(
        [
            "sections.999.title",
            "sections.0.lines.999999999999999999999.quantity",
            "sections.1.lines.0.unit_price",
            "editor_action",
            "csrfmiddlewaretoken",
        ]
    ),
)
plans = st.builds(
    Plan,
    values=st.lists(st.one_of(st.none(), hostile_values), max_size=20).map(tuple),
    counts=st.lists(st.integers(min_value=0, max_value=2), max_size=20).map(tuple),
    extras=st.lists(st.tuples(extra_names, hostile_values), max_size=3).map(tuple),
    order=st.integers(min_value=0, max_value=2**32),
)

ENDPOINTS = [
    "accept",
    "changes",
    "decline",
    "messages",
    "seen",
    "share",
    "resend",
    "revoke",
    "reply",
    "quote_new",
    "quote_edit",
    "quote_fill_line",
    "editor_totals",
    "client_new",
    "client_edit",
    "contact_new",
    "contact_edit",
    "product_new",
    "product_edit",
    "stock",
    "settings",
    "member_new",
    "member_role",
    "member_deactivate",
    "password",
    "billing",
    "notifications_read",
    "notification_open",
]


@pytest.mark.parametrize("name", ENDPOINTS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans)
# Values that gave 500s before, in every field at once, on every endpoint:
@example(plan=every_field("\x00"))
@example(plan=every_field("Anna\ud800"))
@example(plan=every_field("1e999"))
@example(plan=every_field("9" * 25))
@example(plan=every_field("9" * 50))
@example(plan=every_field("1e-999999999"))
@example(plan=every_field("1" + "0" * 5000))
@example(plan=every_field("²"))
def test_security_21_no_input_gives_a_500_on_any_form_or_portal_post(world, name, plan):
    # given an endpoint, and any set of its fields (and others) with any values
    endpoint = world.endpoints[name]
    # when it is posted, then no 5xx, and a refusal wrote nothing
    post_changes_nothing_when_refused(world, endpoint, plan.pairs(endpoint.fields))


# ---------------------------------------------------------------------------------------
# The 500s the review found, each with the answer a person gets instead

NUL_REFUSALS = {
    "changes": ("message", "Your message contains characters that cannot be shown."),
    "decline": ("detail", "What you would like to add contains characters that cannot be shown."),
    "messages": ("body", "Your message contains characters that cannot be shown."),
    "reply": ("body", "Your message contains characters that cannot be shown."),
    "share": ("message", "The message contains characters that cannot be shown."),
    "accept": (
        "signer_name",
        "Your name must be one line, without invisible control characters.",
    ),
}


@pytest.mark.parametrize("name", NUL_REFUSALS)
def test_security_21_no_input_gives_a_500_with_a_nul_in_client_or_rep_text(world, name):
    # given a form whose text holds a NUL (PostgreSQL cannot even store one)
    endpoint = world.endpoints[name]
    field, expected = NUL_REFUSALS[name]
    pairs = [(f, "Hello\x00there" if f == field else v) for f, v in endpoint.fields.items()]
    browser = world.client if endpoint.as_client else world.member
    before = database_rows()
    # when it is posted
    response = browser.post(endpoint.url, data=form_body(pairs), content_type=FORM)
    # then the form comes back with the reason beside the field, and nothing was written
    assert response.status_code == 422
    assert expected in html.unescape(response.content.decode())
    assert database_rows() == before


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("quantity", "1e999", "That quantity is too large."),
        ("quantity", "9" * 50, "That quantity is too large."),
        ("quantity", "1e-999999999", "Use at most 3 decimal places for the quantity."),
        ("unit_price", "1e999", "That unit price is too large."),
        (
            "unit_price",
            "-" + "9" * 50,
            "The unit price cannot be negative; use a discount instead.",
        ),
        ("unit_price", "1e-999999999", "Use at most 4 decimal places for the unit price."),
        ("discount_percent", "1e-999999999", "Use at most 3 decimal places for the discount."),
        ("tax_rate", "9" * 50, "The tax rate must be between 0 % and 100 %."),
    ],
)
def test_security_21_no_input_gives_a_500_with_a_huge_or_tiny_number_in_the_quote_editor(
    world, field, value, expected
):
    # given the editor of a quote, one of its line's numbers out of any column's reach
    endpoint = world.endpoints["quote_edit"]
    key = f"sections.0.lines.0.{field}"
    pairs = [(f, value if f == key else v) for f, v in endpoint.fields.items()]
    before = database_rows()
    # when it is saved
    response = world.member.post(endpoint.url, data=form_body(pairs), content_type=FORM)
    # then the editor comes back with the rule beside the field, and nothing was saved
    assert response.status_code == 422
    assert expected in html.unescape(response.content.decode())
    assert database_rows() == before


@pytest.mark.parametrize("value", ["1e999", "9" * 50, "1e-999999999", "-1e999"])
def test_security_21_no_input_gives_a_500_from_the_live_totals(world, value):
    # given the editor's live totals, a line's quantity out of any column's reach and a
    # second line that is fine
    endpoint = world.endpoints["editor_totals"]
    pairs = [(f, value if f.endswith(".quantity") else v) for f, v in endpoint.fields.items()]
    pairs += [
        ("sections.0.lines.1.description", "Lamp"),
        ("sections.0.lines.1.quantity", "2"),
        ("sections.0.lines.1.unit_price", "10"),
        ("sections.0.lines.1.tax_rate", "0"),
    ]
    # when they are asked for
    response = world.member.post(endpoint.url, data=form_body(pairs), content_type=FORM)
    # then the bad line counts as nothing yet, and the total is the other line's
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "€20.00" in page


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1e-999999999", "a tax rate between 0 % and 100 % with at most three decimal places"),
        ("0.0001", "Use at most three decimal places, like 7.125."),
        ("1e999", "a tax rate between 0 % and 100 % with at most three decimal places"),
        ("9" * 50, "a tax rate between 0 % and 100 % with at most three decimal places"),
        ("101", "The default tax rate must be between 0 % and 100 %."),
    ],
)
def test_security_21_no_input_gives_a_500_with_a_tiny_or_huge_default_tax_rate(
    world, value, expected
):
    # given the company settings, the default tax rate too small or too large for its column
    endpoint = world.endpoints["settings"]
    pairs = [(f, value if f == "default_tax_rate" else v) for f, v in endpoint.fields.items()]
    before = database_rows()
    # when they are saved
    response = world.member.post(endpoint.url, data=form_body(pairs), content_type=FORM)
    # then the form says what fits, and nothing was saved
    assert response.status_code == 422
    assert expected in html.unescape(response.content.decode())
    assert database_rows() == before
