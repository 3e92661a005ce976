"""The company-wide Engagement page: figures for a date range, aggregated in the database.

Speed: the last 90 days of a million events must render within 300 ms on PostgreSQL and
500 ms on SQLite, so the page reads the rollups kept in each append's transaction by
`quotery.engagement.rollups`, never the events, except for the part-hours at the ends of
a day in a zone whose offset is not a whole number of hours (e.g. Asia/Kolkata):
- the totals per kind and the views per local day are sums over ranges of the hourly
  rollups (`CompanyEventRollup` per company, kind and UTC hour for managers; a rep's own
  `EventRollup`s), in one statement: no grouping, no sorting (`days`);
- the per-quote figures read one `QuoteRollup` row per quote (every counted kind's count,
  first and last moment as columns, so no grouping), the hourly rollups only for the kinds
  of a quote with events on both sides of a range end, and reduce them, in the same
  statement, to one row per owner with every count and sum, the hot and unseen lists (ten
  rows each) and the middle delay(s) for the median; Python sees a few dozen rows
  (`figures`);
- the open pipeline is one aggregate over the quotes' (company, state) index (`pipeline`).
Every figure is exact: nothing is sampled or cached. `page` puts them together; `scope`
says whose events, rollups, quotes and declines a member reads; `declines` counts the
decline reasons; money is added up in the database without a float (`money`).

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
  per decline, so one count per reason);
- won value: the totals of the quotes accepted within the range, in the company's
  currency (quotes in another currency are counted apart, never converted);
- win rate: of the quotes accepted or declined within the range, the share accepted
  (expired and withdrawn quotes are not answers);
- average time to decision: from a quote's first share to its acceptance or decline, over
  the quotes answered within the range;
- pipeline: the quotes sent and open now (sent, or waiting after a change request, and not
  past their valid-until day in the company's zone), their number and total, whatever the
  range.
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
