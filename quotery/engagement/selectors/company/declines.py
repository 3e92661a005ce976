"""How often clients gave each reason when declining (the Engagement page's last table)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from quotery.accounts.models import Membership
from quotery.engagement.selectors.company.scope import DateRange, decline_scope
from quotery.sharing.models import DeclineReason


@dataclass(frozen=True)
class ReasonCount:
    reason: str  # a DeclineReason value, or "" for no reason given
    label: str
    count: int


def decline_reasons(*, membership: Membership, date_range: DateRange) -> list[ReasonCount]:
    """How often clients gave each reason when declining within the range: every reason
    of the list in its order (zero included) once anything was declined, then "no reason
    given" when some gave none. Empty when nothing was declined. One query."""
    counts = dict(
        decline_scope(membership)
        .filter(declined_at__gte=date_range.start, declined_at__lt=date_range.end)
        .order_by()
        .values("reason")
        .annotate(n=Count("pk"))
        .values_list("reason", "n")
    )
    if not counts:
        return []
    rows = [
        ReasonCount(reason=str(reason), label=str(reason.label), count=counts.get(reason, 0))
        for reason in DeclineReason
    ]
    if counts.get(""):
        rows.append(ReasonCount(reason="", label="No reason given", count=counts[""]))
    return rows
