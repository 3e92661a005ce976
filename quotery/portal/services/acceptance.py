"""The client's acceptance: a typed-name electronic signature of the revision they saw, and
everything it sets off, exactly once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from quotery.billing.services import payment_open
from quotery.core.exceptions import (
    AlreadyAnswered,
    ChoicesChanged,
    QuoteNotAcceptable,
    RevisionMismatch,
    ValidationFailed,
)
from quotery.core.languages import DEFAULT_LANGUAGE
from quotery.core.money import format_money, money_str
from quotery.core.request_meta import RequestMeta
from quotery.core.text import is_mailable_address, name_problem
from quotery.documents.tasks import seal_accepted_pdf
from quotery.engagement import events
from quotery.engagement.chain import chain_head
from quotery.notifications.models import NotificationKind
from quotery.notifications.services import outbox_email_add
from quotery.portal.services.answers import link_check_live, owner_tell
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import Quote, QuoteRevision, QuoteState
from quotery.quotes.options import (
    Configuration,
    configuration_from_data,
    configured_content,
    configured_totals,
    has_options,
    saved_configuration,
)
from quotery.quotes.selectors import quote_language
from quotery.quotes.services.delivery_notes import delivery_note_create_for_quote
from quotery.quotes.services.quotes import quote_mark_accepted
from quotery.quotes.states import effective_state
from quotery.sharing.consent import consent_text, consent_version
from quotery.sharing.models import Acceptance, PortalShare
from quotery.sharing.signatures import signature_hash
from quotery.webhooks.services.publishing import webhook_publish_delivery_note_created

NAME_MAX = 200
ACCEPTABLE_STATES = frozenset({QuoteState.SENT, QuoteState.CHANGES_REQUESTED})
# Translated where it is said (`_(REVIEW_AGAIN)`): the client's language.
REVIEW_AGAIN = gettext_noop(
    "This quote was updated after you opened it, so nothing was recorded. Please review the "
    "new version, then accept it."
)


def acceptance_input_errors(*, name: str, email: str, consent: bool) -> dict[str, list[str]]:
    """Every problem with an acceptance form at once, keyed by field. The typed name is the
    signature: it follows `quotery.core.text.name_problem` (refused, never altered)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["signer_name"] = [_("Type your full name: it is your signature.")]
    elif len(name.strip()) > NAME_MAX:
        errors["signer_name"] = [
            _("Your name can be at most %(max)s characters.") % {"max": NAME_MAX}
        ]
    elif problem := name_problem(name):
        errors["signer_name"] = [problem]
    if not is_mailable_address(email):
        errors["signer_email"] = [
            _("Enter your email address, like anna@example.com.")
            if email.strip()
            else _("Enter your email address: the confirmation goes there.")
        ]
    if not consent:
        errors["consent"] = [_("Tick the box to confirm that you accept and sign electronically.")]
    return errors


def not_acceptable_reason(state: str) -> str:
    """Why a quote in `state` cannot be accepted, in the client's words."""
    return {
        QuoteState.EXPIRED: _(
            "This quote has expired and can no longer be accepted. You can still ask for "
            "changes, and the sender can send you an updated quote."
        ),
        QuoteState.DECLINED: _("This quote was declined, so it can no longer be accepted."),
        QuoteState.CANCELLED: _("This quote was withdrawn by the sender and cannot be accepted."),
        QuoteState.DRAFT: _("This quote is not open for acceptance."),
    }.get(QuoteState(state), _("This quote has already been accepted."))


def revision_deposit(revision_content: dict[str, object]) -> tuple[str, str]:
    """The deposit a revision asks for, as the acceptance records it: percent and amount
    ("30", "300.00"); ("0", "0.00") when it asks for none."""
    deposit = revision_content.get("deposit")
    currency = str(revision_content["currency"])
    if isinstance(deposit, dict):
        return str(deposit["percent"]), str(deposit["amount"])
    return "0", money_str(Decimal(0), currency)


def acceptance_consent_text(revision_content: dict[str, object], company_name: str) -> str:
    """The consent text for a revision: its total and, when it asks for one, its deposit."""
    totals = revision_content["totals"]
    assert isinstance(totals, dict)
    currency = str(revision_content["currency"])
    total = format_money(Decimal(str(totals["total"])), currency)
    percent, amount = revision_deposit(revision_content)
    has_deposit = percent != "0"
    return consent_text(
        company_name=company_name,
        quote_number=str(revision_content["number"]),
        total=total,
        deposit_percent=percent if has_deposit else "",
        deposit=format_money(Decimal(amount), currency) if has_deposit else "",
    )


def quote_accept(
    *,
    share: PortalShare,
    signer_name: str,
    signer_email: str,
    consent: bool,
    revision_hash: str,
    request_meta: RequestMeta,
    now: dt.datetime | None = None,
    configuration_hash: str = "",
    language_shown: str = "",
) -> Acceptance:
    """Records the client's acceptance of the revision they saw and, in the same
    transaction: the chained event, the state change (closed, or ready for billing behind
    the finance gate), stock reservations and a draft delivery note, the owner's
    notification, and the emails to the owner and the signer (outbox).

    Exactly once (SECURITY.md 18): it holds the quote's row lock (`quote_lock`; SQLite's
    IMMEDIATE transaction admits one writer) from its checks to its last write, and the
    one-acceptance-per-quote unique constraint backs that up. A repeat raises
    AlreadyAnswered. Bad input (ValidationFailed), a changed quote (RevisionMismatch), a
    revoked link (NotFound) or a quote that is not open (QuoteNotAcceptable) raise before
    anything is written. On a quote with options the acceptance binds the choices kept for
    this link: `configuration_hash` is the hash of the choices the form showed, and when
    they changed since (another tab), ChoicesChanged names the new total and nothing is
    written. `language_shown` is the language the form and its consent text were shown in:
    when the client's language changed since, the words recorded would not be the words
    shown, so RevisionMismatch asks for a review and nothing is written.
    """
    errors = acceptance_input_errors(name=signer_name, email=signer_email, consent=consent)
    if errors:
        raise ValidationFailed(
            _("Nothing was recorded yet. Check the fields below."), field_errors=errors
        )
    now = now or timezone.now()
    try:
        with transaction.atomic():
            quote_lock(share.quote_id)
            quote = Quote.objects.select_related("company", "owner").get(pk=share.quote_id)
            _check_acceptable(quote, share, now)
            revision = _revision_seen(quote, revision_hash)
            acceptance = _acceptance_sign(
                quote=quote,
                share=share,
                revision=revision,
                signer_name=signer_name.strip(),
                signer_email=signer_email.strip().lower(),
                request_meta=request_meta,
                now=now,
                configuration_hash=configuration_hash,
                language_shown=language_shown,
            )
            _set_off_effects(quote, acceptance)
    except IntegrityError:
        # A concurrent acceptance slipped past the lock: say so. Anything else is a defect
        # and must not pass for "already accepted".
        if Acceptance.objects.filter(quote_id=share.quote_id).exists():
            raise AlreadyAnswered(_("This quote has already been accepted.")) from None
        raise
    return acceptance


def _check_acceptable(quote: Quote, share: PortalShare, now: dt.datetime) -> None:
    """SECURITY.md 4: the link and the quote's state are checked again on every POST,
    under the lock."""
    link_check_live(share)
    state = effective_state(quote.state, quote.valid_until, quote.company.zone, now)
    if state in ACCEPTABLE_STATES:
        return
    if Acceptance.objects.filter(quote=quote).exists():
        raise AlreadyAnswered(_("This quote has already been accepted."))
    if state == QuoteState.DECLINED:
        raise AlreadyAnswered(not_acceptable_reason(state))
    raise QuoteNotAcceptable(not_acceptable_reason(state))


def _revision_seen(quote: Quote, revision_hash: str) -> QuoteRevision:
    """The quote's latest revision, if it is the one the client saw (SECURITY.md 13): the
    form carries the content hash of what the page showed."""
    revision = QuoteRevision.objects.get(quote=quote, number=quote.revision_number)
    if revision.content_hash != revision_hash:
        raise RevisionMismatch(_(REVIEW_AGAIN))
    return revision


def _acceptance_sign(
    *,
    quote: Quote,
    share: PortalShare,
    revision: QuoteRevision,
    signer_name: str,
    signer_email: str,
    request_meta: RequestMeta,
    now: dt.datetime,
    configuration_hash: str = "",
    language_shown: str = "",
) -> Acceptance:
    """The signed acceptance (SECURITY.md 12) as the next link of the quote's chain: its
    signature hash covers the chain's last hash, and its `quote_accepted` event is the
    link that follows. Under the quote's lock, so no other event slips in between."""
    content = json.loads(revision.content)
    configuration = _choices_seen(share, revision, content, configuration_hash)
    if configuration is not None:
        # What the client takes: the chosen lines, their total and deposit.
        content = configured_content(content, configuration)
    deposit_percent, deposit_amount = revision_deposit(content)
    # The language the client's page showed the quote and consent text in: their own, else
    # the company's. Bound into the signed record with the words and their version.
    language = quote_language(quote)
    if language_shown and language_shown != language:
        raise RevisionMismatch(_(REVIEW_AGAIN))
    with translation.override(language):
        consent = acceptance_consent_text(content, quote.company.name)
    sequence, prev_hash = chain_head(quote.pk)
    acceptance = Acceptance(
        company_id=quote.company_id,
        quote=quote,
        share=share,
        link_key=share.key,
        revision=revision,
        revision_number=revision.number,
        content_hash=revision.content_hash,
        signer_name=signer_name,
        signer_email=signer_email,
        consent_text=consent,
        consent_version=consent_version(language),
        language=language,
        accepted_at=now,
        ip=request_meta.ip,
        user_agent=request_meta.user_agent,
        total=content["totals"]["total"],
        currency=content["currency"],
        deposit_percent=deposit_percent,
        deposit_amount=deposit_amount,
        prev_hash=prev_hash,
        event_sequence=sequence + 1,
    )
    if configuration is not None:
        acceptance.configuration = configuration.canonical_json().decode("utf-8")
        acceptance.configuration_hash = configuration.hash()
    acceptance.signature_hash = signature_hash(prev_hash, acceptance)
    acceptance.save()
    events.event_quote_accepted(
        quote=quote,
        share=share,
        meta=request_meta,
        acceptance_id=acceptance.pk,
        signature_hash=acceptance.signature_hash,
        revision_number=revision.number,
        configuration_hash=acceptance.configuration_hash,
    )
    return acceptance


def accepted_configuration(acceptance: Acceptance) -> Configuration | None:
    """The choices an acceptance of a quote with options bound (None without options)."""
    if not acceptance.configuration:
        return None
    content = json.loads(acceptance.revision.content)
    return configuration_from_data(content, json.loads(acceptance.configuration))


def accepted_lines(acceptance: Acceptance) -> dict[str, Decimal] | None:
    """The lines an acceptance took and their quantities ("<section>.<line>"), for the
    delivery note; None for a quote without options (every line, as written)."""
    configuration = accepted_configuration(acceptance)
    if configuration is None:
        return None
    content = json.loads(acceptance.revision.content)
    priced = configured_totals(content, configuration)
    return {item.key: item.quantity for item in priced.counted}


def choices_changed_message(content: dict[str, Any], configuration: Configuration) -> str:
    total = configured_totals(content, configuration).totals.total
    return _(
        "Your choices changed after this page was opened (in another tab or window), so "
        "nothing was recorded. The total is now %(total)s. Check it, then accept."
    ) % {"total": format_money(total, content["currency"])}


def _choices_seen(
    share: PortalShare, revision: QuoteRevision, content: dict[str, Any], seen_hash: str
) -> Configuration | None:
    """On a quote with options, the choices kept for this link (read under the lock), if
    they are the ones the form showed; None for a quote without options."""
    if not has_options(content):
        return None
    current = PortalShare.objects.only("choices", "choices_content_hash").get(pk=share.pk)
    configuration = saved_configuration(
        content,
        revision.content_hash,
        choices=current.choices,
        choices_content_hash=current.choices_content_hash,
    )
    if configuration.hash() != seen_hash:
        raise ChoicesChanged(choices_changed_message(content, configuration))
    return configuration


def _set_off_effects(quote: Quote, acceptance: Acceptance) -> None:
    """What an acceptance sets off, in its transaction: the state change, the payment
    behind the finance gate, the delivery note with its reservations, the owner's
    notification and email, the signer's confirmation, and (after commit) the sealed PDF."""
    company = quote.company
    quote_mark_accepted(quote=quote, finance_gate=company.finance_gate)
    if company.finance_gate:
        payment_open(quote=quote, acceptance=acceptance)
    note = delivery_note_create_for_quote(quote=quote, chosen=accepted_lines(acceptance))
    webhook_publish_delivery_note_created(
        company_id=quote.company_id,
        delivery_note_id=note.pk,
        quote_id=quote.pk,
        created_at=note.created_at,
    )
    with translation.override(DEFAULT_LANGUAGE):  # the rep's notification: English
        total = format_money(Decimal(acceptance.total), acceptance.currency)
    # The hash each email carries is recorded with it (SECURITY.md 17, 28): the email shows
    # this value, and `manage.py verify` compares it with the acceptance.
    context = {"acceptance": acceptance.pk, "signature_hash": acceptance.signature_hash}
    owner_tell(
        quote=quote,
        kind=NotificationKind.QUOTE_ACCEPTED,
        text=f"{acceptance.signer_name} accepted {quote.number} ({total}).",
        notification_key=f"acceptance:{acceptance.pk}:owner",
        email_kind="acceptance_rep",
        email_key=f"acceptance_rep:{acceptance.pk}",
        context=context,
    )
    outbox_email_add(
        company=company,
        kind="acceptance_client",
        dedupe_key=f"acceptance_client:{acceptance.pk}",
        to_email=acceptance.signer_email,
        to_name=acceptance.signer_name,
        context=context,
    )
    transaction.on_commit(lambda: seal_accepted_pdf.enqueue(acceptance_id=acceptance.pk))
