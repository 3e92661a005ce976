"""Charts drawn on the server as SVG: no third-party script, readable by screen readers.

The SVG carries role="img" with a <title> and <desc> (the desc sums the numbers up); the
page puts the exact numbers beside it in a table for anyone who cannot see the bars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 220
LEFT = 40  # room for the y-axis numbers
BOTTOM = 24  # room for the date labels
TOP = 10


@dataclass(frozen=True)
class Bar:
    day: dt.date
    value: int


def _nice_maximum(value: int) -> int:
    """The top of the y axis: the value rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


@dataclass(frozen=True)
class _Plot:
    """Where the bars go: the y axis's top value and each day's slot across the plot."""

    top: int
    slot: float
    gap: float
    height: float = HEIGHT - TOP - BOTTOM

    def y(self, fraction: float) -> float:
        """The y coordinate of `fraction` of the axis's top value."""
        return TOP + self.height - fraction * self.height


def daily_bar_chart(bars: Sequence[Bar], *, title: str, chart_id: str) -> SafeString:
    """A bar per day. `chart_id` makes the title and desc ids unique on the page."""
    busiest = max(bars, key=lambda bar: bar.value, default=None)
    slot = (WIDTH - LEFT - 4) / max(len(bars), 1)
    plot = _Plot(_nice_maximum(busiest.value if busiest else 0), slot, min(2.0, slot * 0.2))
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title" aria-describedby="{}-desc" width="100%" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<g aria-hidden="true">{}<g class="chart-bars">{}</g>{}</g></svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        _summary(bars, busiest),
        _grid(plot),
        _rects(bars, plot),
        _date_labels(bars, plot),
    )


def _summary(bars: Sequence[Bar], busiest: Bar | None) -> str:
    """The chart's <desc>: the numbers in one sentence."""
    if busiest is None or busiest.value == 0:
        return f"No views from {_day(bars[0].day)} to {_day(bars[-1].day)}." if bars else ""
    return (
        f"{sum(bar.value for bar in bars)} views over {len(bars)} days, from "
        f"{_day(bars[0].day)} to {_day(bars[-1].day)}; the busiest day was "
        f"{_day(busiest.day)} with {busiest.value}."
    )


def _rects(bars: Sequence[Bar], plot: _Plot) -> SafeString:
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        (
            (
                f"{LEFT + i * plot.slot + plot.gap / 2:.2f}",
                f"{plot.y(bar.value / plot.top):.2f}",
                f"{max(plot.slot - plot.gap, 0.5):.2f}",
                f"{bar.value / plot.top * plot.height:.2f}",
                _day(bar.day),
                bar.value,
            )
            for i, bar in enumerate(bars)
        ),
    )


def _grid(plot: _Plot) -> SafeString:
    """Lines and numbers at 0, half and the top of the y axis."""
    return format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"/>'
        '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>',
        (
            (
                LEFT,
                WIDTH - 4,
                f"{plot.y(fraction):.2f}",
                f"{plot.y(fraction):.2f}",
                LEFT - 6,
                f"{plot.y(fraction) + 4:.2f}",
                round(plot.top * fraction),
            )
            for fraction in (0, 0.5, 1)
        ),
    )


def _date_labels(bars: Sequence[Bar], plot: _Plot) -> SafeString:
    # The first and last labels are anchored at their outer edge so they stay inside the box.
    return format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="{}" class="chart-label">{}</text>',
        (
            (
                f"{LEFT + (i + 0.5) * plot.slot:.2f}",
                HEIGHT - 6,
                _label_anchor(i, len(bars)),
                bars[i].day.strftime("%-d %b"),
            )
            for i in _date_ticks(bars)
        ),
    )


def _day(day: dt.date) -> str:
    return day.strftime("%-d %b %Y")


def _label_anchor(index: int, count: int) -> str:
    if count > 1 and index == 0:
        return "start"
    if count > 1 and index == count - 1:
        return "end"
    return "middle"


def _date_ticks(bars: Sequence[Bar]) -> list[int]:
    """Indexes of the bars that get a date label: at most six, evenly spread."""
    if not bars:
        return []
    count = min(6, len(bars))
    if count == 1:
        return [0]
    return sorted({round(i * (len(bars) - 1) / (count - 1)) for i in range(count)})


def chart_styles() -> SafeString:
    """The chart's colours, for the page's <style> block (CSP allows inline styles)."""
    return mark_safe(  # a constant
        ".chart{display:block;max-width:100%;height:auto;aspect-ratio:720/220}"
        ".chart-bars rect{fill:var(--brand,#1f6feb)}"
        ".chart-grid{stroke:#d0d5dd;stroke-width:1}"
        ".chart-label{font-size:11px;fill:#475467}"
    )
