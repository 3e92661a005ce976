"""Options the client chooses: optional lines, choose-one sections, adjustable quantities.

Everything here works on a revision's canonical content (what the client was shown), never
on the live quote, so the totals of a configuration are those of the revision accepted.

A line is named by its place in the content, "<section>.<line>" counted from 0 ("1.0" is
the first line of the second section). A configuration says, completely:

    {"included": {"0.2": true},        every optional line: in or out
     "chosen": {"1": "1.1"},            every choose-one section: the line chosen
     "quantities": {"0.0": "12"}}       every adjustable line: its quantity

Its canonical JSON and SHA-256 are what an acceptance binds to. The money rules are those of
quotery.quotes.totals, applied to the lines the configuration counts; static/js/
quote-options.js computes the same figures in the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from quotery.core.canonical import canonical_hash, canonical_json
from quotery.core.exceptions import ValidationFailed
from quotery.core.money import decimal_places, deposit_amount, format_money, money_str
from quotery.quotes.totals import QuoteTotals, line_amounts, quote_totals

ZERO = Decimal(0)
CONFIGURATION_KEYS = ("included", "chosen", "quantities")
# Longer than any quantity the rules allow (11 digits, a point, 3 decimals).
QUANTITY_TEXT_MAX = 20


def totals_content(totals: QuoteTotals, currency: str) -> dict[str, Any]:
    """`totals` as a revision's content holds them: money as strings in `currency`, taxes
    per rate. The quote's stored content and a configured copy of it share this shape."""
    return {
        "subtotal": money_str(totals.subtotal, currency),
        "discount": money_str(totals.discount_total, currency),
        "taxes": [
            {"rate": f"{tax.rate.normalize():f}", "amount": money_str(tax.amount, currency)}
            for tax in totals.taxes
        ],
        "tax": money_str(totals.tax_total, currency),
        "total": money_str(totals.total, currency),
    }


def line_key(section_index: int, line_index: int) -> str:
    return f"{section_index}.{line_index}"


def quantity_str(value: Decimal) -> str:
    return f"{value.normalize():f}"


def has_options(content: Mapping[str, Any]) -> bool:
    """Whether the client can shape this revision at all."""
    return any(
        section.get("choose_one")
        or any(line.get("optional") or "min_quantity" in line for line in section["lines"])
        for section in content["sections"]
    )


@dataclass(frozen=True)
class Configuration:
    included: dict[str, bool]
    chosen: dict[str, str]
    quantities: dict[str, Decimal]

    def as_data(self) -> dict[str, Any]:
        """The canonical form: every key present, quantities as normalised strings."""
        return {
            "included": dict(sorted(self.included.items())),
            "chosen": dict(sorted(self.chosen.items())),
            "quantities": {k: quantity_str(v) for k, v in sorted(self.quantities.items())},
        }

    def canonical_json(self) -> bytes:
        return canonical_json(self.as_data())

    def hash(self) -> str:
        return canonical_hash(self.as_data())


def default_configuration(content: Mapping[str, Any]) -> Configuration:
    """What the rep set up: the configuration a client starts from, and the one a quote's
    stored total is computed for."""
    included: dict[str, bool] = {}
    chosen: dict[str, str] = {}
    quantities: dict[str, Decimal] = {}
    for i, section in enumerate(content["sections"]):
        for j, line in enumerate(section["lines"]):
            key = line_key(i, j)
            if line.get("optional"):
                included[key] = bool(line.get("included"))
            if section.get("choose_one") and line.get("included"):
                chosen[str(i)] = key
            if "min_quantity" in line:
                quantities[key] = Decimal(line["quantity"])
    return Configuration(included=included, chosen=chosen, quantities=quantities)


def saved_configuration(
    content: Mapping[str, Any], content_hash: str, *, choices: str, choices_content_hash: str
) -> Configuration:
    """A recipient's stored choices on this revision; the defaults when they chose nothing
    yet, chose on another revision (its lines may differ), or what is stored no longer
    reads."""
    if not choices or choices_content_hash != content_hash:
        return default_configuration(content)
    try:
        return configuration_from_data(content, json.loads(choices))
    except (ValueError, ValidationFailed):
        return default_configuration(content)


def option_changes(
    content: Mapping[str, Any], before: Configuration, after: Configuration
) -> list[dict[str, str]]:
    """What the client changed, one entry per change, in the page's order, as the
    `option_changed` event records it: {"change": "added"|"removed"|"chose"|"quantity",
    "line", "section", and "replaced" for a choice, "from"/"to" for a quantity}."""
    changes: list[dict[str, str]] = []
    for i, section in enumerate(content["sections"]):
        title = str(section["title"])
        new_choice = after.chosen.get(str(i))
        old_choice = before.chosen.get(str(i))
        if new_choice is not None and new_choice != old_choice:
            change = {"change": "chose", "line": _describe(content, new_choice), "section": title}
            if old_choice is not None:
                change["replaced"] = _describe(content, old_choice)
            changes.append(change)
        for j, _line in enumerate(section["lines"]):
            key = line_key(i, j)
            name = _describe(content, key)
            if key in after.included and after.included[key] != before.included.get(key):
                verb = "added" if after.included[key] else "removed"
                changes.append({"change": verb, "line": name, "section": title})
            old, new = before.quantities.get(key), after.quantities.get(key)
            if new is not None and old is not None and new != old:
                changes.append(
                    {
                        "change": "quantity",
                        "line": name,
                        "section": title,
                        "from": quantity_str(old),
                        "to": quantity_str(new),
                    }
                )
    return changes


def _describe(content: Mapping[str, Any], key: str) -> str:
    i, j = (int(part) for part in key.split("."))
    return str(content["sections"][i]["lines"][j]["description"])


def _lines_by_key(content: Mapping[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    return {
        line_key(i, j): (i, line)
        for i, section in enumerate(content["sections"])
        for j, line in enumerate(section["lines"])
    }


def configuration_from_data(content: Mapping[str, Any], data: Any) -> Configuration:
    """The client's configuration, checked against the revision they were shown. What it
    leaves out keeps the rep's default. Raises ValidationFailed, naming each problem in
    words the client understands, for anything the quote does not offer; its field_errors
    put each problem beside the control of the client page it is about ("include.<line>",
    "choose.<section>", "quantity.<line>"), or under "configuration" when no control is."""
    problems: dict[str, list[str]] = {}

    def refuse(field: str, text: str) -> None:
        listed = problems.setdefault(field, [])
        if text not in listed:
            listed.append(text)

    config = default_configuration(content)
    included, chosen, quantities = (
        dict(config.included),
        dict(config.chosen),
        dict(config.quantities),
    )
    if not isinstance(data, Mapping):
        raise ValidationFailed(
            _(
                "Your choices were not changed: they could not be read. Reload the page and "
                "try again."
            )
        )
    unreadable = _("Your choices could not be read. Reload the page and try again.")
    if any(key not in CONFIGURATION_KEYS for key in data):
        refuse(FORM_FIELD, unreadable)
    lines = _lines_by_key(content)
    stale = _("This quote has no such line any more. Reload the page to see the current version.")

    for key, value in _mapping(data.get("included"), refuse).items():
        if key not in lines:
            refuse(FORM_FIELD, stale)
        elif not lines[key][1].get("optional"):
            refuse(
                FORM_FIELD,
                _("“%(line)s” is part of the quote and cannot be removed.")
                % {"line": _describe(content, key)}
                if value is False
                else _("“%(line)s” is not optional.") % {"line": _describe(content, key)},
            )
        elif not isinstance(value, bool):
            refuse(
                f"include.{key}",
                _("Tick or untick “%(line)s”.") % {"line": _describe(content, key)},
            )
        else:
            included[key] = value

    for section_key, value in _mapping(data.get("chosen"), refuse).items():
        section = _section(content, section_key)
        field = f"choose.{section_key}"
        if section is None or not section.get("choose_one"):
            refuse(FORM_FIELD, stale)
        elif isinstance(value, list | tuple):
            refuse(field, _("Choose one line only in “%(title)s”.") % section)
        elif not isinstance(value, str) or lines.get(value, (None,))[0] != int(section_key):
            refuse(field, _("Choose one of the lines in “%(title)s”.") % section)
        else:
            chosen[section_key] = value

    for key, raw in _mapping(data.get("quantities"), refuse).items():
        if key not in lines:
            refuse(FORM_FIELD, stale)
            continue
        line = lines[key][1]
        name = line["description"]
        if "min_quantity" not in line:
            refuse(FORM_FIELD, _("The quantity of “%(name)s” is fixed.") % {"name": name})
            continue
        field = f"quantity.{key}"
        low, high = Decimal(line["min_quantity"]), Decimal(line["max_quantity"])
        quantity = _quantity(raw)
        if quantity is None:
            refuse(
                field,
                _("Enter a number for the quantity of “%(name)s”, like %(example)s.")
                % {"name": name, "example": line["quantity"]},
            )
        elif not low <= quantity <= high:
            refuse(
                field,
                _("The quantity of “%(name)s” must be between %(low)s and %(high)s.")
                % {"name": name, "low": quantity_str(low), "high": quantity_str(high)},
            )
        elif decimal_places(quantity) > 3:
            refuse(
                field,
                _("Use at most 3 decimal places for the quantity of “%(name)s”.") % {"name": name},
            )
        else:
            quantities[key] = quantity

    if problems:
        every = dict.fromkeys(text for texts in problems.values() for text in texts)
        raise ValidationFailed(
            _("Your choices were not changed: %(problems)s") % {"problems": " ".join(every)},
            field_errors=problems,
        )
    return Configuration(included=included, chosen=chosen, quantities=quantities)


# Where a problem with no control of its own is reported (an unknown line, a forged form).
FORM_FIELD = "configuration"


def _mapping(value: Any, refuse: Callable[[str, str], None]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        refuse(FORM_FIELD, _("Your choices could not be read. Reload the page and try again."))
        return {}
    return dict(value)


def _section(content: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    if not key.isascii() or not key.isdigit() or len(key) > 6:
        return None
    index = int(key)
    sections = content["sections"]
    return sections[index] if index < len(sections) else None


def _quantity(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    text = str(raw).strip()
    if not text or len(text) > QUANTITY_TEXT_MAX:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# ---------------------------------------------------------------------------------------
# Money of a configuration


@dataclass(frozen=True)
class CountedLine:
    key: str
    section: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net: Decimal = ZERO


@dataclass(frozen=True)
class ConfiguredTotals:
    """What a configuration comes to: the lines counted (with their quantities and nets),
    the lines left out, each section's subtotal, and the quote's totals."""

    counted: list[CountedLine]
    not_taken: list[CountedLine]
    section_subtotals: list[Decimal]
    totals: QuoteTotals


def counts_by_default(*, optional: bool, included_by_default: bool, choose_one: bool) -> bool:
    """Whether a line is in the rep's default configuration (and so in the stored total)."""
    return included_by_default if (optional or choose_one) else True


def line_counts(
    section: Mapping[str, Any], line: Mapping[str, Any], key: str, config: Configuration
) -> bool:
    if section.get("choose_one"):
        return config.chosen.get(key.split(".")[0]) == key
    if line.get("optional"):
        return config.included.get(key, False)
    return True


def configured_totals(content: Mapping[str, Any], config: Configuration) -> ConfiguredTotals:
    """The money rules (quotery.quotes.totals) over the lines `config` counts, at its
    quantities. Pure: the server, the PDF and the acceptance record all call this."""
    currency = content["currency"]
    counted: list[CountedLine] = []
    not_taken: list[CountedLine] = []
    subtotals: list[Decimal] = []
    for i, section in enumerate(content["sections"]):
        subtotal = ZERO
        for j, line in enumerate(section["lines"]):
            key = line_key(i, j)
            priced = CountedLine(
                key=key,
                section=i,
                description=line["description"],
                quantity=config.quantities.get(key, Decimal(line["quantity"])),
                unit_price=Decimal(line["unit_price"]),
                discount_percent=Decimal(line["discount_percent"]),
                tax_rate=Decimal(line["tax_rate"]),
            )
            net = line_amounts(priced, currency).net
            priced = CountedLine(**{**priced.__dict__, "net": net})
            if line_counts(section, line, key, config):
                counted.append(priced)
                subtotal += net
            else:
                not_taken.append(priced)
        subtotals.append(subtotal)
    return ConfiguredTotals(
        counted=counted,
        not_taken=not_taken,
        section_subtotals=subtotals,
        totals=quote_totals(counted, currency),
    )


def configured_content(content: Mapping[str, Any], config: Configuration) -> dict[str, Any]:
    """The revision's content as `config` shapes it, for documents: only the lines counted,
    at their chosen quantities, with their section subtotals, the totals (and deposit) of
    the configuration, and the lines not taken listed apart ("options_not_taken": each
    line's description and section title). The option keys are gone: this is what the
    client took, not what they could choose."""
    currency = content["currency"]
    priced = configured_totals(content, config)
    counted = {item.key: item for item in priced.counted}
    sections = []
    for i, section in enumerate(content["sections"]):
        lines = []
        for j, line in enumerate(section["lines"]):
            item = counted.get(line_key(i, j))
            if item is None:
                continue
            plain = {key: value for key, value in line.items() if key not in OPTION_LINE_KEYS}
            plain.update(quantity=quantity_str(item.quantity), net=money_str(item.net, currency))
            lines.append(plain)
        sections.append({"title": section["title"], "lines": lines})
    totals = priced.totals
    shaped: dict[str, Any] = {
        **{key: value for key, value in content.items() if key not in {"sections", "totals"}},
        "sections": sections,
        "totals": totals_content(totals, currency),
        "options_not_taken": [
            {
                "description": item.description,
                "section": content["sections"][item.section]["title"],
            }
            for item in priced.not_taken
        ],
    }
    deposit = content.get("deposit")
    if isinstance(deposit, Mapping):
        percent = Decimal(deposit["percent"])
        shaped["deposit"] = {
            "percent": deposit["percent"],
            "amount": money_str(deposit_amount(totals.total, percent, currency), currency),
        }
    return shaped


OPTION_LINE_KEYS = frozenset({"optional", "included", "min_quantity", "max_quantity"})


def choices_summary(content: Mapping[str, Any], config: Configuration) -> str:
    """The client's choices in words, for the rep: the optional lines taken or left, the
    line chosen in each choose-one section, the quantities, and what they come to."""
    parts: list[str] = []
    for i, section in enumerate(content["sections"]):
        chosen = config.chosen.get(str(i))
        if chosen is not None:
            parts.append(f"{_describe(content, chosen)} chosen in {section['title']}")
        for j, line in enumerate(section["lines"]):
            key = line_key(i, j)
            if key in config.included:
                taken = "added" if config.included[key] else "left out"
                parts.append(f"{line['description']} {taken}")
            if key in config.quantities:
                parts.append(f"{line['description']} × {quantity_str(config.quantities[key])}")
    total = configured_totals(content, config).totals.total
    return (
        f"Their choices: {'; '.join(parts)}. Total with these choices: "
        f"{format_money(total, content['currency'])}."
    )
