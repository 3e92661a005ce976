"""Reads for reminders: each company's and quote's schedule, the facts that decide a share's
reminders, and what the quote page shows.

"Counted view" is the engagement log's QUOTE_VIEWED event: written only when the page's
script confirmed a visible browser (SECURITY.md 10). Link scanners and mail previews leave
LINK_OPENED events or pending opens, and staff previews leave nothing: neither stops a
"not viewed" reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max

from quotery.accounts.models import Company
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.states import effective_state
from quotery.reminders.models import (
    QuoteReminderMode,
    QuoteReminderSchedule,
    ReminderOutcome,
    ReminderPolicy,
    ReminderSlot,
)
from quotery.reminders.schedule import (
    Schedule,
    ShareFacts,
    Slot,
    WorkingHours,
    next_slot,
    slots_for_share,
)
from quotery.sharing.models import AuthorKind, ConversationMessage, PortalShare


def policy_for(company: Company) -> ReminderPolicy:
    """The company's schedule; the defaults (unsaved) when it never changed them."""
    policy = ReminderPolicy.objects.filter(company_id=company.pk).first()
    return policy or ReminderPolicy(company=company)


def policies_for(companies: Iterable[Company]) -> dict[int, ReminderPolicy]:
    """Each company's schedule by company id, in one query."""
    by_id = {company.pk: company for company in companies}
    saved = {p.company_id: p for p in ReminderPolicy.objects.filter(company_id__in=by_id)}
    return {pk: saved.get(pk) or ReminderPolicy(company=company) for pk, company in by_id.items()}


def working_hours(policy: ReminderPolicy, company: Company) -> WorkingHours:
    return WorkingHours(
        zone=company.zone,
        days=frozenset(int(day) for day in policy.working_days),
        starts=policy.work_starts,
        ends=policy.work_ends,
    )


def quote_schedule_row(quote: Quote) -> QuoteReminderSchedule | None:
    return QuoteReminderSchedule.objects.filter(
        quote_id=quote.pk, company_id=quote.company_id
    ).first()


def schedule_for(
    policy: ReminderPolicy, own: QuoteReminderSchedule | None, company: Company
) -> Schedule | None:
    """The schedule a quote follows: its own, or the company's; None when reminders are
    off for it (stopped on the quote, or off for the company and not set on the quote)."""
    hours = working_hours(policy, company)
    if own is not None and own.mode == QuoteReminderMode.OFF:
        return None
    if own is not None and own.mode == QuoteReminderMode.CUSTOM:
        return Schedule(tuple(own.after_share_days), own.before_expiry_days, hours)
    if not policy.enabled:
        return None
    return Schedule(tuple(policy.after_share_days), policy.before_expiry_days, hours)


def share_facts(shares: list[PortalShare]) -> dict[int, ShareFacts]:
    """The facts deciding each share's reminders, by share id: three queries however many
    shares. Each share's quote must be loaded (`select_related("quote")`)."""
    if not shares:
        return {}
    share_ids = [share.pk for share in shares]
    quote_ids = {share.quote_id for share in shares}
    last_views = dict(
        QuoteEvent.objects.filter(
            quote_id__in=quote_ids, share_id__in=share_ids, kind=EventKind.QUOTE_VIEWED
        )
        .values("share_id")
        .annotate(last=Max("occurred_at"))
        .values_list("share_id", "last")
    )
    last_answers = dict(
        ConversationMessage.objects.filter(quote_id__in=quote_ids, author_kind=AuthorKind.CLIENT)
        .values("quote_id")
        .annotate(last=Max("created_at"))
        .values_list("quote_id", "last")
    )
    facts = {}
    for share in shares:
        sent = share.last_sent_at
        assert sent is not None
        viewed, answered = last_views.get(share.pk), last_answers.get(share.quote_id)
        facts[share.pk] = ShareFacts(
            last_sent_at=sent,
            send_count=share.send_count,
            valid_until=share.quote.valid_until,
            viewed_since_sent=viewed is not None and viewed >= sent,
            answered_since_sent=answered is not None and answered >= sent,
        )
    return facts


def taken_slots(share_ids: Iterable[int]) -> dict[int, set[str]]:
    taken: dict[int, set[str]] = {}
    for share_id, slot in ReminderSlot.objects.filter(share_id__in=list(share_ids)).values_list(
        "share_id", "slot"
    ):
        taken.setdefault(share_id, set()).add(slot)
    return taken


def remindable_shares() -> list[PortalShare]:
    """Live, sent shares of quotes that wait for the client (state sent): the only ones a
    reminder can be due for. Changes requested, answered, expired and withdrawn quotes,
    and revoked links, get none."""
    return list(
        PortalShare.objects.filter(
            revoked_at__isnull=True,
            last_sent_at__isnull=False,
            quote__state=QuoteState.SENT,
        )
        .select_related("quote", "quote__company")
        .order_by("pk")
    )


@dataclass(frozen=True)
class PlannedReminder:
    share: PortalShare
    slot: Slot


@dataclass(frozen=True)
class QuoteReminders:
    """What the quote page's Reminders panel shows."""

    policy: ReminderPolicy
    own: QuoteReminderSchedule | None
    mode: str
    schedule: Schedule | None
    company_schedule: Schedule | None
    upcoming: list[PlannedReminder]
    sent_count: int
    # Why nothing is planned, in a sentence ("" when something is).
    why_none: str


def reminders_for_quote(quote: Quote, now: dt.datetime) -> QuoteReminders:
    """The quote's schedule and the next reminder of each live link: three queries (the
    company's schedule, the quote's own, its live links), four more once it has live links
    and waits for the client."""
    company = quote.company
    policy = policy_for(company)
    own = quote_schedule_row(quote)
    schedule = schedule_for(policy, own, company)
    company_schedule = schedule_for(policy, None, company)
    shares = list(
        PortalShare.objects.filter(
            quote_id=quote.pk,
            company_id=quote.company_id,
            revoked_at__isnull=True,
            last_sent_at__isnull=False,
        ).order_by("created_at", "pk")
    )
    for share in shares:
        share.quote = quote
    state = effective_state(quote.state, quote.valid_until, company.zone, now)
    upcoming: list[PlannedReminder] = []
    why_none = ""
    if schedule is None:
        why_none = "Reminders are off for this quote."
    elif not shares:
        why_none = "Reminders start once the quote is shared."
    elif state != QuoteState.SENT:
        why_none = f"No reminders: the quote is {QuoteState(state).label.lower()}."
    else:
        facts = share_facts(shares)
        taken = taken_slots(facts)
        for share in shares:
            slot = next_slot(
                slots_for_share(facts[share.pk], schedule), taken.get(share.pk, set()), now
            )
            if slot is not None:
                upcoming.append(PlannedReminder(share=share, slot=slot))
        if not upcoming:
            why_none = "No reminder is planned: each client viewed or answered, or none is left."
    sent_count = (
        ReminderSlot.objects.filter(
            quote_id=quote.pk, company_id=quote.company_id, outcome=ReminderOutcome.SENT
        ).count()
        if shares
        else 0
    )
    return QuoteReminders(
        policy=policy,
        own=own,
        mode=own.mode if own is not None else QuoteReminderMode.COMPANY,
        schedule=schedule,
        company_schedule=company_schedule,
        upcoming=upcoming,
        sent_count=sent_count,
        why_none=why_none,
    )
