"""Each sample quote's story, drawn before anything is written.

Every draw comes from the one seeded generator in a fixed order, so `--seed` gives the same
stories: keep the order of the draws when changing this module.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from quotery.accounts.models import User
from quotery.clients.models import Client
from quotery.engagement.models import EventKind
from quotery.quotes.models import QuoteState

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.0 Safari",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile",
]
SCANNER_AGENT = "Mozilla/5.0 (compatible; Microsoft Office Link Scanner)"
# The events that end a quote's story; a story cut off before one of them stays "sent".
OUTCOMES = frozenset(
    {EventKind.QUOTE_ACCEPTED, EventKind.QUOTE_DECLINED, EventKind.CHANGES_REQUESTED}
)


@dataclass
class Planned:
    """One event before it has a sequence: `opened` links a view to its open."""

    kind: str
    at: dt.datetime
    recipient: int  # index into the quote's shares
    data: dict[str, Any] = field(default_factory=dict)
    revision: int = 1
    opened: Planned | None = None
    agent: str = ""
    sequence: int = 0


@dataclass
class PlannedQuote:
    owner: User
    client: Client
    shared_at: dt.datetime
    recipients: list[str]
    events: list[Planned]
    state: str
    revision: int


def plan_quotes(
    rng: random.Random,
    *,
    now: dt.datetime,
    days: int,
    owners: list[User],
    clients: list[Client],
    wanted: int,
) -> list[PlannedQuote]:
    """Quotes shared over the last `days` days with `wanted` events in all: the last quote's
    story is cut short to fit."""
    plans: list[PlannedQuote] = []
    total = 0
    while total < wanted:
        plan = plan_quote(rng, now, days, owners, clients)
        if total + len(plan.events) > wanted:
            plan.events = plan.events[: wanted - total]
            if plan.events[-1].kind not in OUTCOMES:
                plan.state = QuoteState.SENT  # the outcome was cut off
        plans.append(plan)
        total += len(plan.events)
    return plans


@dataclass
class _Story:
    """One quote's events as they are drawn (in any order; sorted once complete)."""

    rng: random.Random
    shared_at: dt.datetime
    domain: str
    recipients: list[str]
    events: list[Planned]

    def visits(self, start: dt.datetime, recipient: int, count: int, revision: int) -> dt.datetime:
        """`count` confirmed views (an open, then the beacon's view) from `start` on; returns
        the last one's moment."""
        moment = start
        for _ in range(count):
            moment += dt.timedelta(hours=self.rng.expovariate(1 / 14))
            opened = Planned(EventKind.LINK_OPENED, moment, recipient, revision=revision)
            opened.agent = self.rng.choice(AGENTS)
            view = Planned(
                EventKind.QUOTE_VIEWED,
                moment + dt.timedelta(seconds=2),
                recipient,
                revision=revision,
                opened=opened,
                agent=opened.agent,
            )
            self.events.extend([opened, view])
        return moment


def plan_quote(
    rng: random.Random, now: dt.datetime, days: int, owners: list[User], clients: list[Client]
) -> PlannedQuote:
    """One quote's story: shared, maybe scanned, then unread (and maybe resent) or read,
    downloaded, discussed and answered. Events after `now` are left out."""
    shared_at = (now - dt.timedelta(seconds=rng.uniform(0, days * 86400))).replace(microsecond=0)
    client = rng.choice(clients)
    domain = client.name.split()[0].lower().replace("&", "") + ".example"
    story = _Story(
        rng=rng,
        shared_at=shared_at,
        domain=domain,
        recipients=[f"{rng.choice(['anna', 'ben', 'chen', 'dana', 'eli'])}.buyer@{domain}"],
        events=[Planned(EventKind.QUOTE_SHARED, shared_at, 0, {"resend": False})],
    )
    if rng.random() < 0.4:  # a mail server's link scanner fetches the link at once
        scan = shared_at + dt.timedelta(seconds=rng.randint(2, 40))
        story.events.append(Planned(EventKind.LINK_OPENED, scan, 0, agent=SCANNER_AGENT))
    # Nobody looks at some quotes (15 %); the others are read and maybe answered.
    state = _unread(story) if rng.random() < 0.15 else _read(story)
    events = sorted((e for e in story.events if e.at <= now), key=lambda e: e.at)
    if state != QuoteState.SENT and events[-1].kind not in OUTCOMES:
        state = QuoteState.SENT  # the outcome lies in the future: cut off
    return PlannedQuote(
        owner=rng.choice(owners),
        client=client,
        shared_at=shared_at,
        recipients=story.recipients,
        events=events,
        state=state,
        revision=max(e.revision for e in events),
    )


def _unread(story: _Story) -> str:
    """Nobody looks; half of these quotes are resent after a week (and maybe read then)."""
    rng = story.rng
    if rng.random() < 0.5:
        again = story.shared_at + dt.timedelta(days=7, hours=rng.uniform(0, 48))
        story.events.append(Planned(EventKind.QUOTE_SHARED, again, 0, {"resend": True}))
        story.visits(again, 0, int(rng.expovariate(1 / 4)), 1)
    return QuoteState.SENT


def _read(story: _Story) -> str:
    """The buyer reads it (and may forward it), downloads the PDF, writes; then answers."""
    rng = story.rng
    count = 1 + min(int(rng.expovariate(1 / 9)), 120)
    last = story.visits(story.shared_at, 0, count, 1)
    if rng.random() < 0.25:  # the buyer forwards it: a second recipient
        story.recipients.append(f"purchasing@{story.domain}")
        second = story.shared_at + dt.timedelta(hours=rng.uniform(1, 72))
        story.events.append(Planned(EventKind.QUOTE_SHARED, second, 1, {"resend": False}))
        last = max(last, story.visits(second, 1, 1 + int(rng.expovariate(1 / 3)), 1))
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        at = story.shared_at + (last - story.shared_at) * rng.random() + dt.timedelta(minutes=1)
        story.events.append(Planned(EventKind.PDF_DOWNLOADED, at, 0, {"accepted_copy": False}))
    if rng.random() < 0.1:
        at = last + dt.timedelta(minutes=5)
        story.events.append(Planned(EventKind.MESSAGE_POSTED, at, 0, {"author": "client"}))
    return _answer(story, last)


def _answer(story: _Story, last: dt.datetime) -> str:
    """The client's answer some hours after the last view, or none (still "sent")."""
    rng = story.rng
    outcome = rng.random()
    decided = last + dt.timedelta(hours=rng.uniform(1, 48))
    if outcome < 0.15:
        story.events.append(Planned(EventKind.CHANGES_REQUESTED, decided, 0))
        if rng.random() < 0.6:  # edited and shared again: revision 2
            return _shared_again(story, decided)
        return QuoteState.CHANGES_REQUESTED
    if outcome < 0.40:
        story.events.append(Planned(EventKind.QUOTE_ACCEPTED, decided, 0))
        return QuoteState.CLOSED
    if outcome < 0.48:
        story.events.append(Planned(EventKind.QUOTE_DECLINED, decided, 0, {"reason": "price"}))
        return QuoteState.DECLINED
    return QuoteState.SENT


def _shared_again(story: _Story, asked: dt.datetime) -> str:
    """Revision 2 shared after the client asked for changes; half the time it is accepted."""
    rng = story.rng
    again = asked + dt.timedelta(hours=rng.uniform(2, 30))
    story.events.append(Planned(EventKind.QUOTE_SHARED, again, 0, {"resend": True}, 2))
    after = story.visits(again, 0, 1 + int(rng.expovariate(1 / 3)), 2)
    if rng.random() < 0.5:
        at = after + dt.timedelta(hours=2)
        story.events.append(Planned(EventKind.QUOTE_ACCEPTED, at, 0, revision=2))
        return QuoteState.CLOSED
    return QuoteState.SENT
