"""The quote page's Reminders panel: the schedule the quote follows, the next reminder of
each live link, the form to change or stop them, and Extend validity."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from quotery.accounts.models import Membership
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.states import effective_state
from quotery.reminders.forms import ExtendValidityForm, QuoteRemindersForm
from quotery.reminders.selectors import reminders_for_quote

register = template.Library()

EXTENDABLE = frozenset({QuoteState.SENT, QuoteState.CHANGES_REQUESTED, QuoteState.EXPIRED})
# A draft's reminders can be set before it is first shared.
SHOWN = EXTENDABLE | {QuoteState.DRAFT}


@register.inclusion_tag("reminders/_quote_reminders.html", takes_context=True)
def quote_reminders(context: template.Context, quote: Quote) -> dict[str, Any]:
    membership: Membership | None = context.get("membership")
    can_edit = membership is not None and membership.can_edit_quotes
    if quote.state not in SHOWN:
        return {"show": False}
    now = timezone.now()
    reminders = reminders_for_quote(quote, now)
    zone = quote.company.zone
    return {
        "show": True,
        "quote": quote,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "can_edit": can_edit,
        "reminders": reminders,
        "upcoming": [
            (planned.share, planned.slot, timezone.localtime(planned.slot.due_at, zone))
            for planned in reminders.upcoming
        ],
        "expired": effective_state(quote.state, quote.valid_until, zone, now) == QuoteState.EXPIRED,
        "form": QuoteRemindersForm.for_schedule(reminders.own, reminders.policy)
        if can_edit
        else None,
        "modes": QuoteRemindersForm.MODES,
        "extend_form": ExtendValidityForm(auto_id="id_extend_%s")
        if can_edit and quote.state in EXTENDABLE
        else None,
    }
