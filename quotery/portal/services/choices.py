"""The client's choices on a quote with options: kept per link, each change an event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from quotery.core.exceptions import QuoteNotAcceptable
from quotery.core.request_meta import RequestMeta
from quotery.engagement import events
from quotery.portal.selectors import PortalPage, revision_content
from quotery.portal.services.acceptance import accepted_configuration
from quotery.portal.services.answers import answer_refusal, link_check_live
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import Quote, QuoteState
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


def portal_choices_save(
    *, share: PortalShare, data: Any, meta: RequestMeta, by_client: bool
) -> Configuration:
    """Keeps the recipient's choices on the revision their link shows, and records each
    change as an `option_changed` event when `by_client` (a staff member trying the link
    changes and records nothing). Refused with nothing written: choices the revision does
    not offer (ValidationFailed, naming each problem), a quote no longer open for answers
    (QuoteNotAcceptable), a revoked link (NotFound).

    Takes the quote's row lock, so two tabs saving at once record each change once."""
    with transaction.atomic():
        quote_lock(share.quote_id)
        link_check_live(share)
        quote = Quote.objects.select_related("company").get(pk=share.quote_id)
        state = effective_state(quote.state, quote.valid_until, quote.company.zone, timezone.now())
        if state not in OPEN_FOR_CHOICES:
            raise answer_refusal(state, "change your choices")
        revision = revision_content(quote)
        if not has_options(revision.content):
            raise QuoteNotAcceptable("This quote has no options to choose.")
        configuration = configuration_from_data(revision.content, data)
        if not by_client:
            return configuration
        current = PortalShare.objects.get(pk=share.pk)
        before = share_configuration(current, revision.content, revision.content_hash)
        changes = option_changes(revision.content, before, configuration)
        if not changes:
            return configuration
        PortalShare.objects.filter(pk=share.pk).update(
            choices=configuration.canonical_json().decode("utf-8"),
            choices_content_hash=revision.content_hash,
        )
        for change in changes:
            events.event_option_changed(
                quote=quote,
                share=share,
                meta=meta,
                change=change["change"],
                line=change["line"],
                section=change["section"],
                replaced=change.get("replaced"),
                previous=change.get("from"),
                new=change.get("to"),
            )
    share.choices = configuration.canonical_json().decode("utf-8")
    share.choices_content_hash = revision.content_hash
    return configuration
