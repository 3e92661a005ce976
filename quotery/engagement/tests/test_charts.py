"""The Engagement page's bar chart, drawn on the server: its geometry, its sentence for
screen readers, and escaping."""

from __future__ import annotations

import datetime as dt

from quotery.engagement.charts import Bar, daily_bar_chart

MARCH_1 = dt.date(2026, 3, 1)


def bars(*values: int) -> list[Bar]:
    return [Bar(MARCH_1 + dt.timedelta(days=i), value) for i, value in enumerate(values)]


def test_three_days_of_views_draw_their_bars_grid_and_dates() -> None:
    svg = str(daily_bar_chart(bars(2, 0, 5), title="Views per day", chart_id="v"))

    # the plot is 676 wide: three slots of 225.33, 2 apart; 186 high, its top value 5
    assert '<rect x="41.00" y="121.60" width="223.33" height="74.40"><title>1 Mar 2026: 2' in svg
    assert '<rect x="266.33" y="196.00" width="223.33" height="0.00"><title>2 Mar 2026: 0' in svg
    assert '<rect x="491.67" y="10.00" width="223.33" height="186.00"><title>3 Mar 2026: 5' in svg
    # grid lines at 0, half and the top, numbered
    assert '<line x1="40" x2="716" y1="196.00" y2="196.00" class="chart-grid"/>' in svg
    assert '<text x="34" y="107.00" text-anchor="end" class="chart-label">2</text>' in svg
    assert '<text x="34" y="14.00" text-anchor="end" class="chart-label">5</text>' in svg
    # the dates under the bars, the outer ones anchored inside the box
    assert '<text x="152.67" y="214" text-anchor="start" class="chart-label">1 Mar</text>' in svg
    assert '<text x="378.00" y="214" text-anchor="middle" class="chart-label">2 Mar</text>' in svg
    assert '<text x="603.33" y="214" text-anchor="end" class="chart-label">3 Mar</text>' in svg
    # and one sentence sums it up for whoever cannot see the bars
    assert (
        '<desc id="v-desc">7 views over 3 days, from 1 Mar 2026 to 3 Mar 2026; the busiest '
        "day was 3 Mar 2026 with 5.</desc>"
    ) in svg
    assert 'role="img" aria-labelledby="v-title" aria-describedby="v-desc"' in svg


def test_days_without_views_say_so_and_an_empty_range_draws_an_empty_chart() -> None:
    quiet = str(daily_bar_chart(bars(0, 0), title="Views per day", chart_id="v"))
    assert '<desc id="v-desc">No views from 1 Mar 2026 to 2 Mar 2026.</desc>' in quiet
    assert '<text x="34" y="14.00" text-anchor="end" class="chart-label">1</text>' in quiet

    empty = str(daily_bar_chart([], title="Views per day", chart_id="v"))
    assert '<desc id="v-desc"></desc>' in empty and "<rect" not in empty


def test_the_title_is_escaped() -> None:
    svg = str(daily_bar_chart(bars(1), title="<b>Views</b>", chart_id="v"))
    assert '<title id="v-title">&lt;b&gt;Views&lt;/b&gt;</title>' in svg
