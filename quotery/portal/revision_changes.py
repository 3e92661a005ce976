"""What changed between two revisions of a quote, in the client's terms: lines added,
removed and changed, and the old and new totals.

Lines are matched by SKU and description within the whole quote (a line moved to another
section is the same line); two lines with the same SKU and description pair up in order.
Everything here reads canonical revision content (all strings), so the result is the same
whichever process computes it, and it is hashable: the client page can key its cache on it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from quotery.core.languages import long_date
from quotery.core.money import UnknownCurrency, format_money
from quotery.quotes.models import QuoteRevision

# The line fields a client can see change, with their names in plain words.
COMPARED_FIELDS = (
    ("quantity", gettext_lazy("quantity")),
    ("unit_price", gettext_lazy("unit price")),
    ("discount_percent", gettext_lazy("discount")),
    ("tax_rate", gettext_lazy("tax")),
)


# "1 line added", "2 lines removed"; then "2 removed" (the noun once).
FIRST_COUNTS: dict[str, Callable[[int], str]] = {
    "added": lambda n: ngettext("%(count)s line added", "%(count)s lines added", n),
    "removed": lambda n: ngettext("%(count)s line removed", "%(count)s lines removed", n),
    "changed": lambda n: ngettext("%(count)s line changed", "%(count)s lines changed", n),
}
LATER_COUNTS = {
    "added": gettext_lazy("%(count)s added"),
    "removed": gettext_lazy("%(count)s removed"),
    "changed": gettext_lazy("%(count)s changed"),
}


@dataclass(frozen=True)
class LineSummary:
    description: str
    sku: str
    quantity: str
    unit_price: str  # formatted money


@dataclass(frozen=True)
class FieldChange:
    name: str  # "quantity", "unit price", "discount", "tax"
    old: str
    new: str


@dataclass(frozen=True)
class LineChange:
    description: str
    sku: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class RevisionChanges:
    from_revision: int
    to_revision: int
    added: tuple[LineSummary, ...]
    removed: tuple[LineSummary, ...]
    changed: tuple[LineChange, ...]
    old_total: str  # formatted money
    new_total: str
    other: tuple[str, ...] = ()  # title, validity, notes: "the valid-until date", ...

    @property
    def total_changed(self) -> bool:
        return self.old_total != self.new_total

    @property
    def has_line_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @property
    def counts(self) -> str:
        """'1 line added, 2 removed, 1 changed' (the noun once, on the first part), in the
        active language."""
        parts: list[str] = []
        for count, kind in (
            (len(self.added), "added"),
            (len(self.removed), "removed"),
            (len(self.changed), "changed"),
        ):
            if not count:
                continue
            if parts:
                parts.append(str(LATER_COUNTS[kind]) % {"count": count})
            else:
                parts.append(FIRST_COUNTS[kind](count) % {"count": count})
        return ", ".join(parts)


def _money(amount: str, currency: str) -> str:
    try:
        return format_money(Decimal(amount), currency)
    except (UnknownCurrency, InvalidOperation):
        return f"{amount} {currency}"


def _percent(value: str) -> str:
    return f"{value} %"


def _lines(content: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in content.get("sections", []):
        yield from section.get("lines", [])


def _same_number(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b


def _summary(line: dict[str, Any], currency: str) -> LineSummary:
    return LineSummary(
        description=line["description"],
        sku=line.get("sku", ""),
        quantity=line["quantity"],
        unit_price=_money(line["unit_price"], currency),
    )


def _shown(field: str, value: str, currency: str) -> str:
    if field == "unit_price":
        return _money(value, currency)
    if field in {"discount_percent", "tax_rate"}:
        return _percent(value)
    return value


def _other_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    other = []
    if old.get("title") != new.get("title"):
        other.append(_("the title is now “%(title)s”") % {"title": new.get("title", "")})
    if old.get("valid_until") != new.get("valid_until"):
        try:
            day = dt.date.fromisoformat(str(new.get("valid_until")))
            other.append(_("valid until %(day)s") % {"day": long_date(day)})
        except ValueError:
            other.append(_("the valid-until date changed"))
    if old.get("notes") != new.get("notes"):
        other.append(_("the notes changed"))
    return tuple(other)


def changes_between(
    old_content: dict[str, Any],
    new_content: dict[str, Any],
    *,
    from_revision: int = 0,
    to_revision: int = 0,
) -> RevisionChanges:
    """The differences from `old_content` to `new_content` (canonical revision content)."""
    old_currency = str(old_content.get("currency", ""))
    new_currency = str(new_content.get("currency", ""))
    unmatched: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in _lines(old_content):
        unmatched.setdefault((line.get("sku", ""), line["description"]), []).append(line)

    added: list[LineSummary] = []
    changed: list[LineChange] = []
    for line in _lines(new_content):
        candidates = unmatched.get((line.get("sku", ""), line["description"]))
        if not candidates:
            added.append(_summary(line, new_currency))
            continue
        before = candidates.pop(0)
        fields = tuple(
            FieldChange(
                name=str(label),
                old=_shown(field, before[field], old_currency),
                new=_shown(field, line[field], new_currency),
            )
            for field, label in COMPARED_FIELDS
            if not _same_number(before[field], line[field])
        )
        if fields:
            changed.append(
                LineChange(description=line["description"], sku=line.get("sku", ""), fields=fields)
            )
    removed = [
        _summary(line, old_currency)
        for line in _lines(old_content)
        if any(
            line is left for left in unmatched.get((line.get("sku", ""), line["description"]), [])
        )
    ]
    return RevisionChanges(
        from_revision=from_revision,
        to_revision=to_revision,
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        old_total=_money(old_content["totals"]["total"], old_currency),
        new_total=_money(new_content["totals"]["total"], new_currency),
        other=_other_changes(old_content, new_content),
    )


def changes_since(
    *, quote_id: int, from_revision: int, to_revision: int, to_content: dict[str, Any]
) -> RevisionChanges | None:
    """What changed since the revision a recipient last viewed (`from_revision`, 0 when
    they never viewed one) up to `to_revision`, whose content the caller already holds.
    None when there is nothing to compare: never viewed, already on the latest, or the old
    revision is missing. One query, and only when the revisions differ."""
    if from_revision <= 0 or from_revision >= to_revision:
        return None
    stored = (
        QuoteRevision.objects.filter(quote_id=quote_id, number=from_revision)
        .values_list("content", flat=True)
        .first()
    )
    if stored is None:
        return None
    return changes_between(
        json.loads(stored), to_content, from_revision=from_revision, to_revision=to_revision
    )
