"""The Engagement page's per-quote figures: one row per quote read from its rollup row
(`QuoteRollup`), plus, for the kinds of a quote with events on both sides of an end of the
range, its hourly rollups of the range and the events of part-hours at the range's ends in
zones whose days do not start on a whole UTC hour; reduced, in the same statement, to the
per-rep counts, the first LIST_LIMIT hot and unseen quotes with their totals, the middle
row(s) of the sorted delays to first view, and the decisions (won, lost, their delays and
the won value)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from quotery.accounts.models import Membership
from quotery.engagement.models import (
    QUOTE_ROLLUP_KINDS,
    EventKind,
    EventRollup,
    QuoteEvent,
    QuoteRollup,
)
from quotery.engagement.selectors.company.money import money_thousandths_sql
from quotery.engagement.selectors.company.scope import DateRange, Reader, hour_split, reader
from quotery.engagement.selectors.quote import (
    STRONG_SIGNAL_MIN_DOWNLOADS,
    STRONG_SIGNAL_MIN_VIEWS,
    UNSEEN_AFTER,
)
from quotery.quotes.models import Quote
from quotery.quotes.states import OPEN_STATES

LIST_LIMIT = 10
# PostgreSQL's memory for the figures statement's sorts and per-quote rows (its transaction
# only): about 100 bytes a quote, so 32 MB holds some 300,000 quotes active in a range.
WORK_MEM = "32MB"


@dataclass
class QuoteFigures:
    # owner id -> [quotes shared, quotes viewed, downloads, acceptances]
    reps: dict[int, list[int]] = field(default_factory=dict)
    # (quote id, views, downloads), at most LIST_LIMIT of each
    hot: list[tuple[int, int, int]] = field(default_factory=list)
    hot_total: int = 0
    unseen: list[tuple[int, int, int]] = field(default_factory=list)
    unseen_total: int = 0
    median: dt.timedelta | None = None
    # quotes accepted / declined within the range (their first answer in it)
    won: int = 0
    lost: int = 0
    # microseconds from first share to answer, summed over the won and lost quotes
    decision_delay_total: int = 0
    # the won quotes' totals in the company's currency, in thousandths (the money columns'
    # decimal places); won quotes in another currency are counted apart, never converted
    won_value_thousandths: int = 0
    won_other_currency: int = 0


# One row per quote with a share, view, download or answer in the range (the CTE
# `per_quote`, after `straddling`: `_per_quote_ctes`), joined to its quote once (`facts`), then
# reduced to a few rows: one per owner carrying every count and sum (Python adds them up),
# the listed quotes, the median's middle delays. The parts share one column layout:
# (part, id, a, b, c, d, e, f, g, h, i, j, k).
_FIGURES_SQL = """
WITH {ctes},
facts AS MATERIALIZED (
    SELECT p.quote_id, p.views, p.downloads, p.accepted, p.first_view, p.decided_at,
           q.owner_id, q.first_shared_at, q.currency, q.total,
           CASE WHEN q.first_shared_at >= %(start)s AND q.first_shared_at < %(end)s
                THEN 1 ELSE 0 END AS cohort,
           CASE WHEN q.state IN ({open_states}) THEN 1 ELSE 0 END AS is_open
    FROM per_quote p INNER JOIN {quote_table} q ON q.id = p.quote_id
)
SELECT 'rep' AS part, owner_id AS id,
       SUM(cohort) AS a,
       SUM(CASE WHEN cohort = 1 AND first_view IS NOT NULL THEN 1 ELSE 0 END) AS b,
       SUM(downloads) AS c,
       SUM(accepted) AS d,
       SUM(CASE WHEN {hot} THEN 1 ELSE 0 END) AS e,
       SUM(CASE WHEN {unseen} THEN 1 ELSE 0 END) AS f,
       SUM(CASE WHEN {decided} AND accepted > 0 THEN 1 ELSE 0 END) AS g,
       SUM(CASE WHEN {decided} AND accepted = 0 THEN 1 ELSE 0 END) AS h,
       SUM(CASE WHEN {decided} AND accepted > 0 AND currency <> %(currency)s
           THEN 1 ELSE 0 END) AS i,
       {decision_delay_sum} AS j,
       COALESCE(SUM(CASE WHEN {decided} AND accepted > 0 AND currency = %(currency)s
           THEN {thousandths} END), 0) AS k
FROM facts GROUP BY owner_id
UNION ALL
SELECT * FROM (
    SELECT 'hot' AS part, quote_id AS id, views AS a, downloads AS b,
           0 AS c, 0 AS d, 0 AS e, 0 AS f, 0 AS g, 0 AS h, 0 AS i, 0 AS j, 0 AS k
    FROM facts WHERE {hot}
    ORDER BY views DESC, downloads DESC, quote_id DESC LIMIT %(limit)s
) AS hot
UNION ALL
SELECT * FROM (
    SELECT 'unseen' AS part, quote_id AS id, views AS a, downloads AS b,
           0 AS c, 0 AS d, 0 AS e, 0 AS f, 0 AS g, 0 AS h, 0 AS i, 0 AS j, 0 AS k
    FROM facts WHERE {unseen}
    ORDER BY first_shared_at, quote_id LIMIT %(limit)s
) AS unseen
UNION ALL
{median}
"""
_HOT = "is_open = 1 AND views >= %(min_views)s AND downloads >= %(min_downloads)s"
_UNSEEN = (
    "cohort = 1 AND first_view IS NULL AND is_open = 1 AND first_shared_at <= %(unseen_cutoff)s"
)
_DECIDED = "decided_at IS NOT NULL AND first_shared_at IS NOT NULL"
_VIEWED_COHORT = "cohort = 1 AND first_view IS NOT NULL"
# The middle one or two delays to first view of the cohort's viewed quotes (positions
# (n + 1) / 2 and (n + 2) / 2 of n sorted): PostgreSQL's ordered-set aggregate sorts
# them once (percentile_disc(f) is the value at position ceil(f * n), so 0.5 gives the
# first and anything above 0.5 by less than 1 / 2n the second); SQLite numbers them.
_MEDIAN_SQL = {
    "postgresql": """
SELECT 'median', NULL, {lower}, {upper}, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM (
    SELECT percentile_disc(ARRAY[0.5, 0.5 + 1e-12])
           WITHIN GROUP (ORDER BY first_view - first_shared_at) AS middle
    FROM facts WHERE {viewed_cohort}
) AS median WHERE middle IS NOT NULL
""",
    "sqlite": """
SELECT 'median', NULL, delay, delay, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM (
    SELECT delay, ROW_NUMBER() OVER (ORDER BY delay) AS position, COUNT(*) OVER () AS n
    FROM (SELECT {delay} AS delay FROM facts WHERE {viewed_cohort}) AS delays
) AS ranked
WHERE position IN ((n + 1) / 2, (n + 2) / 2)
""",
}


def _delay_microseconds_sql(until: str) -> str:
    """SQL for `<until> - first_shared_at` in whole microseconds (exact on both
    databases, so the median is the one Python would compute from every delay)."""
    if connection.vendor == "postgresql":
        return _interval_microseconds_sql(f"{until} - first_shared_at")
    # SQLite, from Django's text form of a UTC moment ("YYYY-MM-DD HH:MM:SS[.ffffff]"):
    # whole seconds from the Julian day of the moment without its fraction (which SQLite
    # would round to milliseconds), rounded (the day number's float is exact to far less
    # than half a second), and the microseconds apart, all in integers: what Django's own
    # timestamp difference gives, without calling back into Python for every row.
    return f"({_sqlite_microseconds(until)} - {_sqlite_microseconds('first_shared_at')})"


def _interval_microseconds_sql(interval: str) -> str:
    """PostgreSQL: an interval (days and time, as timestamps' differences are) in whole
    microseconds, exactly (EXTRACT gives a numeric)."""
    return f"CAST(EXTRACT(EPOCH FROM {interval}) * 1000000 AS BIGINT)"


def _decision_delay_sum_sql() -> str:
    """The sum of the decided quotes' delays to their answer, in microseconds. PostgreSQL
    adds the intervals (exact) and converts once, rather than each delay."""
    decided = f"CASE WHEN {_DECIDED} THEN decided_at - first_shared_at END"
    if connection.vendor == "postgresql":
        return f"COALESCE({_interval_microseconds_sql(f'SUM({decided})')}, 0)"
    return f"SUM(CASE WHEN {_DECIDED} THEN {_delay_microseconds_sql('decided_at')} ELSE 0 END)"


def _sqlite_microseconds(moment: str) -> str:
    seconds = f"CAST(ROUND((julianday(substr({moment}, 1, 19)) - 2440587.5) * 86400) AS INTEGER)"
    fraction = f"CAST(substr({moment} || '.000000', 21, 6) AS INTEGER)"
    return f"({seconds} * 1000000 + {fraction})"


_ROLLUPS = QuoteRollup._meta.db_table
_HOURLY = EventRollup._meta.db_table
_EVENTS = QuoteEvent._meta.db_table
_QUOTES = Quote._meta.db_table
# Kind names and column prefixes are our own constants, written into the SQL as literals.
_VIEWED, _DOWNLOADED = EventKind.QUOTE_VIEWED, EventKind.PDF_DOWNLOADED
_ACCEPTED, _DECLINED = EventKind.QUOTE_ACCEPTED, EventKind.QUOTE_DECLINED


def _inside(prefix: str) -> str:
    """A quote's events of one kind (its rollup columns `prefix`_...) all lie in the range."""
    return f"s.{prefix}_first >= %(start)s AND s.{prefix}_last < %(end)s"


def _whole_sql(owner_join: str) -> str:
    """Per quote with an event in the range, its counts (and first view and answer) of the
    kinds whose events all lie in the range, read from its rollup row alone."""
    counted = {
        prefix: f"CASE WHEN {_inside(prefix)} THEN s.{prefix}_count ELSE 0 END"
        for prefix in QUOTE_ROLLUP_KINDS.values()
    }
    first = {
        prefix: f"CASE WHEN {_inside(prefix)} THEN s.{prefix}_first END"
        for prefix in ("viewed", "accepted", "declined")
    }
    # SQLite, which has no statistics on how many rows a range holds, would read them
    # through the (company, last_at) index: one table lookup per quote, twice the time of
    # reading the table for a range holding most of them (and a company's rows are a
    # single row per quote it has).
    not_indexed = "NOT INDEXED" if connection.vendor == "sqlite" else ""
    return f"""
SELECT quote_id, views, downloads, accepted, declined, events, first_view,
       CASE WHEN declined_at IS NULL OR accepted_at <= declined_at
            THEN accepted_at ELSE declined_at END AS decided_at
FROM (
    SELECT s.quote_id,
           {counted["viewed"]} AS views,
           {counted["downloaded"]} AS downloads,
           {counted["accepted"]} AS accepted,
           {counted["declined"]} AS declined,
           {" + ".join(counted.values())} AS events,
           {first["viewed"]} AS first_view,
           {first["accepted"]} AS accepted_at,
           {first["declined"]} AS declined_at
    FROM {_ROLLUPS} s {not_indexed} {owner_join}
    WHERE s.company_id = %(company)s AND s.last_at >= %(start)s AND s.first_at < %(end)s
) AS whole
"""  # noqa: S608


def _straddling_sql(owner_join: str) -> str:
    """(quote, kind) of the quotes' kinds with events on both sides of an end of the
    range: the range's part of them is counted from the hourly rollups (and events). The
    quote's own first and last moment say which quotes can have such a kind (the index)."""

    def by_kind(column: str) -> str:
        cases = " ".join(
            f"WHEN '{kind}' THEN s.{prefix}_{column}" for kind, prefix in QUOTE_ROLLUP_KINDS.items()
        )
        return f"CASE k.kind {cases} END"

    kinds = " UNION ALL ".join(f"SELECT '{kind}' AS kind" for kind in QUOTE_ROLLUP_KINDS)
    return f"""
SELECT quote_id, kind FROM (
    SELECT s.quote_id, k.kind, {by_kind("first")} AS kind_first, {by_kind("last")} AS kind_last
    FROM {_ROLLUPS} s {owner_join} CROSS JOIN ({kinds}) AS k
    WHERE s.company_id = %(company)s AND s.last_at >= %(start)s AND s.first_at < %(end)s
        AND (s.first_at < %(start)s OR s.last_at >= %(end)s)
) AS kinds
WHERE kind_first < %(end)s AND kind_last >= %(start)s
    AND (kind_first < %(start)s OR kind_last >= %(end)s)
"""  # noqa: S608


# Each straddling kind looks up its own hours in the (quote, kind, hour) index: a few
# thousand lookups, where a hash join would read every hourly rollup of the company.
# PostgreSQL does so for a LATERAL join kept apart (OFFSET 0: not flattened into a join
# it would plan as a hash join, misjudging how few kinds straddle); SQLite (which has no
# LATERAL) joins by nested loops anyway, through the same index.
_HOURLY_SQL = {
    "postgresql": f"""
SELECT t.quote_id AS quote_id, t.kind AS kind, r.count AS n, r.first_at AS moment
FROM straddling t
CROSS JOIN LATERAL (
    SELECT r.count, r.first_at FROM {_HOURLY} r
    WHERE r.quote_id = t.quote_id AND r.kind = t.kind
        AND r.hour >= %(first_hour)s AND r.hour < %(last_hour)s
    OFFSET 0
) AS r
""",  # noqa: S608
    "sqlite": f"""
SELECT t.quote_id AS quote_id, t.kind AS kind, r.count AS n, r.first_at AS moment
FROM straddling t
INNER JOIN {_HOURLY} r ON r.quote_id = t.quote_id AND r.kind = t.kind
    AND r.hour >= %(first_hour)s AND r.hour < %(last_hour)s
""",  # noqa: S608
}
_EDGES_SQL = f"""
SELECT e.quote_id, e.kind, 1, e.occurred_at
FROM {_EVENTS} e INNER JOIN straddling t ON t.quote_id = e.quote_id AND t.kind = e.kind
WHERE e.company_id = %(company)s AND e.kind IN ({{kinds}}) AND ({{edges}})
"""  # noqa: S608
_STRADDLED_SQL = f"""
SELECT quote_id,
       CAST(SUM(CASE WHEN kind = '{_VIEWED}' THEN n ELSE 0 END) AS INTEGER) AS views,
       CAST(SUM(CASE WHEN kind = '{_DOWNLOADED}' THEN n ELSE 0 END) AS INTEGER) AS downloads,
       CAST(SUM(CASE WHEN kind = '{_ACCEPTED}' THEN n ELSE 0 END) AS INTEGER) AS accepted,
       CAST(SUM(CASE WHEN kind = '{_DECLINED}' THEN n ELSE 0 END) AS INTEGER) AS declined,
       CAST(SUM(n) AS INTEGER) AS events,
       MIN(CASE WHEN kind = '{_VIEWED}' THEN moment END) AS first_view,
       MIN(CASE WHEN kind IN ('{_ACCEPTED}', '{_DECLINED}') THEN moment END) AS decided_at
FROM ({{parts}}) AS parts GROUP BY quote_id
"""  # noqa: S608
# The earlier of two moments, either of which may be missing (NULL).
_EARLIER = "CASE WHEN c.{0} IS NULL OR p.{0} <= c.{0} THEN p.{0} ELSE c.{0} END"
_PER_QUOTE_SQL = """
SELECT p.quote_id,
       p.views + COALESCE(c.views, 0) AS views,
       p.downloads + COALESCE(c.downloads, 0) AS downloads,
       p.accepted + COALESCE(c.accepted, 0) AS accepted,
       p.declined + COALESCE(c.declined, 0) AS declined,
       {first_view} AS first_view,
       {decided_at} AS decided_at
FROM ({whole}) AS p LEFT JOIN ({straddled}) AS c ON c.quote_id = p.quote_id
WHERE p.events + COALESCE(c.events, 0) > 0
"""


def _per_quote_ctes(who: Reader, date_range: DateRange) -> tuple[str, dict[str, Any]]:
    """The CTEs `straddling` and `per_quote` (each quote's views, downloads, acceptances,
    declines, first view and first answer in the range) and their parameters."""
    adapt = connection.ops.adapt_datetimefield_value
    (first, last), edges = hour_split(date_range.start, date_range.end)
    params: dict[str, Any] = {
        "company": who.company_id,
        "start": adapt(date_range.start),
        "end": adapt(date_range.end),
        "first_hour": adapt(first),
        "last_hour": adapt(last),
    }
    owner_join = ""
    if who.owner_id is not None:
        owner_join = f"INNER JOIN {_QUOTES} oq ON oq.id = s.quote_id AND oq.owner_id = %(owner)s"
        params["owner"] = who.owner_id
    parts = [_HOURLY_SQL[connection.vendor]]
    if edges:
        bounds = []
        for index, (since, until) in enumerate(edges):
            since_name, until_name = f"edge_{index}_since", f"edge_{index}_until"
            bounds.append(
                f"(e.occurred_at >= %({since_name})s AND e.occurred_at < %({until_name})s)"
            )
            params[since_name], params[until_name] = adapt(since), adapt(until)
        kinds = ", ".join(f"'{kind}'" for kind in QUOTE_ROLLUP_KINDS)
        parts.append(_EDGES_SQL.format(kinds=kinds, edges=" OR ".join(bounds)))
    per_quote = _PER_QUOTE_SQL.format(
        whole=_whole_sql(owner_join),
        straddled=_STRADDLED_SQL.format(parts=" UNION ALL ".join(parts)),
        first_view=_EARLIER.format("first_view"),
        decided_at=_EARLIER.format("decided_at"),
    )
    ctes = f"straddling AS ({_straddling_sql(owner_join)}),\nper_quote AS ({per_quote})"
    return ctes, params


def _figures_params(date_range: DateRange, now: dt.datetime, currency: str) -> dict[str, Any]:
    """The reducing statement's own parameters."""
    adapt = connection.ops.adapt_datetimefield_value
    return {
        **{f"open_{index}": state for index, state in enumerate(sorted(OPEN_STATES))},
        "currency": currency,
        "min_views": STRONG_SIGNAL_MIN_VIEWS,
        "min_downloads": STRONG_SIGNAL_MIN_DOWNLOADS,
        "limit": LIST_LIMIT,
        "unseen_cutoff": adapt(min(date_range.end, now) - UNSEEN_AFTER),
    }


def _read_rows(rows: Iterable[tuple[Any, ...]]) -> QuoteFigures:
    figures = QuoteFigures()
    middle: list[int] = []
    for part, key, a, b, c, d, *sums in rows:
        if part == "rep":
            figures.reps[int(key)] = [int(a), int(b), int(c), int(d)]
            hot, unseen, won, lost, other_currency, delay, value = map(int, sums)
            figures.hot_total += hot
            figures.unseen_total += unseen
            figures.won += won
            figures.lost += lost
            figures.won_other_currency += other_currency
            figures.decision_delay_total += delay
            figures.won_value_thousandths += value
        elif part == "hot":
            figures.hot.append((int(key), int(a), int(b)))
        elif part == "unseen":
            figures.unseen.append((int(key), int(a), int(b)))
        else:  # the median's middle delay(s): one twice, or two
            middle += [int(a), int(b)]
    if middle:
        seconds = statistics.median(
            dt.timedelta(microseconds=value).total_seconds() for value in middle
        )
        figures.median = dt.timedelta(seconds=round(seconds))
    return figures


def quote_figures(
    membership: Membership, date_range: DateRange, now: dt.datetime, currency: str
) -> QuoteFigures:
    """Per-quote aggregates, reduced in the database to the per-rep counts, the first
    LIST_LIMIT hot and unseen quotes with their totals, the median's middle delays and the
    decisions. One statement. `currency`: the company's.

    A quote is in the range's cohort when first shared within it; the rep table lists the
    owners of every quote with an event in the range (their cohort counts may be 0).
    """
    who = reader(membership)
    if who is None:  # a role that reads nothing (finance)
        return QuoteFigures()
    ctes, params = _per_quote_ctes(who, date_range)
    sql = _FIGURES_SQL.format(
        ctes=ctes,
        quote_table=connection.ops.quote_name(Quote._meta.db_table),
        open_states=", ".join(f"%(open_{index})s" for index in range(len(OPEN_STATES))),
        hot=_HOT,
        unseen=_UNSEEN,
        decided=_DECIDED,
        thousandths=money_thousandths_sql("total"),
        decision_delay_sum=_decision_delay_sum_sql(),
        median=_MEDIAN_SQL[connection.vendor].format(
            delay=_delay_microseconds_sql("first_view"),
            lower=_interval_microseconds_sql("middle[1]"),
            upper=_interval_microseconds_sql("middle[2]"),
            viewed_cohort=_VIEWED_COHORT,
        ),
    )
    params |= _figures_params(date_range, now, currency)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner's cost for this statement (tens of thousands of quotes) passes
            # the JIT thresholds, and compiling it took 0.3 - 3 s, many times running it.
            # Room for the per-quote rows in memory: with the default 4 MB they went to a
            # temporary file, read back once per part.
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                [WORK_MEM],
            )
        cursor.execute(sql, params)
        return _read_rows(cursor.fetchall())
