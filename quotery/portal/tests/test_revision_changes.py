"""What changed between two revisions, as the client page says it: lines added, removed and
changed (matched by SKU and description), the old and new totals, in plain words."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.template.loader import render_to_string

from quotery.core.canonical import canonical_json
from quotery.portal.revision_changes import changes_between, changes_since
from quotery.portal.services.sharing import share_send
from quotery.portal.tests.portal_fixtures import share_quote
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.models import Quote
from quotery.quotes.services.quotes import quote_update


def line(description: str, quantity="1", price="10.00", sku="", discount="0", tax="20"):  # type: ignore[no-untyped-def]
    net = str(
        (Decimal(quantity) * Decimal(price) * (1 - Decimal(discount) / 100)).quantize(
            Decimal("0.01")
        )
    )
    return {
        "sku": sku,
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "discount_percent": discount,
        "tax_rate": tax,
        "net": net,
    }


def content(
    *sections: list[dict[str, Any]], total: str = "100.00", **header: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "currency": "EUR",
        "title": "Office fit-out",
        "valid_until": "2026-12-02",
        "notes": "",
        "sections": [{"title": f"S{i}", "lines": lines} for i, lines in enumerate(sections)],
        "totals": {"total": total},
    }
    values.update(header)
    return values


def test_identical_content_has_no_changes():
    old = content([line("Desk"), line("Lamp")], total="1100.00")
    changes = changes_between(old, old, from_revision=1, to_revision=2)
    assert not changes.has_line_changes and not changes.total_changed and changes.other == ()
    assert changes.new_total == "€1,100.00"


def test_lines_added_removed_and_changed_with_the_totals():
    old = content(
        [line("Desk", "2", "499.00", sku="D-1"), line("Lamp", "4", "39.90"), line("Chair", "6")],
        total="1100.00",
    )
    new = content(
        [line("Desk", "3", "479.00", sku="D-1", discount="5"), line("Lamp", "4", "39.90")],
        [line("Installation", "1", "250.00")],
        total="1234.00",
    )
    changes = changes_between(old, new, from_revision=1, to_revision=2)
    assert [added.description for added in changes.added] == ["Installation"]
    assert changes.added[0].unit_price == "€250.00" and changes.added[0].quantity == "1"
    assert [removed.description for removed in changes.removed] == ["Chair"]
    (desk,) = changes.changed
    assert (desk.description, desk.sku) == ("Desk", "D-1")
    assert [(f.name, f.old, f.new) for f in desk.fields] == [
        ("quantity", "2", "3"),
        ("unit price", "€499.00", "€479.00"),
        ("discount", "0 %", "5 %"),
    ]
    assert changes.counts == "1 line added, 1 removed, 1 changed"
    assert (changes.old_total, changes.new_total) == ("€1,100.00", "€1,234.00")


def test_the_same_description_with_another_sku_is_another_line():
    old = content([line("Desk", sku="D-1")])
    new = content([line("Desk", sku="D-2")])
    changes = changes_between(old, new)
    assert len(changes.added) == 1 and len(changes.removed) == 1 and not changes.changed


def test_a_line_moved_to_another_section_is_not_a_change():
    old = content([line("Desk"), line("Lamp")], [])
    new = content([line("Desk")], [line("Lamp")])
    assert not changes_between(old, new).has_line_changes


def test_duplicate_lines_pair_up_in_order():
    old = content([line("Cable", "1"), line("Cable", "2")])
    new = content([line("Cable", "1"), line("Cable", "5"), line("Cable", "1")])
    changes = changes_between(old, new)
    assert [(f.old, f.new) for f in changes.changed[0].fields] == [("2", "5")]
    assert len(changes.added) == 1 and not changes.removed


def test_numbers_written_differently_are_the_same():
    assert not changes_between(
        content([line("Desk", "2", "10")]), content([line("Desk", "2.0", "10.00")])
    ).has_line_changes


def test_title_validity_and_notes_are_mentioned():
    old = content([line("Desk")])
    new = content([line("Desk")], title="New title", valid_until="2027-01-15", notes="Hi")
    assert changes_between(old, new).other == (
        "the title is now “New title”",
        "valid until 15 January 2027",
        "the notes changed",
    )


PAGE = {"q": {"prepared_by_name": "Rita Rep"}, "company": {"name": "Northwind"}}


def test_the_template_says_it_in_plain_words():
    old = content([line("Desk", "2", sku="D-1"), line("Chair")], total="1100.00")
    new = content([line("Desk", "3", sku="D-1"), line("Chair"), line("Lamp")], total="1234.00")
    html = render_to_string(
        "portal/client/_changes_since.html",
        {**PAGE, "changes": changes_between(old, new, from_revision=1, to_revision=2)},
    )
    assert (
        "Updated since you last looked (version 1 → 2): 1 line added, 1 changed; "
        "new total €1,234.00 (was €1,100.00)"
    ) in html
    assert "<strong>Added:</strong> Lamp, 1 × €10.00" in html
    assert "<strong>Changed:</strong> Desk (SKU D-1): quantity 2 → 3" in html


def test_the_template_shows_nothing_without_changes():
    html = render_to_string("portal/client/_changes_since.html", {**PAGE, "changes": None})
    assert "Updated since" not in html


def test_security_21_the_template_escapes_descriptions():
    old = content([line("Desk")])
    new = content([line("Desk"), line("<script>alert(1)</script>")])
    html = render_to_string(
        "portal/client/_changes_since.html", {**PAGE, "changes": changes_between(old, new)}
    )
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_the_result_can_key_a_cache():
    old = content([line("Desk", "2")])
    new = content([line("Desk", "3"), line("Lamp")])
    assert hash(changes_between(old, new)) == hash(changes_between(old, new))
    assert changes_between(old, new) == changes_between(
        json.loads(canonical_json(old)), json.loads(canonical_json(new))
    )


# ---------------------------------------------------------------------------------------
# From stored revisions


def edit_lines(quote: Quote, user, change) -> None:  # type: ignore[no-untyped-def]
    """Saves the quote with its lines passed through `change` (a list of LineInput)."""
    sections = list(quote.sections.order_by("position").prefetch_related("lines"))
    lines = [
        LineInput(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
            product=line.product,
        )
        for section in sections
        for line in section.lines.order_by("position")
    ]
    data = QuoteInput(
        client=quote.client,
        contact=quote.contact,
        title=quote.title,
        currency=quote.currency,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        notes=quote.notes,
        sections=[SectionInput(title="Everything", lines=change(lines))],
    )
    quote_update(quote=quote, data=data, user=user)


@pytest.mark.django_db
def test_changes_since_reads_the_old_revision(rep):
    # given a quote shared at revision 1, then edited and shared again (revision 2)
    shared = share_quote(rep, sections=1, lines_per_section=2)
    quote = Quote.objects.get(pk=shared.quote.pk)

    def change(lines):  # type: ignore[no-untyped-def]
        lines[0].quantity = Decimal(7)
        return [*lines, LineInput("Installation", Decimal(1), Decimal(250), tax_rate=Decimal(20))]

    edit_lines(quote, rep, change)
    share_send(
        quote=quote, user=rep, recipient_name="Anna Client", recipient_email="anna@client.test"
    )
    quote.refresh_from_db()
    revision = quote.revisions.get(number=quote.revision_number)
    new_content = json.loads(revision.content)

    # then from revision 1 it names the added and changed lines and both totals
    changes = changes_since(
        quote_id=quote.pk, from_revision=1, to_revision=revision.number, to_content=new_content
    )
    assert changes is not None
    assert (changes.from_revision, changes.to_revision) == (1, revision.number)
    assert changes.counts == "1 line added, 1 changed"
    assert changes.new_total == f"€{revision.total:,.2f}"
    # and there is nothing to say for a recipient who never looked, or is up to date
    for seen in (0, revision.number):
        assert (
            changes_since(
                quote_id=quote.pk,
                from_revision=seen,
                to_revision=revision.number,
                to_content=new_content,
            )
            is None
        )
