"""/api/v1/quotes and what hangs off a quote: given / when / then, refusals write nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from quotery.accounts.models import Role, User
from quotery.api.tests.conftest import ApiClient
from quotery.api.tests.world import build_world
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.models import OutboxEmail
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Quote, QuoteState
from quotery.sharing.models import PortalShare

pytestmark = pytest.mark.django_db


def test_list_pages_with_a_cursor_newest_first(api: ApiClient, key_admin: User) -> None:
    quotes = [make_quote(owner=key_admin, title=f"Q{i}") for i in range(5)]
    first = api.get("/api/v1/quotes", {"limit": 2}).json()
    second = api.get("/api/v1/quotes", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = api.get("/api/v1/quotes", {"limit": 2, "cursor": second["next_cursor"]}).json()
    ids = [q["id"] for page in (first, second, third) for q in page["items"]]
    assert ids == [q.pk for q in reversed(quotes)]
    assert third["next_cursor"] is None


def test_list_filters(api: ApiClient, key_admin: User) -> None:
    client = ClientFactory(company=key_admin.membership.company)
    mine = make_quote(owner=key_admin, client=client)
    make_quote(owner=key_admin)
    Quote.objects.filter(pk=mine.pk).update(state=QuoteState.SENT)
    by_client = api.get("/api/v1/quotes", {"client": client.pk}).json()["items"]
    by_status = api.get("/api/v1/quotes", {"status": "sent"}).json()["items"]
    assert [q["id"] for q in by_client] == [mine.pk]
    assert [q["id"] for q in by_status] == [mine.pk]
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert api.get("/api/v1/quotes", {"updated_since": later}).json()["items"] == []


def test_a_bad_cursor_or_status_is_a_422_naming_the_parameter(api: ApiClient) -> None:
    bad_cursor = api.get("/api/v1/quotes", {"cursor": "bm9wZQ"})
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["errors"][0]["parameter"] == "cursor"
    bad_status = api.get("/api/v1/quotes", {"status": "won"})
    assert bad_status.status_code == 422
    assert bad_status.json()["errors"][0]["parameter"] == "status"


def test_detail_shows_sections_lines_and_money_as_strings(api: ApiClient, key_admin: User) -> None:
    quote = make_quote(owner=key_admin, sections=2, lines_per_section=2)
    body = api.get(f"/api/v1/quotes/{quote.pk}").json()
    assert [len(s["lines"]) for s in body["sections"]] == [2, 2]
    line = body["sections"][0]["lines"][1]
    # 2 × 19.99 less 5 %: 37.981 → 37.98 (half-up to cents)
    assert line["net_amount"] == {"amount": "37.98", "currency": "EUR"}
    assert line["unit_price"] == {"amount": "19.99", "currency": "EUR"}
    assert line["quantity"] == "2"
    assert body["total"]["currency"] == "EUR"
    assert body["created_at"].endswith(("Z", "+00:00"))


def _new_quote_body(client_id: int, **extra: object) -> dict[str, object]:
    return {
        "client_id": client_id,
        "title": "Meeting room",
        "issue_date": "2026-03-02",
        "valid_until": "2026-04-01",
        "sections": [
            {
                "title": "Furniture",
                "lines": [
                    {
                        "description": "Table",
                        "quantity": "1",
                        "unit_price": "899.00",
                        "tax_rate": "20",
                    },
                    {
                        "description": "Chair",
                        "quantity": "8",
                        "unit_price": "120.50",
                        "tax_rate": "20",
                        "discount_percent": "10",
                    },
                ],
            }
        ],
    } | extra


def test_create_a_draft_quote(api: ApiClient, key_admin: User) -> None:
    client = ClientFactory(company=key_admin.membership.company)
    answer = api.post("/api/v1/quotes", _new_quote_body(client.pk))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "draft"
    assert body["owner"]["id"] == key_admin.pk
    # 899.00 + 8 × 120.50 × 0.9 = 899.00 + 867.60 = 1766.60; tax 20 % = 353.32
    assert body["subtotal"] == {"amount": "1766.60", "currency": "EUR"}
    assert body["total"] == {"amount": "2119.92", "currency": "EUR"}
    assert body["valid_until"] == "2026-04-01"


def test_create_refuses_with_field_pointers_and_writes_nothing(
    api: ApiClient, key_admin: User, other_company
) -> None:  # type: ignore[no-untyped-def]
    foreign_client = ClientFactory(company=other_company)
    body = _new_quote_body(foreign_client.pk)
    answer = api.post("/api/v1/quotes", body)
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["errors"] == [{"pointer": "#/client_id", "detail": "No such client."}]
    client = ClientFactory(company=key_admin.membership.company)
    body = _new_quote_body(client.pk)
    body["sections"][0]["lines"][0]["quantity"] = "0"  # type: ignore[index]
    body["valid_until"] = "2026-01-01"
    answer = api.post("/api/v1/quotes", body)
    assert answer.status_code == 422
    pointers = {e["pointer"]: e["detail"] for e in answer.json()["errors"]}
    assert pointers == {
        "#/sections/0/lines/0/quantity": "Quantity must be more than zero.",
        "#/valid_until": "The quote cannot expire before its issue date.",
    }
    assert not Quote.objects.exists()


def test_schema_errors_point_into_the_body(api: ApiClient) -> None:
    answer = api.post(
        "/api/v1/quotes",
        {
            "client_id": 1,
            "title": "x",
            "sections": [{"title": "S", "lines": [{"quantity": "ten"}]}],
        },
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "#/sections/0/lines/0/quantity"


def test_update_while_editable_then_locked_once_accepted(api: ApiClient, company) -> None:  # type: ignore[no-untyped-def]
    draft = make_quote(
        owner=User.objects.get(membership__company=company, membership__role=Role.ADMIN)
    )
    body = _new_quote_body(draft.client_id, title="Renamed")
    done = api.put(f"/api/v1/quotes/{draft.pk}", body)
    assert done.status_code == 200, done.content
    assert done.json()["title"] == "Renamed"
    world = build_world(company)
    before = Quote.objects.values("title", "updated_at").get(pk=world.quote.pk)
    refused = api.put(f"/api/v1/quotes/{world.quote.pk}", _new_quote_body(world.client.pk))
    assert refused.status_code == 409
    assert refused.json()["code"] == "quote_locked"
    assert Quote.objects.values("title", "updated_at").get(pk=world.quote.pk) == before


def test_share_reshare_and_revoke_a_link(api: ApiClient, key_admin: User) -> None:
    quote = make_quote(owner=key_admin)
    shared = api.post(
        f"/api/v1/quotes/{quote.pk}/share",
        {"recipient_name": "Anna", "recipient_email": "anna@client.test", "message": "Hello"},
    )
    assert shared.status_code == 200, shared.content
    share = shared.json()
    assert share["url"].startswith("http")
    assert share["send_count"] == 1
    again = api.post(f"/api/v1/quotes/{quote.pk}/share/{share['id']}/resend")
    assert again.json()["send_count"] == 2
    assert again.json()["url"] == share["url"]  # the same link
    assert OutboxEmail.objects.filter(to_email="anna@client.test").count() == 2
    revoked = api.post(f"/api/v1/quotes/{quote.pk}/share/{share['id']}/revoke")
    assert revoked.json()["revoked_at"] is not None
    assert revoked.json()["url"] is None
    listed = api.get(f"/api/v1/quotes/{quote.pk}/share").json()
    assert [s["id"] for s in listed] == [share["id"]]
    kinds = list(
        QuoteEvent.objects.filter(quote=quote).order_by("sequence").values_list("kind", flat=True)
    )
    assert kinds == [
        EventKind.QUOTE_SHARED,
        EventKind.MESSAGE_POSTED,
        EventKind.QUOTE_SHARED,
        EventKind.LINK_REVOKED,
    ]


def test_share_refuses_a_bad_email_and_sends_nothing(api: ApiClient, key_admin: User) -> None:
    quote = make_quote(owner=key_admin)
    answer = api.post(
        f"/api/v1/quotes/{quote.pk}/share",
        {"recipient_name": "Anna", "recipient_email": "not-an-email"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "#/recipient_email"
    assert not PortalShare.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_events_acceptance_pdf_payment(api: ApiClient, company) -> None:  # type: ignore[no-untyped-def]
    world = build_world(company)
    quote_id = world.quote.pk
    events = api.get(f"/api/v1/quotes/{quote_id}/events").json()["items"]
    assert [e["kind"] for e in events][:1] == ["quote_shared"]
    assert "quote_accepted" in [e["kind"] for e in events]
    acceptance = api.get(f"/api/v1/quotes/{quote_id}/acceptance").json()
    assert acceptance["signer_email"] == "anna@client.test"
    assert acceptance["signature_hash"] == world.acceptance.signature_hash
    pdf = api.get(f"/api/v1/quotes/{quote_id}/acceptance/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    again = api.get(f"/api/v1/quotes/{quote_id}/acceptance/pdf")
    assert hashlib.sha256(again.content).digest() == hashlib.sha256(pdf.content).digest()
    assert api.get(f"/api/v1/quotes/{quote_id}/payment").json()["status"] == "pending"
    paid = api.put(f"/api/v1/quotes/{quote_id}/payment", {"status": "paid"})
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    assert Quote.objects.get(pk=quote_id).state == QuoteState.CLOSED
    refused = api.put(f"/api/v1/quotes/{quote_id}/payment", {"status": "pending"})
    assert refused.status_code == 409
    assert api.get(f"/api/v1/quotes/{quote_id}/payment").json()["status"] == "paid"


def test_payment_follows_the_finance_rules_of_the_keys_maker(
    api: ApiClient, company, key_admin: User
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(company)
    key_admin.membership.role = Role.REP
    key_admin.membership.save(update_fields=["role"])
    refused = api.put(f"/api/v1/quotes/{world.quote.pk}/payment", {"status": "paid"})
    assert refused.status_code == 403
    world.payment.refresh_from_db()
    assert world.payment.status == "pending"


def test_a_quote_not_accepted_has_no_acceptance_or_payment(api: ApiClient, key_admin: User) -> None:
    quote = make_quote(owner=key_admin)
    for path in ("acceptance", "acceptance/pdf", "payment"):
        answer = api.get(f"/api/v1/quotes/{quote.pk}/{path}")
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"


def test_contact_of_another_client_is_a_field_error(api: ApiClient, key_admin: User) -> None:
    company = key_admin.membership.company
    client, other = ClientFactory(company=company), ClientFactory(company=company)
    contact = ContactFactory(client=other, company=company)
    answer = api.post("/api/v1/quotes", _new_quote_body(client.pk, contact_id=contact.pk))
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"pointer": "#/contact_id", "detail": "No such contact for this client."}
    ]
