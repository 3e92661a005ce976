"""The company-wide Engagement page: figures for a date range, aggregated in the database.

Speed: a million events must render in well under a second (PostgreSQL: 300 ms), so the
events of the range are read from the covering (company, kind, occurred_at, quote) index,
and never come to Python:
- the totals per kind and the views per local day are plain counts of index ranges, one
  per kind and one per day (`day_spans`), in one statement: no grouping, no sorting
  (`days`);
- the per-quote figures are grouped once and reduced, in the same statement, to the
  per-rep table, the hot and unseen lists (ten rows and a count each) and the middle
  row(s) of the sorted delays to first view; Python sees a few dozen rows (`figures`).
Every figure is exact: nothing is sampled or cached. `page` puts them together; `scope`
says whose events and declines a member reads; `declines` counts the decline reasons.

Definitions (also shown on the page):
- quotes shared: quotes first shared within the range;
- viewed: of those, the ones with a counted view within the range;
- median time to first view: from the first share to the first counted view, over those;
- views, PDF downloads and outcomes: events within the range;
- hot quotes: open quotes with a strong buying signal within the range (several views and a
  PDF download);
- unseen quotes: open quotes first shared in the range, at least a week before its end
  (or before now), with no counted view;
- decline reasons: the reasons clients picked when declining within the range (one row
  per decline, so one count per reason).
"""

from quotery.engagement.selectors.company.days import DayCount, day_spans
from quotery.engagement.selectors.company.declines import ReasonCount, decline_reasons
from quotery.engagement.selectors.company.page import (
    CompanyEngagement,
    QuoteRow,
    RepRow,
    company_engagement,
)
from quotery.engagement.selectors.company.scope import DateRange, decline_scope, engagement_scope

__all__ = [
    "CompanyEngagement",
    "DateRange",
    "DayCount",
    "QuoteRow",
    "ReasonCount",
    "RepRow",
    "company_engagement",
    "day_spans",
    "decline_reasons",
    "decline_scope",
    "engagement_scope",
]
