"""The demo data a newcomer logs in to: loaded once, through the services, in every state."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from quotery.accounts.models import Company, Membership, Role, User
from quotery.billing.models import Payment, PaymentStatus
from quotery.catalog.models import Product, StockLevel, StockMovement
from quotery.clients.models import Client, Contact
from quotery.demo.seeding import demo_logins
from quotery.engagement.chain import verify_quote_chain
from quotery.notifications.models import Notification
from quotery.quotes.models import DeliveryNote, Line, Quote, QuoteRevision, QuoteState, Section
from quotery.sharing.models import Acceptance, ConversationMessage, Decline

S = QuoteState
COUNTED = (
    Company,
    User,
    Membership,
    Product,
    StockLevel,
    StockMovement,
    Client,
    Contact,
    Quote,
    Section,
    Line,
    QuoteRevision,
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.django_db
def test_seed_loads_two_companies_with_people_catalog_clients_and_quotes() -> None:
    # when the demo data is loaded into an empty database
    output = seed()

    # then both companies exist with the plan and finance gate the demo promises
    northwind = Company.objects.get(name="Northwind Office Supply")
    bluebird = Company.objects.get(name="Bluebird Print & Sign")
    assert (northwind.plan, northwind.finance_gate) == ("pro", False)
    assert (northwind.default_currency, northwind.time_zone) == ("EUR", "Europe/Berlin")
    assert (bluebird.plan, bluebird.finance_gate) == ("starter", True)
    assert bluebird.default_currency in {"GBP", "USD"}
    assert bluebird.time_zone != northwind.time_zone
    assert "Demo data loaded" in output
    for company in (northwind, bluebird):
        # one user per role
        roles = sorted(Membership.objects.filter(company=company).values_list("role", flat=True))
        assert roles == sorted(Role.values)
        # about twenty products, some of them services without stock
        products = Product.objects.filter(company=company)
        assert 18 <= products.count() <= 24
        services = products.filter(tracks_stock=False)
        assert 2 <= services.count() <= 6
        stocked = StockLevel.objects.filter(company=company, product__tracks_stock=True)
        assert stocked.count() == products.count() - services.count()
        assert all(level.on_hand > 0 for level in stocked)
        # about ten clients, each with a contact
        clients = Client.objects.filter(company=company)
        assert clients.count() == 10
        assert not clients.filter(contacts__isnull=True).exists()
        # fifteen quotes across the states, each with two or three sections of lines
        quotes = Quote.objects.filter(company=company)
        assert quotes.count() == 15
        states = set(quotes.values_list("state", flat=True))
        assert {S.DRAFT, S.SENT, S.CHANGES_REQUESTED, S.CLOSED, S.DECLINED} <= states
        assert {S.EXPIRED, S.CANCELLED} <= states
        for quote in quotes:
            assert 2 <= quote.sections.count() <= 3
            assert quote.line_count == quote.lines.count() >= 2
            assert quote.total > 0
            assert quote.currency == company.default_currency
        # nothing is left half-way in "accepted": the finance gate decides where it lands
        assert S.ACCEPTED not in states
    assert S.READY_FOR_BILLING in set(
        Quote.objects.filter(company=bluebird).values_list("state", flat=True)
    )
    assert not Quote.objects.filter(company=northwind, state=S.READY_FOR_BILLING).exists()


@pytest.mark.django_db
def test_seeded_quotes_are_consistent_with_their_state() -> None:
    seed()
    today = timezone.localdate()
    for quote in Quote.objects.select_related("company"):
        shared = quote.state != S.DRAFT
        # every shared quote has the revision its client saw; drafts have none
        assert quote.has_been_shared == shared, quote
        assert quote.revisions.count() == quote.revision_number
        if quote.state == S.EXPIRED:
            assert quote.valid_until < today
        if quote.state in {S.SENT, S.CHANGES_REQUESTED}:
            assert quote.valid_until >= today
    # a quote the client asked to change was edited and shared again: revision 2
    assert Quote.objects.filter(state=S.SENT, revision_number=2).count() == 2
    # numbers rise with the issue date within each company
    for company in Company.objects.all():
        numbers = list(
            Quote.objects.filter(company=company)
            .order_by("issue_date", "number")
            .values_list("number", flat=True)
        )
        assert numbers == sorted(numbers)


@pytest.mark.django_db
def test_second_run_changes_nothing_and_says_so() -> None:
    # given the demo data is loaded
    seed()
    before = row_counts()
    last_change = Quote.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0]

    # when it is loaded again
    output = seed()

    # then no row was added or changed, and the command says so
    assert row_counts() == before
    assert not Quote.objects.filter(updated_at__gt=last_change).exists()
    assert "already loaded; nothing changed" in output
    # the logins are printed on every run, since the app prints them at start
    assert "rep@northwind.example" in output
    assert "demo-rep-2026" in output


@pytest.mark.django_db
def test_every_demo_login_works() -> None:
    seed()
    for _company, _role, email, password in demo_logins():
        assert HttpClient().login(request=HttpRequest(), email=email, password=password), email


@pytest.mark.django_db
def test_demo_rep_logs_in_through_the_login_page_and_sees_their_quotes() -> None:
    seed()
    browser = HttpClient()

    response = browser.post(
        reverse("accounts:login"),
        {"username": "rep@northwind.example", "password": "demo-rep-2026"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("home")
    content = response.content.decode()
    assert "Quarterly office supplies" in content  # the rep's own quote
    assert "Meeting room kit" not in content  # the manager's quote


@pytest.mark.django_db
def test_demo_answers_went_through_the_portal_services() -> None:
    seed()
    accepted = Quote.objects.filter(state__in=[S.CLOSED, S.READY_FOR_BILLING])
    assert accepted.count() == 6
    for quote in accepted:
        # each acceptance is a real signature with its effects, and verifies
        assert Acceptance.objects.filter(quote=quote).exists(), quote
        assert DeliveryNote.objects.filter(quote=quote).count() == 1
        assert Notification.objects.filter(quote=quote, user=quote.owner).exists()
        assert verify_quote_chain(quote.pk).ok
    # Bluebird's finance gate: one quote paid (closed), two waiting for finance
    bluebird = Quote.objects.filter(company__slug="bluebird")
    assert Payment.objects.filter(quote__in=bluebird, status=PaymentStatus.PAID).count() == 1
    assert bluebird.filter(state=S.READY_FOR_BILLING).count() == 2
    for quote in Quote.objects.filter(state=S.DECLINED):
        assert Decline.objects.filter(quote=quote).exists()
    for quote in Quote.objects.filter(state=S.CHANGES_REQUESTED):
        assert ConversationMessage.objects.filter(quote=quote, author_kind="client").exists()
