"""Quote totals under DESIGN.md's money rules.

- line net = quantity × unit price × (1 − discount %), rounded half-up to the minor unit;
- line discount = rounded gross − rounded net, so gross − discount = net exactly;
- subtotal = sum of rounded line nets;
- tax = per rate, rate × (sum of the nets at that rate), rounded once per rate;
- total = subtotal + sum of the per-rate taxes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Protocol

from quotery.core.money import HUNDRED, round_money

ZERO = Decimal(0)
# Quantity × price × (100 − discount) has up to 14 + 14 + 6 digits: more than the default
# 28-digit context keeps, and an early rounding there could tip a later half-up the wrong way.
EXACT_DIGITS = 60


class PricedLine(Protocol):
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def discount_percent(self) -> Decimal: ...
    @property
    def tax_rate(self) -> Decimal: ...


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    discount: Decimal
    net: Decimal


@dataclass(frozen=True)
class TaxAmount:
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class QuoteTotals:
    lines: list[LineAmounts]
    subtotal: Decimal
    discount_total: Decimal
    taxes: list[TaxAmount]
    tax_total: Decimal
    total: Decimal

    @property
    def gross_total(self) -> Decimal:
        return self.subtotal + self.discount_total


def line_amounts(line: PricedLine, currency: str) -> LineAmounts:
    with localcontext(prec=EXACT_DIGITS):
        gross_exact = line.quantity * line.unit_price
        net_exact = gross_exact * (HUNDRED - line.discount_percent) / HUNDRED
        gross = round_money(gross_exact, currency)
        net = round_money(net_exact, currency)
        return LineAmounts(gross=gross, discount=gross - net, net=net)


def quote_totals(lines: Iterable[PricedLine], currency: str) -> QuoteTotals:
    with localcontext(prec=EXACT_DIGITS):
        return _quote_totals(lines, currency)


def _quote_totals(lines: Iterable[PricedLine], currency: str) -> QuoteTotals:
    amounts: list[LineAmounts] = []
    base_by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        amount = line_amounts(line, currency)
        amounts.append(amount)
        rate = line.tax_rate.normalize() if line.tax_rate else ZERO
        base_by_rate[rate] = base_by_rate.get(rate, ZERO) + amount.net
    taxes = [
        TaxAmount(rate=rate, base=base, amount=round_money(base * rate / HUNDRED, currency))
        for rate, base in sorted(base_by_rate.items())
    ]
    subtotal = sum((a.net for a in amounts), ZERO)
    discount_total = sum((a.discount for a in amounts), ZERO)
    tax_total = sum((t.amount for t in taxes), ZERO)
    return QuoteTotals(
        lines=amounts,
        subtotal=subtotal,
        discount_total=discount_total,
        taxes=taxes,
        tax_total=tax_total,
        total=subtotal + tax_total,
    )
