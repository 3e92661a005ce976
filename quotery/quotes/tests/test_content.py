"""The revision content hash (SECURITY.md 15): it changes when anything the client can see
changes, not when internal notes do, and it is the same in any process and on any database."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from quotery.accounts.factories import CompanyFactory, member
from quotery.accounts.models import Role
from quotery.catalog.factories import ProductFactory
from quotery.clients.factories import ClientFactory, ContactFactory
from quotery.core.canonical import canonical_hash
from quotery.quotes.inputs import LineInput, QuoteInput
from quotery.quotes.models import Quote, QuoteRevision
from quotery.quotes.services.quotes import quote_create, quote_mark_sent, quote_update
from quotery.quotes.tests.conftest import issue_today, quote_input

PROJECT_ROOT = Path(__file__).resolve().parents[3]

# The SHA-256 of the canonical content of the quote built by `pinned_quote` below, computed
# once and written down. SQLite and PostgreSQL runs must both produce exactly this; if the
# content format changes on purpose, bump CONTENT_VERSION and re-pin.
PINNED_HASH = "2e7905fab07d58fa197b0a443e69964dca5f181acf52de7de9eae1ca54200355"


def pinned_quote() -> Quote:
    """A fixed quote whose every client-visible value is spelled out (no factory sequences)."""
    company = CompanyFactory(name="Pinned Interiors GmbH", slug="pinned-interiors")
    owner = member(company, Role.REP, email="rita.rep@pinned.test", full_name="Rita Rep")
    client = ClientFactory(company=company, name="Zürich Büro AG")
    contact = ContactFactory(
        client=client, company=company, name="Ueli Käufer", email="ueli@buero.test"
    )
    data = quote_input(
        client,
        contact,
        title="Fit-out «Level 3» — phase 1",
        notes="Prices in EUR.\nDelivery within 2 weeks.",
        issue_date=dt.date(2026, 11, 2),
        valid_until=dt.date(2026, 11, 30),
        lines=[
            [
                LineInput(
                    "Standing desk", Decimal("4"), Decimal("499.00"), Decimal("10"), Decimal("20")
                ),
                LineInput("Desk lamp", Decimal("4"), Decimal("39.90"), Decimal("0"), Decimal("20")),
            ],
            [
                LineInput(
                    "Installation", Decimal("6.5"), Decimal("65"), Decimal("0"), Decimal("7.7")
                )
            ],
        ],
    )
    return quote_create(company=company, owner=owner, data=data)


@pytest.mark.django_db
def test_content_hash_is_pinned_on_every_database():
    # given the fixed quote, shared
    quote = pinned_quote()
    revision = quote_mark_sent(quote=quote, user=quote.owner)
    # then its hash is the pinned one, whichever database ran this
    assert revision.content_hash == PINNED_HASH, revision.content
    assert canonical_hash(json.loads(revision.content)) == PINNED_HASH


@pytest.mark.django_db
def test_stored_content_is_the_canonical_bytes_with_money_as_strings(new_quote, rep):
    quote = new_quote(issue_date=dt.date(2026, 11, 2), valid_until=dt.date(2026, 11, 30))
    revision = quote_mark_sent(quote=quote, user=rep)
    content = json.loads(revision.content)
    assert revision.content == json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert content["totals"]["total"] == "2799.28"
    assert content["sections"][1]["lines"][0]["quantity"] == "6.5"
    assert content["issue_date"] == "2026-11-02"

    def no_floats(value: Any) -> None:
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                no_floats(item)
        if isinstance(value, list):
            for item in value:
                no_floats(item)

    no_floats(content)


# -- what changes the hash -------------------------------------------------------------------


def edit_line(section: int, line: int, **changes: Any) -> Callable[[QuoteInput, dict], None]:
    def apply(data: QuoteInput, ctx: dict) -> None:
        from dataclasses import replace

        values = {k: (v(ctx) if callable(v) else v) for k, v in changes.items()}
        data.sections[section].lines[line] = replace(data.sections[section].lines[line], **values)

    return apply


def edit_header(**changes: Any) -> Callable[[QuoteInput, dict], None]:
    def apply(data: QuoteInput, ctx: dict) -> None:
        for key, value in changes.items():
            setattr(data, key, value(ctx) if callable(value) else value)

    return apply


def swap_sections(data: QuoteInput, ctx: dict) -> None:
    data.sections.reverse()


def swap_lines(data: QuoteInput, ctx: dict) -> None:
    data.sections[0].lines.reverse()


def rename_section(data: QuoteInput, ctx: dict) -> None:
    data.sections[1].title = "Labour"


CLIENT_VISIBLE_EDITS = {
    "title": edit_header(title="Office fit-out, revised"),
    "notes": edit_header(notes="Delivery within three weeks."),
    "issue_date": edit_header(issue_date=lambda c: issue_today() + dt.timedelta(days=1)),
    "valid_until": edit_header(valid_until=lambda c: issue_today() + dt.timedelta(days=60)),
    "currency": edit_header(currency="CHF"),
    "client": edit_header(client=lambda c: c["other_client"], contact=None),
    "contact": edit_header(contact=lambda c: c["second_contact"]),
    "line_description": edit_line(0, 1, description="Desk lamp, LED"),
    "line_quantity": edit_line(0, 1, quantity=Decimal("5")),
    "line_quantity_in_the_third_decimal": edit_line(1, 0, quantity=Decimal("6.501")),
    "line_unit_price": edit_line(0, 0, unit_price=Decimal("499.01")),
    "line_discount": edit_line(0, 1, discount_percent=Decimal("2.5")),
    "line_tax_rate": edit_line(1, 0, tax_rate=Decimal("8")),
    "line_product": edit_line(0, 0, product=lambda c: c["product"]),
    "section_title": rename_section,
    "section_order": swap_sections,
    "line_order": swap_lines,
    "deposit": edit_header(deposit_percent=Decimal("30")),
}


@pytest.fixture
def shared_quote(new_quote, rep, company, acme):
    quote = new_quote()
    first = quote_mark_sent(quote=quote, user=rep)
    ctx = {
        "other_client": ClientFactory(company=company, name="Other Client SA"),
        "second_contact": ContactFactory(client=acme, company=company, name="Bob Second"),
        "product": ProductFactory(company=company, sku="DESK-9"),
    }
    return quote, first, ctx


@pytest.mark.django_db
@pytest.mark.parametrize("edit", CLIENT_VISIBLE_EDITS)
def test_any_client_visible_change_changes_the_hash(shared_quote, rep, acme, acme_contact, edit):
    # given a shared quote at revision 1
    quote, first, ctx = shared_quote
    # when one client-visible thing changes and the quote is saved
    data = quote_input(acme, acme_contact)
    CLIENT_VISIBLE_EDITS[edit](data, ctx)
    quote_update(quote=quote, data=data, user=rep)
    # then revision 2 exists with another hash
    second = QuoteRevision.objects.get(quote=quote, number=2)
    assert second.content_hash != first.content_hash
    assert canonical_hash(json.loads(second.content)) == second.content_hash


@pytest.mark.django_db
def test_a_deposit_is_in_the_content_with_its_amount(shared_quote, rep, acme, acme_contact):
    quote, first, _ = shared_quote
    assert "deposit" not in json.loads(first.content)
    quote_update(
        quote=quote,
        data=quote_input(acme, acme_contact, deposit_percent=Decimal("33.33")),
        user=rep,
    )
    second = QuoteRevision.objects.get(quote=quote, number=2)
    # 33.33 % of 2,799.28 = 933.000024
    assert json.loads(second.content)["deposit"] == {"percent": "33.33", "amount": "933.00"}


@pytest.mark.django_db
def test_internal_notes_do_not_change_the_hash(shared_quote, rep, acme, acme_contact):
    quote, first, _ = shared_quote
    quote_update(
        quote=quote,
        data=quote_input(acme, acme_contact, internal_notes="Client pays late; ask for 30 %."),
        user=rep,
    )
    assert list(
        QuoteRevision.objects.filter(quote=quote).values_list("content_hash", flat=True)
    ) == [first.content_hash]


@pytest.mark.django_db
def test_writing_the_same_number_differently_does_not_change_the_hash(
    shared_quote, rep, acme, acme_contact
):
    quote, _, ctx = shared_quote
    data = quote_input(acme, acme_contact)
    edit_line(1, 0, quantity=Decimal("6.500"), tax_rate=Decimal("7.000"))(data, ctx)
    edit_line(0, 0, unit_price=Decimal("499"))(data, ctx)
    quote_update(quote=quote, data=data, user=rep)
    assert QuoteRevision.objects.filter(quote=quote).count() == 1


# -- the same hash in another process ----------------------------------------------------------

RECOMPUTE = """
import json, sys
import django
django.setup()
from quotery.core.canonical import canonical_hash
from quotery.quotes.content import client_visible_content, content_bytes_and_hash
from quotery.quotes.models import Line, Quote, QuoteRevision, Section

related = ("company", "client", "contact", "owner")
quote = Quote.objects.select_related(*related).get(pk=int(sys.argv[1]))
sections = list(Section.objects.filter(quote=quote).order_by("position"))
lines = list(Line.objects.filter(quote=quote).order_by("section__position", "position", "pk"))
raw, from_rows = content_bytes_and_hash(client_visible_content(quote, sections, lines))
stored = QuoteRevision.objects.get(quote=quote, number=quote.revision_number)
print(json.dumps({
    "from_rows": from_rows,
    "from_stored_content": canonical_hash(json.loads(stored.content)),
    "stored": stored.content_hash,
    "same_bytes": raw.decode("utf-8") == stored.content,
}))
"""


def database_url_for_subprocess(tmp_path: Path) -> str:
    """A DATABASE_URL through which another process reads what this test wrote."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in this process's memory: copy it, committed rows and all,
        # into a file the other process can open.
        connection.ensure_connection()
        path = tmp_path / "copy.sqlite3"
        import sqlite3

        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seed", ["0", "12345"])
def test_hash_is_the_same_when_another_process_recomputes_it(tmp_path, seed):
    # given the pinned quote, shared and then edited (revision 2), committed
    quote = pinned_quote()
    quote_mark_sent(quote=quote, user=quote.owner)
    data = quote_input(quote.client, quote.contact, title="Fit-out «Level 3» — phase 2")
    quote_update(quote=quote, data=data, user=quote.owner)
    stored = QuoteRevision.objects.get(quote=quote, number=2)
    # when a fresh interpreter (another hash seed) recomputes it from the same database
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", RECOMPUTE, str(quote.pk)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(tmp_path),
            "PYTHONHASHSEED": seed,
        },
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    # then the rows, the stored content and the stored hash all agree with this process
    assert seen == {
        "from_rows": stored.content_hash,
        "from_stored_content": stored.content_hash,
        "stored": stored.content_hash,
        "same_bytes": True,
    }
