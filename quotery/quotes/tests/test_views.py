"""The rep's quote pages: tenancy on every URL (SECURITY.md 23), roles, and the editor."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from quotery.accounts.factories import member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.quotes.factories import make_quote
from quotery.quotes.models import DeliveryNote, Line, Quote, QuoteState
from quotery.quotes.services.quotes import quote_mark_sent
from quotery.quotes.tests.conftest import force_state, quote_snapshot, row_counts

pytestmark = pytest.mark.django_db

S = QuoteState


# -- reading the HTML the way a person (or a screen reader) does -----------------------------


class Fields(HTMLParser):
    """Collects form controls by name (value, attributes) and the text of elements by id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: dict[str, dict[str, Any]] = {}
        self.text_by_id: dict[str, str] = {}
        self._open_ids: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if a.get("id"):
            self._open_ids.append((tag, a["id"]))
            self.text_by_id.setdefault(a["id"], "")
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"hidden", "submit"}:
            self.controls[name] = {**a, "value": a.get("value", "")}
        elif tag == "select" and name:
            self.controls[name] = {**a, "value": "", "options": []}
            self._select = name
        elif tag == "option" and self._select:
            self.controls[self._select]["options"].append(a.get("value", ""))
            if "selected" in a:
                self.controls[self._select]["value"] = a.get("value", "")
        elif tag == "textarea" and name:
            self.controls[name] = {**a, "value": ""}
            self._textarea = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea" and self._textarea:
            # HTML drops the one newline right after <textarea>
            value = self.controls[self._textarea]["value"]
            self.controls[self._textarea]["value"] = value.removeprefix("\n")
            self._textarea = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open_ids:
            self.text_by_id[element_id] += data
        if self._textarea:
            self.controls[self._textarea]["value"] += data


def error_beside(page: Fields, name: str) -> str:
    """The error text announced for the field `name` (aria-describedby), or ''."""
    control = page.controls[name]
    if control.get("aria-invalid") != "true":
        return ""
    ids = control.get("aria-describedby", "").split()
    return " ".join(page.text_by_id.get(i, "") for i in ids).strip()


def editor_data(client_pk: int | str, **overrides: str) -> dict[str, str]:
    """What the editor posts for a two-section, three-line quote."""
    data = {
        "client": str(client_pk),
        "contact": "",
        "title": "Office fit-out",
        "currency": "EUR",
        "issue_date": "2026-11-02",
        "valid_until": "2026-11-30",
        "notes": "Delivery within two weeks.",
        "internal_notes": "",
        "sections.0.title": "Furniture",
        "sections.0.lines.0.product": "",
        "sections.0.lines.0.description": "Standing desk",
        "sections.0.lines.0.quantity": "4",
        "sections.0.lines.0.unit_price": "499",
        "sections.0.lines.0.discount_percent": "10",
        "sections.0.lines.0.tax_rate": "20",
        "sections.0.lines.1.product": "",
        "sections.0.lines.1.description": "Desk lamp",
        "sections.0.lines.1.quantity": "4",
        "sections.0.lines.1.unit_price": "39.90",
        "sections.0.lines.1.discount_percent": "0",
        "sections.0.lines.1.tax_rate": "20",
        "sections.1.title": "Labour",
        "sections.1.lines.0.product": "",
        "sections.1.lines.0.description": "Installation",
        "sections.1.lines.0.quantity": "6.5",
        "sections.1.lines.0.unit_price": "65",
        "sections.1.lines.0.discount_percent": "0",
        "sections.1.lines.0.tax_rate": "7",
    }
    data.update(overrides)
    return data


# -- fixtures: our company and a foreign one, with a quote each ------------------------------


@pytest.fixture
def own_quote(rep):
    return make_quote(owner=rep)


@pytest.fixture
def foreign(other_company):
    """Another company's rep, client, product, quote (shared) and delivery note."""
    foreign_rep = member(other_company, Role.REP)
    client = ClientFactory(company=other_company, name="Foreign Client Oy")
    quote = make_quote(owner=foreign_rep, client=client, title="Foreign secret deal")
    quote_mark_sent(quote=quote, user=foreign_rep)
    note = DeliveryNote.objects.create(company=other_company, quote=quote, number="D-2026-0001")
    return {
        "rep": foreign_rep,
        "client": client,
        "contact": client.contacts.first(),
        "product": ProductFactory(
            company=other_company, name="Foreign gadget", unit_price=Decimal("777.77")
        ),
        "quote": quote,
        "note": note,
    }


EDITOR_ROLES = ["rep", "manager", "admin_user"]
ALL_ROLES = [*EDITOR_ROLES, "finance"]


# -- SECURITY.md 23: every quote URL with another company's ids -------------------------------


@pytest.mark.parametrize("who", ALL_ROLES)
def test_security_23_detail_of_a_foreign_quote_is_404(login, request, foreign, who):
    client = login(request.getfixturevalue(who))
    response = client.get(reverse("quotes:detail", args=[foreign["quote"].pk]))
    assert response.status_code == 404
    assert b"Foreign secret deal" not in response.content


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_security_23_edit_page_of_a_foreign_quote_is_404(login, request, foreign, who):
    client = login(request.getfixturevalue(who))
    response = client.get(reverse("quotes:edit", args=[foreign["quote"].pk]))
    assert response.status_code == 404
    assert b"Foreign secret deal" not in response.content


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_security_23_saving_a_foreign_quote_is_404_and_changes_nothing(
    login, request, foreign, who
):
    client = login(request.getfixturevalue(who))
    before = quote_snapshot(foreign["quote"])
    data = editor_data(foreign["client"].pk, title="Hijacked")
    response = client.post(reverse("quotes:edit", args=[foreign["quote"].pk]), data)
    assert response.status_code == 404
    assert quote_snapshot(foreign["quote"]) == before


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_security_23_editor_action_on_a_foreign_quote_is_404(login, request, foreign, who):
    client = login(request.getfixturevalue(who))
    data = editor_data(foreign["client"].pk, editor_action="add_line:0")
    response = client.post(reverse("quotes:edit", args=[foreign["quote"].pk]), data)
    assert response.status_code == 404
    assert b"Foreign" not in response.content


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_security_23_cancelling_a_foreign_quote_is_404_and_changes_nothing(
    login, request, foreign, who
):
    client = login(request.getfixturevalue(who))
    before = quote_snapshot(foreign["quote"])
    response = client.post(reverse("quotes:cancel", args=[foreign["quote"].pk]))
    assert response.status_code == 404
    assert quote_snapshot(foreign["quote"]) == before


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_security_23_duplicating_a_foreign_quote_is_404_and_copies_nothing(
    login, request, foreign, who
):
    client = login(request.getfixturevalue(who))
    before = row_counts()
    response = client.post(reverse("quotes:duplicate", args=[foreign["quote"].pk]))
    assert response.status_code == 404
    assert row_counts() == before


@pytest.mark.parametrize("who", ALL_ROLES)
def test_security_23_list_never_shows_foreign_quotes_whatever_the_filters(
    login, request, foreign, own_quote, who
):
    client = login(request.getfixturevalue(who))
    foreign_quote = foreign["quote"]
    queries = [
        {},
        {"q": foreign_quote.number},
        {"q": "Foreign"},
        {"owner": str(foreign["rep"].pk)},
        {"state": S.SENT},
        {"owner": str(foreign["rep"].pk), "state": S.SENT, "q": "Foreign"},
        {"page": "2"},
    ]
    for query in queries:
        response = client.get(reverse("quotes:list"), query)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Foreign secret deal" not in html, query
        assert "Foreign Client Oy" not in html, query
        assert reverse("quotes:detail", args=[foreign_quote.pk]) not in html, query
    # the owner filter only offers our own people
    page = Fields(client.get(reverse("quotes:list")).content.decode())
    if "owner" in page.controls:
        assert str(foreign["rep"].pk) not in page.controls["owner"]["options"]


@pytest.mark.parametrize("who", ALL_ROLES)
def test_security_23_delivery_note_list_hides_foreign_notes(login, request, foreign, who):
    client = login(request.getfixturevalue(who))
    response = client.get(reverse("quotes:delivery_notes"))
    assert response.status_code == 200
    assert b"D-2026-0001" not in response.content
    assert b"Foreign" not in response.content


@pytest.mark.parametrize("who", ALL_ROLES)
def test_security_23_delivery_note_detail_of_a_foreign_note_is_404(login, request, foreign, who):
    client = login(request.getfixturevalue(who))
    response = client.get(reverse("quotes:delivery_note", args=[foreign["note"].pk]))
    assert response.status_code == 404
    assert b"D-2026-0001" not in response.content


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_security_23_editor_totals_ignore_a_foreign_product(login, request, foreign, who):
    client = login(request.getfixturevalue(who))
    data = editor_data(
        "",
        **{
            "sections.0.lines.0.product": str(foreign["product"].pk),
            "sections.0.lines.0.unit_price": "",
            "sections.0.lines.0.description": "",
        },
    )
    response = client.post(reverse("quotes:editor_totals"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "777" not in html  # the foreign price was not filled in
    assert "Foreign gadget" not in html


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_security_23_new_quote_for_a_foreign_client_is_refused(login, request, foreign, who):
    client = login(request.getfixturevalue(who))
    before = row_counts()
    # the form does not even offer the foreign client...
    page = Fields(
        client.get(reverse("quotes:new"), {"client": foreign["client"].pk}).content.decode()
    )
    assert str(foreign["client"].pk) not in page.controls["client"]["options"]
    assert page.controls["client"]["value"] == ""
    assert str(foreign["contact"].pk) not in page.controls["contact"]["options"]
    # ...and posting its id is refused beside the field, saving nothing
    response = client.post(reverse("quotes:new"), editor_data(foreign["client"].pk))
    assert response.status_code == 422
    assert error_beside(Fields(response.content.decode()), "client")
    assert row_counts() == before


@pytest.mark.parametrize("who", EDITOR_ROLES)
def test_security_23_a_foreign_contact_or_product_is_refused(login, request, foreign, company, who):
    user = request.getfixturevalue(who)
    client = login(user)
    own_client = ClientFactory(company=company)
    before = row_counts()
    data = editor_data(
        own_client.pk,
        contact=str(foreign["contact"].pk),
        **{"sections.1.lines.0.product": str(foreign["product"].pk)},
    )
    response = client.post(reverse("quotes:new"), data)
    assert response.status_code == 422
    page = Fields(response.content.decode())
    assert error_beside(page, "contact")
    assert error_beside(page, "sections.1.lines.0.product")
    assert str(foreign["product"].pk) not in page.controls["sections.0.lines.0.product"]["options"]
    assert row_counts() == before


# -- roles --------------------------------------------------------------------------------------


@pytest.fixture
def colleague_quote(company):
    return make_quote(owner=member(company, Role.REP), title="Colleague's deal")


def test_rep_cannot_open_another_reps_quote(login, rep, colleague_quote):
    client = login(rep)
    before, counts = quote_snapshot(colleague_quote), row_counts()
    pk = colleague_quote.pk
    assert client.get(reverse("quotes:detail", args=[pk])).status_code == 404
    assert client.get(reverse("quotes:edit", args=[pk])).status_code == 404
    assert (
        client.post(
            reverse("quotes:edit", args=[pk]), editor_data(colleague_quote.client_id)
        ).status_code
        == 404
    )
    assert client.post(reverse("quotes:cancel", args=[pk])).status_code == 404
    assert client.post(reverse("quotes:duplicate", args=[pk])).status_code == 404
    assert b"Colleague" not in client.get(reverse("quotes:list")).content
    assert quote_snapshot(colleague_quote) == before and row_counts() == counts


@pytest.mark.parametrize("who", ["manager", "admin_user"])
def test_managers_and_admins_open_and_edit_any_quote_of_the_company(
    login, request, colleague_quote, who
):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("quotes:detail", args=[colleague_quote.pk])).status_code == 200
    assert client.get(reverse("quotes:edit", args=[colleague_quote.pk])).status_code == 200
    assert b"Colleague" in client.get(reverse("quotes:list")).content


def test_finance_cannot_edit_and_sees_only_accepted_quotes(
    login, finance, own_quote, colleague_quote
):
    accepted = force_state(own_quote, S.ACCEPTED)
    client = login(finance)
    before, counts = quote_snapshot(accepted), row_counts()
    # finance reads accepted quotes...
    assert client.get(reverse("quotes:detail", args=[accepted.pk])).status_code == 200
    # ...not drafts
    assert client.get(reverse("quotes:detail", args=[colleague_quote.pk])).status_code == 404
    # and edits nothing: every editing URL answers 404
    assert client.get(reverse("quotes:edit", args=[accepted.pk])).status_code == 404
    assert (
        client.post(
            reverse("quotes:edit", args=[accepted.pk]), editor_data(accepted.client_id)
        ).status_code
        == 404
    )
    assert client.get(reverse("quotes:new")).status_code == 404
    assert client.post(reverse("quotes:new"), editor_data(accepted.client_id)).status_code == 404
    assert client.post(reverse("quotes:cancel", args=[accepted.pk])).status_code == 404
    assert client.post(reverse("quotes:duplicate", args=[accepted.pk])).status_code == 404
    assert (
        client.post(reverse("quotes:editor_totals"), editor_data(accepted.client_id)).status_code
        == 404
    )
    assert quote_snapshot(accepted) == before and row_counts() == counts


def test_anonymous_visitors_are_sent_to_log_in(client, own_quote):
    for url in (
        reverse("quotes:list"),
        reverse("quotes:detail", args=[own_quote.pk]),
        reverse("quotes:edit", args=[own_quote.pk]),
        reverse("quotes:new"),
        reverse("quotes:delivery_notes"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    before = row_counts()
    assert client.post(reverse("quotes:cancel", args=[own_quote.pk])).status_code == 302
    assert row_counts() == before and Quote.objects.get(pk=own_quote.pk).state == S.DRAFT


# -- the editor: saving --------------------------------------------------------------------------


def test_saving_a_new_quote_stores_it_with_its_totals(login, rep, company):
    acme = ClientFactory(company=company)
    client = login(rep)
    response = client.post(reverse("quotes:new"), editor_data(acme.pk))
    quote = Quote.objects.get(company=company)
    assert response.status_code == 302
    assert response["Location"] == reverse("quotes:detail", args=[quote.pk])
    assert quote.owner == rep and quote.line_count == 3
    assert quote.total == Decimal("2799.28")  # as in test_services: 2378.50 + 391.20 + 29.58
    detail = client.get(response["Location"]).content.decode()
    assert "€2,799.28" in detail


def test_the_rep_sets_a_deposit_and_the_live_totals_show_it(login, rep, company):
    acme = ClientFactory(company=company)
    client = login(rep)
    data = editor_data(acme.pk, deposit_percent="30")

    totals = client.post(reverse("quotes:editor_totals"), data).content.decode()
    response = client.post(reverse("quotes:new"), data)

    # 30 % of 2,799.28 = 839.784
    assert 'data-testid="editor-deposit">€839.78</dd>' in totals
    assert "Deposit 30 % on acceptance" in totals
    quote = Quote.objects.get(company=company)
    assert response.status_code == 302
    assert quote.deposit_percent == Decimal("30")
    editor = Fields(client.get(reverse("quotes:edit", args=[quote.pk])).content.decode())
    assert editor.controls["deposit_percent"]["value"] == "30"


BAD_EDITOR_INPUT = {
    "negative_quantity": ("sections.0.lines.1.quantity", "-2", "more than zero"),
    "discount_over_100": ("sections.1.lines.0.discount_percent", "150", "between 0 % and 100 %"),
    "price_not_a_number": ("sections.0.lines.0.unit_price", "12,50 EUR", "Enter a number"),
    "unknown_currency": ("currency", "XYZ", "not a currency Quotery supports"),
    "valid_until_before_issue_date": ("valid_until", "2026-11-01", "cannot expire before"),
    "date_not_a_date": ("issue_date", "next Tuesday", "Enter a date"),
    "too_many_decimals": ("sections.0.lines.0.quantity", "1.0001", "at most 3 decimal places"),
    "empty_title": ("title", "", "Give the quote a title"),
    "deposit_over_100": ("deposit_percent", "150", "between 0 % and 100 % of the total"),
    "deposit_negative": ("deposit_percent", "-5", "between 0 % and 100 % of the total"),
    "deposit_not_a_number": ("deposit_percent", "thirty", "Enter a number between 0 and 100"),
    "deposit_too_many_decimals": ("deposit_percent", "12.345", "at most 2 decimal places"),
}


@pytest.mark.parametrize("case", BAD_EDITOR_INPUT)
def test_new_quote_with_bad_input_answers_422_beside_the_field_keeping_what_was_typed(
    login, rep, company, case
):
    name, typed, message = BAD_EDITOR_INPUT[case]
    acme = ClientFactory(company=company)
    client = login(rep)
    before = row_counts()
    data = editor_data(acme.pk, **{name: typed, "notes": "Typed notes stay"})
    response = client.post(reverse("quotes:new"), data)
    assert response.status_code == 422
    page = Fields(response.content.decode())
    # the message is announced for that field
    assert message in error_beside(page, name)
    # every value the person typed is still there (the bad one too)
    for field, value in data.items():
        if (
            field in page.controls
            and page.controls[field].get("type") != "date"
            and "options" not in page.controls[field]
        ):
            assert page.controls[field]["value"] == value, field
    assert page.controls["notes"]["value"].strip() == "Typed notes stay"
    # and nothing was saved
    assert row_counts() == before


def test_every_problem_shows_after_one_save_even_when_a_field_does_not_parse(login, rep, company):
    # given a price that is not a number, and rule breaks on lines that do parse
    acme = ClientFactory(company=company)
    client = login(rep)
    before = row_counts()
    data = editor_data(
        acme.pk,
        **{
            "sections.0.lines.0.unit_price": "12,50 EUR",
            "sections.0.lines.1.quantity": "-2",
            "sections.1.lines.0.discount_percent": "150",
            "valid_until": "2026-11-01",
        },
    )

    # when the rep saves once
    response = client.post(reverse("quotes:new"), data)

    # then all four problems are shown beside their fields, and nothing is saved
    assert response.status_code == 422
    page = Fields(response.content.decode())
    assert "Enter a number" in error_beside(page, "sections.0.lines.0.unit_price")
    assert "more than zero" in error_beside(page, "sections.0.lines.1.quantity")
    assert "between 0 % and 100 %" in error_beside(page, "sections.1.lines.0.discount_percent")
    assert "cannot expire before" in error_beside(page, "valid_until")
    assert row_counts() == before


@pytest.mark.parametrize(
    "case", ["negative_quantity", "discount_over_100", "valid_until_before_issue_date"]
)
def test_editing_with_bad_input_answers_422_and_changes_nothing(login, rep, own_quote, case):
    name, typed, message = BAD_EDITOR_INPUT[case]
    quote_mark_sent(quote=own_quote, user=rep)
    client = login(rep)
    before, counts = quote_snapshot(own_quote), row_counts()
    data = editor_data(own_quote.client_id, title="Changed title", **{name: typed})
    response = client.post(reverse("quotes:edit", args=[own_quote.pk]), data)
    assert response.status_code == 422
    page = Fields(response.content.decode())
    assert message in error_beside(page, name)
    assert page.controls["title"]["value"] == "Changed title"
    assert quote_snapshot(own_quote) == before and row_counts() == counts


@pytest.mark.parametrize(
    "state", [S.ACCEPTED, S.CLOSED, S.DECLINED, S.CANCELLED, S.READY_FOR_BILLING]
)
def test_a_locked_quote_is_not_edited_through_the_page(login, rep, own_quote, state):
    locked = force_state(own_quote, state)
    client = login(rep)
    before, counts = quote_snapshot(locked), row_counts()
    get = client.get(reverse("quotes:edit", args=[locked.pk]))
    post = client.post(
        reverse("quotes:edit", args=[locked.pk]), editor_data(locked.client_id, title="No")
    )
    for response in (get, post):
        assert response.status_code == 302
        assert response["Location"] == reverse("quotes:detail", args=[locked.pk])
    assert quote_snapshot(locked) == before and row_counts() == counts
    detail = client.get(reverse("quotes:detail", args=[locked.pk]), follow=True).content.decode()
    assert reverse("quotes:edit", args=[locked.pk]) not in detail


# -- the editor: actions re-render without saving --------------------------------------------


def descriptions(page: Fields, section: int) -> list[str]:
    out = []
    j = 0
    while f"sections.{section}.lines.{j}.description" in page.controls:
        out.append(page.controls[f"sections.{section}.lines.{j}.description"]["value"])
        j += 1
    return out


@pytest.mark.parametrize("on", ["new", "existing"])
@pytest.mark.parametrize(
    ("action", "check"),
    [
        ("add_line:0", lambda p: descriptions(p, 0) == ["Standing desk", "Desk lamp", ""]),
        ("remove_line:0:0", lambda p: descriptions(p, 0) == ["Desk lamp"]),
        ("move_line_up:0:1", lambda p: descriptions(p, 0) == ["Desk lamp", "Standing desk"]),
        ("move_line_down:0:0", lambda p: descriptions(p, 0) == ["Desk lamp", "Standing desk"]),
        (
            "add_section",
            lambda p: "sections.2.title" in p.controls and descriptions(p, 1) == ["Installation"],
        ),
        (
            "remove_section:0",
            lambda p: (
                descriptions(p, 0) == ["Installation"] and "sections.1.title" not in p.controls
            ),
        ),
        ("move_section_down:0", lambda p: descriptions(p, 0) == ["Installation"]),
    ],
)
def test_editor_actions_rerender_without_saving(login, rep, own_quote, company, on, action, check):
    client = login(rep)
    if on == "new":
        url, client_pk = reverse("quotes:new"), ClientFactory(company=company).pk
    else:
        quote_mark_sent(quote=own_quote, user=rep)
        url, client_pk = reverse("quotes:edit", args=[own_quote.pk]), own_quote.client_id
    before, counts = quote_snapshot(own_quote), row_counts()
    # given what the person typed so far (including a value the save would refuse)
    data = editor_data(client_pk, title="Typed title", editor_action=action)
    data["sections.1.lines.0.quantity"] = "-3"
    response = client.post(url, data)
    # then the editor comes back rearranged, keeping what was typed, and nothing was saved
    assert response.status_code == 200
    page = Fields(response.content.decode())
    assert check(page)
    assert page.controls["title"]["value"] == "Typed title"
    assert "-3" in [c["value"] for c in page.controls.values()]
    assert quote_snapshot(own_quote) == before and row_counts() == counts


def test_fill_line_copies_the_products_details_without_saving(login, rep, company, own_quote):
    product = ProductFactory(
        company=company, name="Ergo chair", unit_price=Decimal("289.50"), tax_rate=Decimal("19")
    )
    client = login(rep)
    before, counts = quote_snapshot(own_quote), row_counts()
    data = editor_data(
        own_quote.client_id,
        editor_action="fill_line:0:1",
        **{"sections.0.lines.1.product": str(product.pk)},
    )
    response = client.post(reverse("quotes:edit", args=[own_quote.pk]), data)
    assert response.status_code == 200
    page = Fields(response.content.decode())
    assert page.controls["sections.0.lines.1.description"]["value"] == "Ergo chair"
    assert page.controls["sections.0.lines.1.unit_price"]["value"] == "289.5"
    assert page.controls["sections.0.lines.1.tax_rate"]["value"] == "19"
    assert page.controls["sections.0.lines.1.product"]["value"] == str(product.pk)
    assert quote_snapshot(own_quote) == before and row_counts() == counts


def test_editor_totals_follow_what_is_typed(login, rep, company):
    client = login(rep)
    response = client.post(reverse("quotes:editor_totals"), editor_data(""))
    assert response.status_code == 200
    assert "€2,799.28" in response.content.decode()
    jpy = client.post(
        reverse("quotes:editor_totals"),
        {
            "currency": "JPY",
            "sections.0.title": "S",
            "sections.0.lines.0.quantity": "3",
            "sections.0.lines.0.unit_price": "333.5",
            "sections.0.lines.0.tax_rate": "0",
        },
    )
    assert "¥1,001" in jpy.content.decode()


def test_an_edit_of_a_shared_quote_saves_a_new_revision(login, rep, own_quote):
    quote_mark_sent(quote=own_quote, user=rep)
    client = login(rep)
    response = client.post(
        reverse("quotes:edit", args=[own_quote.pk]),
        editor_data(own_quote.client_id, title="Revised"),
    )
    assert response.status_code == 302
    fresh = Quote.objects.get(pk=own_quote.pk)
    assert fresh.title == "Revised" and fresh.revision_number == 2
    assert list(
        Line.objects.filter(quote=fresh)
        .order_by("section__position", "position")
        .values_list("description", flat=True)
    ) == [
        "Standing desk",
        "Desk lamp",
        "Installation",
    ]


def test_cancel_and_duplicate_from_the_page(login, rep, own_quote):
    client = login(rep)
    response = client.post(reverse("quotes:duplicate", args=[own_quote.pk]))
    copy = Quote.objects.exclude(pk=own_quote.pk).get()
    assert response["Location"] == reverse("quotes:edit", args=[copy.pk])
    response = client.post(reverse("quotes:cancel", args=[own_quote.pk]))
    assert response.status_code == 302
    assert Quote.objects.get(pk=own_quote.pk).state == S.CANCELLED
    # cancelling twice is refused with a clear page, changing nothing
    before = quote_snapshot(own_quote)
    again = client.post(reverse("quotes:cancel", args=[own_quote.pk]))
    assert again.status_code == 409
    assert "cannot become cancelled" in again.content.decode()
    assert quote_snapshot(own_quote) == before


def test_cancel_needs_a_post(login, rep, own_quote):
    client = login(rep)
    assert client.get(reverse("quotes:cancel", args=[own_quote.pk])).status_code == 405
    assert Quote.objects.get(pk=own_quote.pk).state == S.DRAFT


def test_a_contact_of_another_client_is_refused_beside_the_field(login, rep, company):
    acme = ClientFactory(company=company)
    stranger = ContactFactory(company=company, client=ClientFactory(company=company))
    client = login(rep)
    before = row_counts()
    response = client.post(reverse("quotes:new"), editor_data(acme.pk, contact=str(stranger.pk)))
    assert response.status_code == 422
    assert "works for another client" in error_beside(Fields(response.content.decode()), "contact")
    assert row_counts() == before
