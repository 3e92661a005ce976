"""The quote editor: what the person typed (EditorState), the actions that rearrange it
(add, remove, move, fill from a product), and its assembly into a QuoteInput through the
forms in quotes.forms. What there is to pick is in quotes.editor_choices, the live totals
in quotes.editor_totals, the rules in quotes.rules.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from quotery.accounts.models import Company
from quotery.core.forms import posted_id
from quotery.quotes.editor_choices import EditorChoices
from quotery.quotes.forms import LineForm, QuoteHeaderForm, SectionForm
from quotery.quotes.inputs import LineInput, NewClientInput, QuoteInput, SectionInput
from quotery.quotes.models import Quote
from quotery.quotes.rules import (
    FieldErrors,
    date_errors,
    deposit_errors,
    line_errors,
    quantity_range_errors,
)

LINE_FIELDS = (
    "product",
    "description",
    "quantity",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "optional",
    "included_by_default",
    "min_quantity",
    "max_quantity",
)
CHECKED = "on"
# Indexes as the page writes them: ASCII digits, few of them (a forged 5,000-digit index is
# not an index; int() would even refuse it).
SECTION_KEY = re.compile(r"^sections\.([0-9]{1,6})\.(title|choose_one)$", re.ASCII)
LINE_KEY = re.compile(r"^sections\.([0-9]{1,6})\.lines\.([0-9]{1,6})\.(\w+)$", re.ASCII)
MAX_INDEX = 1000


@dataclass
class EditorState:
    """The editor as typed: raw strings, in display order. Actions rearrange it."""

    header: dict[str, str]
    sections: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_post(cls, data: QueryDict) -> EditorState:
        header = {name: data.get(name, "") for name in QuoteHeaderForm.base_fields}
        titles: dict[int, str] = {}
        choose_one: set[int] = set()
        lines: dict[int, dict[int, dict[str, str]]] = {}
        for key in data:
            if match := SECTION_KEY.match(key):
                index = int(match.group(1))
                if index < MAX_INDEX and match.group(2) == "title":
                    titles[index] = data.get(key, "")
                elif index < MAX_INDEX and data.get(key):
                    choose_one.add(index)
            elif (match := LINE_KEY.match(key)) and match.group(3) in LINE_FIELDS:
                i, j = int(match.group(1)), int(match.group(2))
                if i < MAX_INDEX and j < MAX_INDEX:
                    lines.setdefault(i, {}).setdefault(j, {})[match.group(3)] = data.get(key, "")
        sections = [
            {
                "title": titles[i],
                "choose_one": CHECKED if i in choose_one else "",
                "lines": [lines.get(i, {})[j] for j in sorted(lines.get(i, {}))],
            }
            for i in sorted(titles)
        ]
        return cls(header=header, sections=sections)

    @classmethod
    def from_quote(cls, quote: Quote) -> EditorState:
        header = {
            "client": str(quote.client_id),
            "contact": str(quote.contact_id or ""),
            "title": quote.title,
            "currency": quote.currency,
            "issue_date": quote.issue_date.isoformat(),
            "valid_until": quote.valid_until.isoformat(),
            "notes": quote.notes,
            "internal_notes": quote.internal_notes,
            "deposit_percent": f"{quote.deposit_percent.normalize():f}",
        }
        sections = [
            {
                "title": section.title,
                "choose_one": CHECKED if section.choose_one else "",
                "lines": [
                    {
                        "product": str(line.product_id or ""),
                        "description": line.description,
                        "quantity": f"{line.quantity.normalize():f}",
                        "unit_price": f"{line.unit_price.normalize():f}",
                        "discount_percent": f"{line.discount_percent.normalize():f}",
                        "tax_rate": f"{line.tax_rate.normalize():f}",
                        "optional": CHECKED if line.optional else "",
                        "included_by_default": CHECKED if line.included_by_default else "",
                        "min_quantity": _plain(line.min_quantity),
                        "max_quantity": _plain(line.max_quantity),
                    }
                    for line in section.lines.all()
                ],
            }
            for section in quote.sections.all()
        ]
        return cls(header=header, sections=sections)

    @classmethod
    def blank(cls, company: Company) -> EditorState:
        today = timezone.localdate(timezone=company.zone)
        header = {
            "currency": company.default_currency,
            "issue_date": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=company.default_validity_days)).isoformat(),
        }
        state = cls(header=header)
        state.add_section(company)
        return state

    # Actions: each takes the indexes as the person saw them.
    def new_line(self, company: Company) -> dict[str, str]:
        return {
            "quantity": "1",
            "discount_percent": "0",
            "tax_rate": f"{company.default_tax_rate.normalize():f}",
        }

    def add_section(self, company: Company) -> None:
        number = len(self.sections) + 1
        self.sections.append({"title": f"Section {number}", "lines": [self.new_line(company)]})

    def pick_first_contact(self, choices: EditorChoices) -> None:
        """After a client is picked: keep the contact if it is theirs, else take their first."""
        client_id = posted_id(self.header.get("client", ""))
        contact_id = posted_id(self.header.get("contact", ""))
        current = choices.contacts.get(contact_id) if contact_id is not None else None
        if current is not None and current.client_id == client_id:
            return
        theirs = [pk for pk, c in choices.contacts.items() if c.client_id == client_id]
        self.header["contact"] = str(theirs[0]) if theirs else ""

    def apply(self, action: str, choices: EditorChoices) -> None:
        name, _, args = action.partition(":")
        indexes = [index for x in args.split(":") if (index := posted_id(x)) is not None]
        try:
            if name == "add_section":
                self.add_section(choices.company)
            elif name == "add_line":
                self.sections[indexes[0]]["lines"].append(self.new_line(choices.company))
            elif name == "remove_section":
                del self.sections[indexes[0]]
            elif name == "remove_line":
                del self.sections[indexes[0]]["lines"][indexes[1]]
            elif name in {"move_section_up", "move_section_down"}:
                _swap(self.sections, indexes[0], -1 if name.endswith("up") else 1)
            elif name in {"move_line_up", "move_line_down"}:
                _swap(
                    self.sections[indexes[0]]["lines"], indexes[1], -1 if name.endswith("up") else 1
                )
            elif name == "pick_client":
                self.pick_first_contact(choices)
            elif name == "fill_line":
                line = self.sections[indexes[0]]["lines"][indexes[1]]
                fill_from_product(line, choices, overwrite=True)
        except IndexError:
            pass  # the page was stale; re-render what we have


def _swap(items: list[Any], index: int, step: int) -> None:
    other = index + step
    if 0 <= index < len(items) and 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]


def fill_from_product(line: dict[str, str], choices: EditorChoices, *, overwrite: bool) -> None:
    """Copies the picked product's name, price and tax rate into the line."""
    product_id = posted_id(line.get("product", ""))
    product = choices.products.get(product_id) if product_id is not None else None
    if product is None:
        return
    values = {
        "description": product.name,
        "unit_price": f"{product.unit_price.normalize():f}",
        "tax_rate": f"{product.tax_rate.normalize():f}",
    }
    for key, value in values.items():
        if overwrite or not line.get(key, "").strip():
            line[key] = value


@dataclass
class EditorForms:
    header: QuoteHeaderForm
    sections: list[tuple[SectionForm, list[LineForm]]]

    def all_forms(self) -> list[forms.Form]:
        out: list[forms.Form] = [self.header]
        for section, lines in self.sections:
            out.append(section)
            out.extend(lines)
        return out


def build_forms(state: EditorState, choices: EditorChoices, *, bound: bool) -> EditorForms:
    """Forms for the state. Bound forms validate (on save); unbound ones just show values."""

    def make(form_class: Any, values: dict[str, str], prefix: str | None, **kw: Any) -> Any:
        if bound:
            data = {(f"{prefix}.{k}" if prefix else k): v for k, v in values.items()}
            return form_class(data=data, prefix=prefix, **kw)
        return form_class(initial=values, prefix=prefix, **kw)

    header = make(QuoteHeaderForm, state.header, None, choices=choices)
    sections = []
    for i, section in enumerate(state.sections):
        section_form = make(
            SectionForm,
            {"title": section["title"], "choose_one": section.get("choose_one", "")},
            f"sections.{i}",
        )
        line_forms = [
            make(LineForm, line, f"sections.{i}.lines.{j}", choices=choices)
            for j, line in enumerate(section["lines"])
        ]
        sections.append((section_form, line_forms))
    return EditorForms(header=header, sections=sections)


def _plain(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _decimal(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal(0)


def quote_input_from_forms(editor: EditorForms, choices: EditorChoices) -> QuoteInput | None:
    """The QuoteInput when every form parses; None when a form has errors to show."""
    valid = all([form.is_valid() for form in editor.all_forms()])
    if not valid:
        return None
    header = editor.header.cleaned_data
    new_client = None
    if header["new_client_name"].strip():
        new_client = NewClientInput(
            name=header["new_client_name"],
            contact_name=header["new_contact_name"],
            contact_email=header["new_contact_email"],
        )
    sections = [
        SectionInput(
            title=section_form.cleaned_data["title"],
            lines=[_line_input(line_form, choices) for line_form in line_forms],
            choose_one=section_form.cleaned_data["choose_one"],
        )
        for section_form, line_forms in editor.sections
    ]
    return QuoteInput(
        client=choices.clients.get(header["client"]) if header["client"] else None,
        contact=choices.contacts.get(header["contact"]) if header["contact"] else None,
        title=header["title"],
        currency=header["currency"],
        issue_date=header["issue_date"],
        valid_until=header["valid_until"],
        notes=header["notes"],
        internal_notes=header["internal_notes"],
        deposit_percent=_decimal(header["deposit_percent"]),
        sections=sections,
        new_client=new_client,
    )


def _line_input(line_form: LineForm, choices: EditorChoices) -> LineInput:
    data = line_form.cleaned_data
    return LineInput(
        product=choices.products.get(data["product"]) if data["product"] else None,
        description=data["description"],
        quantity=data["quantity"],
        unit_price=data["unit_price"],
        discount_percent=_decimal(data["discount_percent"]),
        tax_rate=_decimal(data["tax_rate"]),
        optional=data["optional"],
        included_by_default=data["included_by_default"],
        min_quantity=data["min_quantity"],
        max_quantity=data["max_quantity"],
    )


def rule_errors_of_parsed_lines(editor: EditorForms, choices: EditorChoices) -> FieldErrors:
    """When some fields do not parse, the rules still judge every line that did, so the
    person sees all the problems after one save, not one batch per try."""
    errors: FieldErrors = {}
    for _section, line_forms in editor.sections:
        for line_form in line_forms:
            if line_form.is_valid():
                prefix = line_form.prefix or ""
                line = _line_input(line_form, choices)
                errors.update(line_errors(line, choices.company, prefix))
                for key, messages in quantity_range_errors(line, prefix).items():
                    errors.setdefault(key, []).extend(messages)
    header = editor.header
    if header.is_valid():
        errors.update(
            date_errors(header.cleaned_data["issue_date"], header.cleaned_data["valid_until"])
        )
        errors.update(deposit_errors(_decimal(header.cleaned_data["deposit_percent"])))
    return errors


def attach_errors(editor: EditorForms, field_errors: dict[str, list[str]]) -> None:
    """Puts service-reported errors (keyed by path) on the form field they belong to."""
    by_name: dict[str, tuple[forms.Form, str]] = {}
    for form in editor.all_forms():
        for name in form.fields:
            by_name[form.add_prefix(name)] = (form, name)
    for path, messages in field_errors.items():
        target = by_name.get(path)
        for message in messages:
            if target:
                target[0].add_error(target[1], message)
            else:
                editor.header.add_error(None, message)
