"""The client's choices on a quote with options: kept per link, each change an event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from quotery.core.exceptions import QuoteNotAcceptable
from quotery.core.request_meta import RequestMeta
from quotery.engagement import events
from quotery.portal.selectors import PortalPage, revision_content, share_choices_locked
from quotery.portal.services.acceptance import accepted_configuration
from quotery.portal.services.answers import answer_refusal, link_gone
from quotery.quotes.locks import ChainHead
from quotery.quotes.models import QuoteState
from quotery.quotes.options import (
    Configuration,
    configuration_from_data,
    has_options,
    option_changes,
    saved_configuration,
)
from quotery.quotes.states import effective_state
from quotery.sharing.models import PortalShare

# Choices change while the client can still accept or ask for changes on this revision.
OPEN_FOR_CHOICES = frozenset({QuoteState.SENT, QuoteState.CHANGES_REQUESTED})


def share_configuration(
    share: PortalShare, content: dict[str, Any], content_hash: str
) -> Configuration:
    """What this recipient chose on the revision they see (the defaults until they choose)."""
    return saved_configuration(
        content,
        content_hash,
        choices=share.choices,
        choices_content_hash=share.choices_content_hash,
    )


def page_configuration(current: PortalPage) -> Configuration | None:
    """The configuration the link's pages and PDF show: the one accepted, once accepted;
    else, on a quote with options, the recipient's current choices (the defaults until they
    choose); None for a quote without options."""
    if current.acceptance is not None and current.acceptance.configuration:
        return accepted_configuration(current.acceptance)
    if has_options(current.content):
        return share_configuration(current.share, current.content, current.content_hash)
    return None


# Written by hand (quotery.core.rawsql): the page's script saves on every tick.
SAVE_SQL = (
    f"UPDATE {PortalShare._meta.db_table} "  # noqa: S608
    "SET choices = %s, choices_content_hash = %s WHERE id = %s"
)


def portal_choices_save(
    *, share: PortalShare, data: Any, meta: RequestMeta, by_client: bool
) -> Configuration:
    """Keeps the recipient's choices on the revision their link shows, and records each
    change as an `option_changed` event when `by_client` (a staff member trying the link
    changes and records nothing). Refused with nothing written: choices the revision does
    not offer (ValidationFailed, naming each problem), a quote no longer open for answers
    (QuoteNotAcceptable), a revoked link (NotFound).

    Takes the quote's row lock, so two tabs saving at once record each change once, in the
    one query that reads the link, its saved choices and the quote with its company
    (`share_choices_locked`); a change then writes the choices and appends its events
    after the chain head that query read (on PostgreSQL in one statement): a handful of
    hand-written statements, on every tick of the page."""
    with transaction.atomic():
        saved = share_choices_locked(share)  # takes the quote's lock with the read
        if saved is None:
            raise link_gone()
        quote = saved.quote
        state = effective_state(quote.state, quote.valid_until, quote.company.zone, timezone.now())
        if state not in OPEN_FOR_CHOICES:
            raise answer_refusal(state, "change your choices")
        revision = revision_content(quote)
        if not has_options(revision.content):
            raise QuoteNotAcceptable("This quote has no options to choose.")
        configuration = configuration_from_data(revision.content, data)
        if not by_client:
            return configuration
        before = saved_configuration(
            revision.content,
            revision.content_hash,
            choices=saved.choices,
            choices_content_hash=saved.choices_content_hash,
        )
        changes = option_changes(revision.content, before, configuration)
        if not changes:
            return configuration
        choices = configuration.canonical_json().decode("utf-8")
        events.event_options_changed(
            quote=quote,
            share=share,
            meta=meta,
            changes=changes,
            head=ChainHead(quote.chain_length, quote.chain_hash, quote.chain_signature),
            # the choices saved with the append (on PostgreSQL, in its one statement)
            write=(SAVE_SQL, [choices, revision.content_hash, share.pk]),
        )
    share.choices = choices
    share.choices_content_hash = revision.content_hash
    return configuration
