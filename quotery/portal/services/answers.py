"""The client's other answers (request changes, decline) and the conversation on a quote,
with everything each sets off: the state change, the chained event, the owner's in-app
notification and the emails (outbox), all in one transaction.

Every client service takes the quote's row lock (`quote_lock`) and checks the link and the
quote's state again under it (SECURITY.md 4): a page loaded before the quote was cancelled,
expired or answered cannot act on it. Bad input raises ValidationFailed before anything is
written; a refusal raises inside the transaction, which then writes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quotery.accounts.models import User
from quotery.core.exceptions import (
    AlreadyAnswered,
    ApplicationError,
    NotFound,
    QuoteNotAcceptable,
    ValidationFailed,
)
from quotery.core.languages import DEFAULT_LANGUAGE
from quotery.core.request_meta import RequestMeta
from quotery.core.text import message_has_control_characters, message_text
from quotery.engagement import events
from quotery.notifications.models import NotificationKind
from quotery.notifications.services import notification_add, outbox_email_add
from quotery.portal.selectors import revision_content
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.options import choices_summary, has_options, saved_configuration
from quotery.quotes.services.quotes import quote_mark_changes_requested, quote_mark_declined
from quotery.quotes.states import effective_state
from quotery.sharing.models import (
    AuthorKind,
    ConversationMessage,
    Decline,
    DeclineReason,
    PortalShare,
)

MESSAGE_MAX = 2000
DETAIL_MAX = 2000
S = QuoteState
CHANGEABLE_STATES = frozenset({S.SENT, S.CHANGES_REQUESTED, S.EXPIRED})
DECLINABLE_STATES = frozenset({S.SENT, S.CHANGES_REQUESTED})
ACCEPTED_STATES = frozenset({S.ACCEPTED, S.READY_FOR_BILLING, S.CLOSED})
# What the client can no longer do, in their language: `answer_refusal`'s verbs.
ANSWER_VERBS = {
    "ask for changes": gettext_lazy("ask for changes"),
    "decline it": gettext_lazy("decline it"),
}


# ---------------------------------------------------------------------------------------
# Input


def text_errors(text: str, *, max_length: int, required: str | None, what: str = "") -> list[str]:
    """Problems with a multi-line text, in the writer's words, judged as it will be stored
    (`message_text`: bidi controls dropped). `required`: the message for an empty text, or
    None when it may be empty."""
    clean = message_text(text)
    what = what or _("Your message")
    if not clean:
        return [required] if required else []
    if len(clean) > max_length:
        return [
            _("%(what)s can be at most %(max)s characters; it has %(length)s.")
            % {"what": what, "max": max_length, "length": len(clean)}
        ]
    if message_has_control_characters(clean):
        return [
            _("%(what)s contains characters that cannot be shown. Please type it again.")
            % {"what": what}
        ]
    return []


def _check_text(
    field: str, text: str, *, required: str | None, max_length: int = MESSAGE_MAX
) -> str:
    errors = text_errors(text, max_length=max_length, required=required)
    if errors:
        raise ValidationFailed(
            _("Nothing was sent yet. Check the field below."), field_errors={field: errors}
        )
    return message_text(text)


# ---------------------------------------------------------------------------------------
# Under the lock


def link_check_live(share: PortalShare) -> None:
    """SECURITY.md 3-4, checked again under the quote's lock by every answer: the link is
    still the live one. Revoked, or revoked and issued again (the share has a new key), it
    opens nothing and raises NotFound."""
    if not PortalShare.objects.filter(pk=share.pk, key=share.key, revoked_at__isnull=True).exists():
        raise link_gone()


def link_gone() -> NotFound:
    """What an answer through a link that is no longer the live one raises."""
    return NotFound(_("This link no longer works."))


def _locked_quote(share: PortalShare, now: dt.datetime) -> tuple[Quote, str]:
    """The quote re-read under its lock, with the state to judge (expired once its day has
    ended). The link must still be the live one: revoked or re-issued, it opens nothing."""
    quote_lock(share.quote_id)
    link_check_live(share)
    quote = Quote.objects.select_related("company", "owner").get(pk=share.quote_id)
    return quote, effective_state(quote.state, quote.valid_until, quote.company.zone, now)


def answer_refusal(state: str, verb: str) -> ApplicationError:
    """Why the client cannot `verb` ("ask for changes", "decline") in `state`."""
    words = {"verb": ANSWER_VERBS.get(verb, verb)}
    if state in ACCEPTED_STATES:
        return AlreadyAnswered(
            _(
                "This quote has already been accepted, so you can no longer %(verb)s. You "
                "can still send a message from the quote's page."
            )
            % words
        )
    if state == S.DECLINED:
        return AlreadyAnswered(
            _("This quote has already been declined, so you can no longer %(verb)s.") % words
        )
    if state == S.EXPIRED:
        return QuoteNotAcceptable(
            _(
                "This quote has expired, so you can no longer %(verb)s. You can still ask for "
                "changes, and the sender can send you an updated quote."
            )
            % words
        )
    if state == S.CANCELLED:
        return QuoteNotAcceptable(
            _("This quote was withdrawn by the sender, so you can no longer %(verb)s.") % words
        )
    return QuoteNotAcceptable(_("This quote is not open for answers."))


def _choices_in_words(quote: Quote, share: PortalShare) -> str:
    """On a quote with options, the choices kept for this link, in words; else ""."""
    revision = revision_content(quote)
    if not has_options(revision.content):
        return ""
    current = PortalShare.objects.only("choices", "choices_content_hash").get(pk=share.pk)
    configuration = saved_configuration(
        revision.content,
        revision.content_hash,
        choices=current.choices,
        choices_content_hash=current.choices_content_hash,
    )
    with translation.override(DEFAULT_LANGUAGE):  # for the rep, whose app is English
        return choices_summary(revision.content, configuration)


def _client_note(
    quote: Quote, share: PortalShare, body: str, now: dt.datetime, *, choices: str = ""
) -> ConversationMessage:
    return ConversationMessage.objects.create(
        choices_summary=choices,
        company_id=quote.company_id,
        quote=quote,
        author_kind=AuthorKind.CLIENT,
        author_name=share.recipient_name,
        author_email=share.recipient_email,
        share=share,
        body=body,
        created_at=now,
    )


def rep_note_add(
    *,
    quote: Quote,
    user: User,
    body: str,
    share: PortalShare | None = None,
    now: dt.datetime | None = None,
) -> ConversationMessage:
    """A rep's message in the thread and its `message_posted` event, inside the caller's
    transaction (a reply, or the personal message of a share)."""
    note = ConversationMessage.objects.create(
        company_id=quote.company_id,
        quote=quote,
        author_kind=AuthorKind.REP,
        author_name=user.full_name or user.email,
        author_email=user.email,
        author_user=user,
        share=share,
        body=body,
        created_at=now or timezone.now(),
    )
    events.event_message_posted(
        quote=quote, message_id=note.pk, author_kind=AuthorKind.REP, actor=user
    )
    return note


def owner_tell(
    *,
    quote: Quote,
    kind: str,
    text: str,
    notification_key: str,
    email_kind: str,
    email_key: str,
    context: dict[str, object],
) -> None:
    """The quote's owner hears of a client's act in-app and by email (outbox), in the
    caller's transaction; each written once per its dedupe key (the email's is its
    Message-ID)."""
    notification_add(
        user=quote.owner, quote=quote, kind=kind, text=text, dedupe_key=notification_key
    )
    outbox_email_add(
        company=quote.company,
        kind=email_kind,
        dedupe_key=email_key,
        to_email=quote.owner.email,
        to_name=quote.owner.full_name,
        context=context,
    )


# ---------------------------------------------------------------------------------------
# The client's answers


def quote_request_changes(
    *,
    share: PortalShare,
    message: str,
    request_meta: RequestMeta,
    now: dt.datetime | None = None,
) -> ConversationMessage:
    """The client asks for changes (on an expired quote: for a new version): the quote
    becomes *changes requested* (also from expired), the message joins the thread, a
    `changes_requested` event is chained, and the owner gets a notification and an email
    linking back to the quote.

    Holds the quote's lock from its checks to its last write. Refused, with nothing
    written: an empty or over-long message (ValidationFailed), a dead link (NotFound), an
    accepted or declined quote (AlreadyAnswered), a withdrawn one (QuoteNotAcceptable).
    """
    body = _check_text("message", message, required=_("Write what you would like changed."))
    now = now or timezone.now()
    with transaction.atomic():
        quote, state = _locked_quote(share, now)
        if state not in CHANGEABLE_STATES:
            raise answer_refusal(state, "ask for changes")
        quote_mark_changes_requested(quote=quote)
        note = _client_note(quote, share, body, now, choices=_choices_in_words(quote, share))
        events.event_changes_requested(
            quote=quote, share=share, meta=request_meta, message_id=note.pk
        )
        # On an expired quote the client's page offers "Ask for a new version".
        new_version = state == S.EXPIRED
        asked = "asked for a new version of" if new_version else "asked for changes to"
        owner_tell(
            quote=quote,
            kind=NotificationKind.CHANGES_REQUESTED,
            text=f"{share.recipient_name} {asked} {quote.number}.",
            notification_key=f"changes_requested:{note.pk}",
            email_kind="changes_requested_rep",
            email_key=f"changes_requested_rep:changes_requested:{note.pk}",
            context={"message": note.pk, "new_version": True}
            if new_version
            else {"message": note.pk},
        )
    return note


def quote_decline(
    *,
    share: PortalShare,
    reason: str,
    detail: str,
    request_meta: RequestMeta,
    now: dt.datetime | None = None,
) -> Decline:
    """The client declines the quote, with a reason from DeclineReason ("" when they gave
    none) and optional words of their own: the quote becomes *declined*, a Decline row and
    a `quote_declined` event are written, the owner gets a notification and an email.

    Exactly once: holds the quote's lock from its checks to its last write, and the
    one-decline-per-quote constraint backs that up; a repeat raises AlreadyAnswered. An
    expired or withdrawn quote raises QuoteNotAcceptable; nothing is written on refusal.
    """
    text = _check_decline(reason, detail)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            quote, state = _locked_quote(share, now)
            _check_declinable(quote, share, state)
            quote_mark_declined(quote=quote)
            decline = Decline.objects.create(
                company_id=quote.company_id,
                quote=quote,
                share=share,
                reason=reason,
                detail=text,
                revision_number=quote.revision_number,
                declined_at=now,
            )
            events.event_quote_declined(
                quote=quote, share=share, meta=request_meta, reason=reason, with_detail=bool(text)
            )
            said = f" ({DeclineReason(reason).label.lower()})" if reason else ""
            owner_tell(
                quote=quote,
                kind=NotificationKind.QUOTE_DECLINED,
                text=f"{share.recipient_name} declined {quote.number}{said}.",
                notification_key=f"declined:{decline.pk}",
                email_kind="declined_rep",
                email_key=f"declined_rep:declined:{decline.pk}",
                context={"decline": decline.pk},
            )
    except IntegrityError as error:  # a concurrent decline slipped past the lock
        raise AlreadyAnswered(_("This quote has already been declined.")) from error
    return decline


def _check_decline(reason: str, detail: str) -> str:
    """The client's own words as they will be stored, once the reason is one of the list
    (or none) and the words fit; else ValidationFailed with every problem at once."""
    errors: dict[str, list[str]] = {}
    if reason and reason not in DeclineReason.values:
        errors["reason"] = [_("Pick one of the reasons in the list, or none.")]
    detail_errors = text_errors(
        detail, max_length=DETAIL_MAX, required=None, what=_("What you would like to add")
    )
    if detail_errors:
        errors["detail"] = detail_errors
    if errors:
        raise ValidationFailed(
            _("Nothing was sent yet. Check the fields below."), field_errors=errors
        )
    return message_text(detail)


def _check_declinable(quote: Quote, share: PortalShare, state: str) -> None:
    """Under the lock: a sent quote, or one with changes requested, can be declined; a
    client who already declined through this link is told so."""
    if state in DECLINABLE_STATES:
        return
    if Decline.objects.filter(quote=quote, share=share).exists():
        raise AlreadyAnswered(
            _("You have already declined this quote, and the sender has been told.")
        )
    raise answer_refusal(state, "decline it")


# ---------------------------------------------------------------------------------------
# The conversation


def client_message_post(
    *,
    share: PortalShare,
    body: str,
    request_meta: RequestMeta,
    now: dt.datetime | None = None,
) -> ConversationMessage:
    """A message from the client in the quote's thread, in any state but withdrawn: a
    `message_posted` event, and a notification and an email for the owner.

    Holds the quote's lock while it checks and writes; nothing is written on refusal.
    """
    text = _check_text("body", body, required=_("Write your message first."))
    now = now or timezone.now()
    with transaction.atomic():
        quote, state = _locked_quote(share, now)
        if state in {S.CANCELLED, S.DRAFT}:
            raise QuoteNotAcceptable(
                _("This quote was withdrawn by the sender, so the conversation is closed.")
            )
        note = _client_note(quote, share, text, now)
        events.event_message_posted(
            quote=quote,
            message_id=note.pk,
            author_kind=AuthorKind.CLIENT,
            share=share,
            meta=request_meta,
        )
        owner_tell(
            quote=quote,
            kind=NotificationKind.CLIENT_MESSAGE,
            text=f"{share.recipient_name} wrote about {quote.number}.",
            notification_key=f"client_message:{note.pk}",
            email_kind="client_message_rep",
            email_key=f"client_message_rep:client_message:{note.pk}",
            context={"message": note.pk},
        )
    return note


def rep_message_post(
    *, quote: Quote, user: User, body: str, now: dt.datetime | None = None
) -> ConversationMessage:
    """The rep answers in the quote's thread: a `message_posted` event with the rep as
    actor, and one email per live link of the quote, each to its recipient with their own
    link (one per message and share, however often this runs).

    The caller has checked that `user` may edit `quote`. Holds the quote's lock while it
    reads the live shares and writes. Refused with nothing written: bad input
    (ValidationFailed), a quote with no live link, so nobody to tell (ApplicationError).
    """
    text = _check_text("body", body, required="Write your message first.")
    now = now or timezone.now()
    with transaction.atomic():
        quote_lock(quote.pk)
        current = Quote.objects.select_related("company").get(
            pk=quote.pk, company_id=quote.company_id
        )
        shares = list(
            PortalShare.objects.filter(
                quote=current, company_id=current.company_id, revoked_at__isnull=True
            ).order_by("created_at", "pk")
        )
        if not shares:
            raise ApplicationError(
                "Nobody holds a live link to this quote: share it first, then your message "
                "reaches the client.",
                code="no_recipient",
                http_status=409,
            )
        note = rep_note_add(quote=current, user=user, body=text, now=now)
        for share in shares:
            outbox_email_add(
                company=current.company,
                kind="rep_message_client",
                dedupe_key=f"rep_message:{note.pk}:{share.pk}",
                to_email=share.recipient_email,
                to_name=share.recipient_name,
                context={"message": note.pk, "share": share.pk},
            )
    return note
