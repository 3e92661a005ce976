"""What clients looked at: time on each part of a quote and the options they tried.

Read from two event kinds only: SECTION_TIME (each event holds the seconds a counted view's
page added per part since its previous one, so a part's time is a plain sum) and
OPTION_CHANGED. Part keys name a section by its position in the revision the view showed
("section:2"); titles come from that revision's content.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.fields.json import KT

from quotery.accounts.models import Membership
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.engagement.payloads import (
    ATTENTION_MAX_SECONDS,
    ATTENTION_NOTES,
    ATTENTION_TOTALS,
    OPTION_ADDED,
    OPTION_REMOVED,
    SECTION_KEY_PREFIX,
    EventDataInvalid,
    OptionChanged,
    SectionTime,
    payload_from,
)
from quotery.engagement.selectors.company.scope import DateRange, engagement_scope
from quotery.quotes.models import Quote, QuoteRevision

ATTENTION_KINDS = (EventKind.SECTION_TIME, EventKind.OPTION_CHANGED)
COMPANY_TOP = 5


def seconds_text(seconds: int) -> str:
    """A time on screen as people read it: "45 s", "2 min 05 s", "1 h 02 min"."""
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def part_title(key: str, section_titles: list[str]) -> str:
    """The part's name as the client saw it: its section's title, "Totals" or "Notes"."""
    if key == ATTENTION_TOTALS:
        return "Totals"
    if key == ATTENTION_NOTES:
        return "Notes"
    position = int(key.removeprefix(SECTION_KEY_PREFIX))
    if 0 < position <= len(section_titles) and section_titles[position - 1].strip():
        return section_titles[position - 1]
    return f"Section {position}"


def _part_order(key: str) -> tuple[int, int]:
    if key.startswith(SECTION_KEY_PREFIX):
        return (0, int(key.removeprefix(SECTION_KEY_PREFIX)))
    return (1, 0) if key == ATTENTION_TOTALS else (2, 0)


@dataclass(frozen=True)
class PartTime:
    key: str
    title: str
    seconds: int
    # The bar's length: this part's time as a share of the revision's longest, 0-100.
    percent: int

    @property
    def time_text(self) -> str:
        return seconds_text(self.seconds)


@dataclass(frozen=True)
class RevisionAttention:
    """One revision: time per part in page order, the options tried, the part last looked at."""

    revision_number: int
    parts: list[PartTime]
    options: list[str]
    last_looked_at: str | None

    @property
    def most_time_on(self) -> PartTime | None:
        return max(self.parts, key=lambda part: part.seconds, default=None)


@dataclass(frozen=True)
class QuoteAttention:
    revisions: list[RevisionAttention] = field(default_factory=list)  # newest first

    @property
    def most_time_on(self) -> PartTime | None:
        """The part the client spent most time on in the newest revision with times."""
        for revision in self.revisions:
            if revision.most_time_on is not None:
                return revision.most_time_on
        return None


def section_titles_of(
    revisions: Iterable[tuple[int, int, str]],
) -> dict[tuple[int, int], list[str]]:
    """(quote id, revision number) -> its section titles in order, from (quote, number,
    content) rows."""
    titles: dict[tuple[int, int], list[str]] = {}
    for quote_id, number, content in revisions:
        sections = json.loads(content).get("sections", [])
        titles[(quote_id, number)] = [str(section.get("title", "")) for section in sections]
    return titles


def _readable(kind: str, data: object) -> SectionTime | OptionChanged | None:
    try:
        payload = payload_from(kind, data)
    except EventDataInvalid:
        return None  # `manage.py verify` names such a row; the page reads on without it
    return payload if isinstance(payload, SectionTime | OptionChanged) else None


def quote_attention(quote: Quote) -> QuoteAttention:
    """Per revision, newest first: time on each part, the options the client tried, in
    order, and the part they looked at last. Two queries: the quote's events of the two
    kinds, and the contents of the revisions they concern."""
    rows = (
        QuoteEvent.objects.filter(
            quote_id=quote.pk, company_id=quote.company_id, kind__in=ATTENTION_KINDS
        )
        .order_by("sequence")
        .values_list("kind", "revision_number", "data")
    )
    seconds: dict[int, Counter[str]] = defaultdict(Counter)
    options: dict[int, list[str]] = defaultdict(list)
    last: dict[int, str] = {}
    for kind, revision, data in rows:
        payload = _readable(kind, data)
        if isinstance(payload, SectionTime):
            seconds[revision].update(payload.sections)
            if payload.last:
                last[revision] = payload.last
        elif isinstance(payload, OptionChanged):
            options[revision].append(payload.description)
    numbers = sorted(set(seconds) | set(options), reverse=True)
    if not numbers:
        return QuoteAttention()
    titles = section_titles_of(
        QuoteRevision.objects.filter(quote_id=quote.pk, number__in=numbers).values_list(
            "quote_id", "number", "content"
        )
    )
    revisions = []
    for number in numbers:
        names = titles.get((quote.pk, number), [])
        times = seconds.get(number, Counter())
        longest = max(times.values(), default=0)
        parts = [
            PartTime(
                key=key,
                title=part_title(key, names),
                seconds=times[key],
                percent=round(100 * times[key] / longest) if longest else 0,
            )
            for key in sorted(times, key=_part_order)
        ]
        revisions.append(
            RevisionAttention(
                revision_number=number,
                parts=parts,
                options=options.get(number, []),
                last_looked_at=part_title(last[number], names) if number in last else None,
            )
        )
    return QuoteAttention(revisions=revisions)


# ---------------------------------------------------------------------------------------
# The company's Engagement page


@dataclass(frozen=True)
class TitleTime:
    title: str
    seconds: int
    quotes: int

    @property
    def time_text(self) -> str:
        return seconds_text(self.seconds)


@dataclass(frozen=True)
class OptionCount:
    line: str
    count: int


@dataclass(frozen=True)
class CompanyAttention:
    sections: list[TitleTime]  # the section titles that held clients longest, top 5
    added: list[OptionCount]  # the optional lines most often added, top 5
    removed: list[OptionCount]  # and removed

    @property
    def has_any(self) -> bool:
        return bool(self.sections or self.added or self.removed)


def company_attention(
    *, membership: Membership, date_range: DateRange, top: int = COMPANY_TOP
) -> CompanyAttention:
    """Across the quotes a member's Engagement page covers, in the range: the section titles
    clients spent most time on (sections of the same title on different quotes add up; the
    totals and notes are left out: every quote has them) and the optional lines most often
    added and removed. Reads only the events of the two kinds in the range, through the
    (company, kind, occurred_at) index, then the section titles of the revisions they
    concern: three queries whatever the size of the log."""
    events = (
        engagement_scope(membership)
        .filter(occurred_at__gte=date_range.start, occurred_at__lt=date_range.end)
        .order_by()  # any order: no sort of the range's rows
    )
    per_revision: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for quote_id, revision, key, seconds in _section_seconds(
        events.filter(kind=EventKind.SECTION_TIME)
    ):
        per_revision[(quote_id, revision)][key] += int(seconds)
    # The options, counted by the database: a row per change and line.
    changes = (
        events.filter(kind=EventKind.OPTION_CHANGED)
        .values(change=KT("data__change"), line=KT("data__line"))
        .annotate(n=Count("pk"))
    )
    added: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for row in changes:
        if row["change"] == OPTION_ADDED:
            added[str(row["line"])] += row["n"]
        elif row["change"] == OPTION_REMOVED:
            removed[str(row["line"])] += row["n"]
    return CompanyAttention(
        sections=_top_titles(per_revision, top),
        added=[OptionCount(line, count) for line, count in _top(added, top)],
        removed=[OptionCount(line, count) for line, count in _top(removed, top)],
    )


# A section's seconds per quote and revision, added up by the database from the events'
# JSON (thousands of rows in, a few per quote out). Only whole numbers under a
# "section:<n>" key count, as the payload allows them; `manage.py verify` names a row that
# is not its kind's.
_SECONDS_PG = "CASE WHEN (j.value #>> '{{}}') ~ '^[0-9]{{1,5}}$' THEN (j.value #>> '{{}}')::int END"
_SECTION_SECONDS_SQL = {
    "sqlite": (
        "SELECT e.quote_id, e.revision_number, j.key, SUM(j.value) "  # noqa: S608
        "FROM ({events}) e, json_each(e.data, '$.sections') j "
        f"WHERE j.type = 'integer' AND j.value BETWEEN 1 AND {ATTENTION_MAX_SECONDS} "
        "AND j.key LIKE 'section:%%' "
        "GROUP BY e.quote_id, e.revision_number, j.key"
    ),
    "postgresql": (
        f"SELECT e.quote_id, e.revision_number, j.key, SUM({_SECONDS_PG}) "  # noqa: S608
        "FROM ({events}) e CROSS JOIN LATERAL jsonb_each(CASE WHEN "
        "jsonb_typeof(e.data -> 'sections') = 'object' THEN e.data -> 'sections' "
        "ELSE '{{}}'::jsonb END) j "
        "WHERE jsonb_typeof(j.value) = 'number' "
        f"AND {_SECONDS_PG} BETWEEN 1 AND {ATTENTION_MAX_SECONDS} "
        "AND j.key LIKE 'section:%%' "
        "GROUP BY e.quote_id, e.revision_number, j.key"
    ),
}


def _section_seconds(events: QuerySet[QuoteEvent]) -> list[tuple[int, int, str, int]]:
    """(quote id, revision, "section:<n>", seconds) over the SECTION_TIME `events`."""
    inner, params = events.values("quote_id", "revision_number", "data").query.sql_with_params()
    sql = _SECTION_SECONDS_SQL[connection.vendor].format(events=inner)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(q), int(r), str(k), int(n)) for q, r, k, n in cursor.fetchall()]


def _top(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    # Ties by name, so the page reads the same on every load.
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def _top_titles(per_revision: dict[tuple[int, int], Counter[str]], top: int) -> list[TitleTime]:
    if not per_revision:
        return []
    quote_ids = {quote_id for quote_id, _ in per_revision}
    numbers = {number for _, number in per_revision}
    contents = QuoteRevision.objects.filter(quote_id__in=quote_ids, number__in=numbers).values_list(
        "quote_id", "number", "content"
    )
    titles = section_titles_of(row for row in contents.iterator(500) if row[:2] in per_revision)
    seconds: Counter[str] = Counter()
    quotes: dict[str, set[int]] = defaultdict(set)
    for (quote_id, number), times in per_revision.items():
        names = titles.get((quote_id, number), [])
        for key, value in times.items():
            title = part_title(key, names)
            seconds[title] += value
            quotes[title].add(quote_id)
    return [
        TitleTime(title=title, seconds=value, quotes=len(quotes[title]))
        for title, value in _top(seconds, top)
    ]
