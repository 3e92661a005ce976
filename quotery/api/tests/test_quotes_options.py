"""Options the client chooses, through /api/v1/quotes: read, written with the editor's
rules (problem+json pointers, nothing written on a refusal), and the acceptance's choices."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from quotery.accounts.models import User
from quotery.api.tests.conftest import ApiClient
from quotery.api.tests.world import build_world
from quotery.clients.factories import ClientFactory
from quotery.core.request_meta import RequestMeta
from quotery.portal.services.acceptance import quote_accept
from quotery.portal.services.choices import portal_choices_save
from quotery.portal.tests.portal_fixtures import latest_revision_hash, share_options_quote
from quotery.quotes.factories import make_quote
from quotery.quotes.models import Line, Quote, Section

pytestmark = pytest.mark.django_db

CLIENT_META = RequestMeta(ip="203.0.113.9", user_agent="Mozilla/5.0 (client)")


def _options_body(client_id: int) -> dict[str, Any]:
    """A desk; a warranty the client may add (left out at first); installation hours from
    4 to 10 (6 at first); a finish to choose, walnut at first. Defaults: 899 + 300 + 140 =
    1339.00 net, 20 % tax 267.80, total 1606.80."""
    return {
        "client_id": client_id,
        "title": "Fit-out with options",
        "issue_date": "2026-03-02",
        "valid_until": "2026-04-01",
        "sections": [
            {
                "title": "Furniture",
                "lines": [
                    {"description": "Desk", "unit_price": "899", "tax_rate": "20"},
                    {
                        "description": "Warranty",
                        "unit_price": "100",
                        "tax_rate": "20",
                        "optional": True,
                    },
                    {
                        "description": "Installation",
                        "quantity": "6",
                        "unit_price": "50",
                        "tax_rate": "20",
                        "min_quantity": "4",
                        "max_quantity": "10",
                    },
                ],
            },
            {
                "title": "Finish",
                "choose_one": True,
                "lines": [
                    {"description": "Oak", "unit_price": "100", "tax_rate": "20"},
                    {
                        "description": "Walnut",
                        "unit_price": "140",
                        "tax_rate": "20",
                        "included_by_default": True,
                    },
                ],
            },
        ],
    }


def test_create_with_options_and_read_them_back(api: ApiClient, key_admin: User) -> None:
    client = ClientFactory(company=key_admin.membership.company)

    answer = api.post("/api/v1/quotes", _options_body(client.pk))

    assert answer.status_code == 201, answer.content
    body = answer.json()
    furniture, finish = body["sections"]
    assert [s["choose_one"] for s in body["sections"]] == [False, True]
    options = [
        (
            line["description"],
            line["optional"],
            line["included_by_default"],
            line["min_quantity"],
            line["max_quantity"],
        )
        for line in furniture["lines"] + finish["lines"]
    ]
    assert options == [
        ("Desk", False, False, None, None),
        ("Warranty", True, False, None, None),
        ("Installation", False, False, "4", "10"),
        ("Oak", False, False, None, None),
        ("Walnut", False, True, None, None),
    ]
    # the totals are those of the defaults; each subtotal counts the lines the total counts
    assert body["total"] == {"amount": "1606.80", "currency": "EUR"}
    assert furniture["subtotal"] == {"amount": "1199.00", "currency": "EUR"}
    assert finish["subtotal"] == {"amount": "140.00", "currency": "EUR"}
    # and the detail reads the same
    assert api.get(f"/api/v1/quotes/{body['id']}").json()["sections"] == body["sections"]


def _refused(body: dict[str, Any], change: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    change(changed)
    return changed


IMPOSSIBLE = {
    "min_above_max": (
        lambda b: b["sections"][0]["lines"][2].update(min_quantity="12"),
        {"#/sections/0/lines/2/min_quantity": "The min quantity cannot be above the max quantity."},
    ),
    "one_bound_only": (
        lambda b: b["sections"][0]["lines"][2].pop("max_quantity"),
        {
            "#/sections/0/lines/2/max_quantity": (
                "Set both a min and a max quantity, or leave both empty."
            )
        },
    ),
    "default_outside_the_range": (
        lambda b: b["sections"][0]["lines"][2].update(quantity="11"),
        {
            "#/sections/0/lines/2/quantity": (
                "The quantity is where the client starts: put it between the min (4) and "
                "the max (10)."
            )
        },
    ),
    "choose_one_with_one_line": (
        lambda b: b["sections"][1]["lines"].pop(0),
        {
            "#/sections/1/choose_one": (
                "A Choose one section needs at least two lines for the client to choose from."
            )
        },
    ),
    "choose_one_with_none_chosen": (
        lambda b: b["sections"][1]["lines"][1].update(included_by_default=False),
        {
            "#/sections/1/choose_one": (
                "Tick Starts included on exactly one line: the one chosen when the client "
                "opens the quote (0 ticked now)."
            )
        },
    ),
    "optional_in_choose_one": (
        lambda b: b["sections"][1]["lines"][0].update(optional=True),
        {
            "#/sections/1/lines/0/optional": (
                "A line in a Choose one section cannot also be optional: the client picks "
                "exactly one of the section's lines."
            )
        },
    ),
}


@pytest.mark.parametrize("case", IMPOSSIBLE)
def test_impossible_set_ups_are_field_errors_and_write_nothing(
    api: ApiClient, key_admin: User, case: str
) -> None:
    change, expected = IMPOSSIBLE[case]
    client = ClientFactory(company=key_admin.membership.company)
    draft = make_quote(owner=key_admin, client=client, title="Kept")
    before = list(Line.objects.values_list("pk", "description", "quantity", "optional"))
    body = _refused(_options_body(client.pk), change)

    created = api.post("/api/v1/quotes", body)
    updated = api.put(f"/api/v1/quotes/{draft.pk}", body)

    for answer in (created, updated):
        assert answer.status_code == 422, answer.content
        assert answer["Content-Type"] == "application/problem+json"
        pointers = {e["pointer"]: e["detail"] for e in answer.json()["errors"]}
        assert pointers == expected
    assert Quote.objects.count() == 1
    assert Quote.objects.get().title == "Kept"
    assert not Section.objects.filter(choose_one=True).exists()
    assert list(Line.objects.values_list("pk", "description", "quantity", "optional")) == before


def test_a_bound_that_is_not_a_number_points_at_itself(api: ApiClient, key_admin: User) -> None:
    client = ClientFactory(company=key_admin.membership.company)
    body = _refused(
        _options_body(client.pk), lambda b: b["sections"][0]["lines"][2].update(min_quantity="x")
    )

    answer = api.post("/api/v1/quotes", body)

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "#/sections/0/lines/2/min_quantity"
    assert not Quote.objects.exists()


def test_update_sets_up_options_on_a_draft(api: ApiClient, key_admin: User) -> None:
    draft = make_quote(owner=key_admin)

    answer = api.put(f"/api/v1/quotes/{draft.pk}", _options_body(draft.client_id))

    assert answer.status_code == 200, answer.content
    assert answer.json()["total"] == {"amount": "1606.80", "currency": "EUR"}
    assert Section.objects.get(quote=draft, position=1).choose_one is True
    line = Line.objects.get(section__quote=draft, description="Installation")
    assert (line.min_quantity, line.max_quantity) == (4, 10)


def test_the_acceptance_shows_the_choices_their_hash_and_the_total_accepted(
    api: ApiClient, key_admin: User
) -> None:
    # given a client who added the warranty, chose oak, took 8 hours, and accepted
    shared = share_options_quote(key_admin)
    chosen = portal_choices_save(
        share=shared.share,
        data={"included": {"0.1": True}, "chosen": {"1": "1.0"}, "quantities": {"0.2": "8"}},
        meta=CLIENT_META,
        by_client=True,
    )
    quote_accept(
        share=shared.share,
        signer_name="Anna Client",
        signer_email="anna@client.test",
        consent=True,
        revision_hash=latest_revision_hash(shared.quote),
        request_meta=CLIENT_META,
        configuration_hash=chosen.hash(),
    )

    body = api.get(f"/api/v1/quotes/{shared.quote.pk}/acceptance").json()

    assert body["configuration"] == {
        "choices": {
            "chosen": {"1": "1.0"},
            "included": {"0.1": True},
            "quantities": {"0.2": "8"},
        },
        "hash": chosen.hash(),
        "total": {"amount": "2939.96", "currency": "EUR"},
    }
    assert body["total"] == {"amount": "2939.96", "currency": "EUR"}


def test_an_acceptance_without_options_has_no_configuration(api: ApiClient, company) -> None:  # type: ignore[no-untyped-def]
    world = build_world(company)

    body = api.get(f"/api/v1/quotes/{world.quote.pk}/acceptance").json()

    assert body["configuration"] is None
