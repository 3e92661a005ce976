"""The editor's live totals: what the lines typed so far come to, before anything is saved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from quotery.core.money import CURRENCY_MINOR_UNITS, deposit_amount
from quotery.quotes.editor import EditorState
from quotery.quotes.inputs import LineInput
from quotery.quotes.options import counts_by_default
from quotery.quotes.rules import deposit_errors, line_amount_errors
from quotery.quotes.totals import QuoteTotals, line_amounts, quote_totals


@dataclass
class EditorLineTotal:
    key: str
    net: Decimal | None


@dataclass
class EditorTotals:
    currency: str
    lines: list[EditorLineTotal]
    totals: QuoteTotals | None
    deposit_percent: Decimal | None = None  # only a deposit the rules accept, above 0
    deposit: Decimal | None = None


def _parse(raw: str | None, default: Decimal | None = None) -> Decimal | None:
    if raw is None or not raw.strip():
        return default
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def editor_totals(state: EditorState) -> EditorTotals:
    """Live totals of what is typed so far: a line counts as nothing until its numbers parse
    and pass the rules on them (`line_amount_errors`), so no typed number, however large or
    long, reaches the rounding."""
    currency = state.header.get("currency", "")
    if currency not in CURRENCY_MINOR_UNITS:
        unknown = [
            EditorLineTotal(key=f"{i}-{j}", net=None)
            for i, section in enumerate(state.sections)
            for j, _ in enumerate(section["lines"])
        ]
        return EditorTotals(currency=currency, lines=unknown, totals=None)
    priced: list[LineInput] = []
    line_totals: list[EditorLineTotal] = []
    for i, section in enumerate(state.sections):
        for j, raw in enumerate(section["lines"]):
            quantity = _parse(raw.get("quantity"))
            unit_price = _parse(raw.get("unit_price"))
            discount = _parse(raw.get("discount_percent"), Decimal(0))
            tax = _parse(raw.get("tax_rate"), Decimal(0))
            net = None
            if (
                quantity is not None
                and unit_price is not None
                and discount is not None
                and tax is not None
            ):
                line = LineInput(
                    description="",
                    quantity=quantity,
                    unit_price=unit_price,
                    discount_percent=discount,
                    tax_rate=tax,
                )
                if not line_amount_errors(line, ""):
                    net = line_amounts(line, currency).net
                    # Like the stored total: the rep's default choices count.
                    if counts_by_default(
                        optional=bool(raw.get("optional")),
                        included_by_default=bool(raw.get("included_by_default")),
                        choose_one=bool(section.get("choose_one")),
                    ):
                        priced.append(line)
            line_totals.append(EditorLineTotal(key=f"{i}-{j}", net=net))
    totals = quote_totals(priced, currency)
    live = EditorTotals(currency=currency, lines=line_totals, totals=totals)
    percent = _parse(state.header.get("deposit_percent"), Decimal(0))
    if percent is not None and percent and not deposit_errors(percent):
        live.deposit_percent = percent
        live.deposit = deposit_amount(totals.total, percent, currency)
    return live
