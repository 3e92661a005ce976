"""Reads of the engagement log: one quote's timeline and summary (`quote`), and the
company-wide Engagement page (`company`)."""

from quotery.engagement.selectors.company import (
    CompanyEngagement,
    DateRange,
    company_engagement,
    decline_reasons,
    engagement_scope,
)
from quotery.engagement.selectors.quote import (
    EngagementSummary,
    Timeline,
    TimelineEntry,
    TimelineItem,
    engagement_summary,
    kind_label,
    timeline_for_quote,
)

__all__ = [
    "CompanyEngagement",
    "DateRange",
    "EngagementSummary",
    "Timeline",
    "TimelineEntry",
    "TimelineItem",
    "company_engagement",
    "decline_reasons",
    "engagement_scope",
    "engagement_summary",
    "kind_label",
    "timeline_for_quote",
]
