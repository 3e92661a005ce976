"""Sending the reminders that fall due: the scheduler's sweep and the one locked send.

Exactly once per (share, slot): the send takes the quote's row lock, decides again what is
due under it, and records the slot in a row that the database allows once per share and
slot, in the transaction that chains the event and queues the email (outbox, one email
per dedupe key). Two schedulers or workers racing for one reminder send it once.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from quotery.engagement import events
from quotery.notifications.services import outbox_email_add
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import QuoteState
from quotery.quotes.states import is_past_validity
from quotery.reminders.models import QuoteReminderSchedule, ReminderOutcome, ReminderSlot
from quotery.reminders.schedule import Slot, due_slots, slots_for_share
from quotery.reminders.selectors import (
    policies_for,
    policy_for,
    quote_schedule_row,
    remindable_shares,
    schedule_for,
    share_facts,
    taken_slots,
)
from quotery.sharing.models import PortalShare

REMINDER_EMAIL_KIND = "reminder_client"


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Sends every reminder due by `now`; returns how many went out. Reads all remindable
    shares in a few queries and takes a quote's lock only for a share with a reminder due.
    Safe to run often, late, and in several workers at once."""
    now = now or timezone.now()
    shares = remindable_shares()
    if not shares:
        return 0
    policies = policies_for({share.quote.company for share in shares})
    own = {
        row.quote_id: row
        for row in QuoteReminderSchedule.objects.filter(
            quote_id__in={share.quote_id for share in shares}
        )
    }
    facts = share_facts(shares)
    taken = taken_slots(facts)
    sent = 0
    for share in shares:
        quote = share.quote
        if is_past_validity(quote.valid_until, quote.company.zone, now):
            continue
        schedule = schedule_for(policies[quote.company_id], own.get(quote.pk), quote.company)
        if schedule is None:
            continue
        slots = slots_for_share(facts[share.pk], schedule)
        if due_slots(slots, taken.get(share.pk, set()), now):
            sent += reminder_send(share=share, now=now) is not None
    return sent


def reminder_send(*, share: PortalShare, now: dt.datetime) -> ReminderSlot | None:
    """Sends the share's latest due reminder, if one is still due: its slot recorded as
    sent (earlier due slots as passed over: one email, not a burst), a `reminder_sent`
    event chained, and the email queued with the share's own link. None, writing nothing,
    when nothing is due any more (the client viewed or answered, the link was revoked, the
    quote changed state or the schedule changed) or another worker sent it first.

    Holds the quote's row lock from its checks to its last write."""
    try:
        with transaction.atomic():
            quote_lock(share.quote_id)
            current = (
                PortalShare.objects.select_related("quote", "quote__company")
                .filter(pk=share.pk, revoked_at__isnull=True, last_sent_at__isnull=False)
                .first()
            )
            if current is None:
                return None
            due = _due_under_lock(current, now)
            if not due:
                return None
            *passed, latest = due
            for slot in passed:
                _take(current, slot, ReminderOutcome.PASSED_OVER, now)
            taken = _take(current, latest, ReminderOutcome.SENT, now)
            quote = current.quote
            events.event_reminder_sent(
                quote=quote, share=current, reason=latest.reason, days=latest.days, slot=latest.key
            )
            outbox_email_add(
                company=quote.company,
                kind="reminder_client",
                dedupe_key=f"reminder:{current.pk}:{latest.key}",
                to_email=current.recipient_email,
                to_name=current.recipient_name,
                context={"share": current.pk, "reminder": taken.pk},
            )
    except IntegrityError:  # another worker took the slot between our read and insert
        return None
    return taken


def _due_under_lock(share: PortalShare, now: dt.datetime) -> list[Slot]:
    quote = share.quote
    company = quote.company
    if quote.state != QuoteState.SENT or is_past_validity(quote.valid_until, company.zone, now):
        return []
    schedule = schedule_for(policy_for(company), quote_schedule_row(quote), company)
    if schedule is None:
        return []
    slots = slots_for_share(share_facts([share])[share.pk], schedule)
    return due_slots(slots, taken_slots([share.pk]).get(share.pk, set()), now)


def _take(share: PortalShare, slot: Slot, outcome: str, now: dt.datetime) -> ReminderSlot:
    return ReminderSlot.objects.create(
        company_id=share.company_id,
        quote_id=share.quote_id,
        share=share,
        slot=slot.key,
        reason=slot.reason,
        days=slot.days,
        due_at=slot.due_at,
        outcome=outcome,
        taken_at=now,
    )
