"""Every write of the portal: sharing, revoking, and what a client's visit records."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from quotery.accounts.models import User
from quotery.core.exceptions import ApplicationError, IllegalTransition, ValidationFailed
from quotery.core.request_meta import RequestMeta
from quotery.core.text import is_mailable_address, message_text, name_problem
from quotery.engagement import events
from quotery.engagement.models import EventKind, QuoteEvent
from quotery.notifications.services import outbox_email_add
from quotery.portal.services.answers import rep_note_add, text_errors
from quotery.portal.view_confirmation import open_named_by
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import Quote, QuoteState
from quotery.quotes.services.quotes import quote_mark_sent
from quotery.sharing.links import new_share_key
from quotery.sharing.models import PortalShare

NAME_MAX = 200
MESSAGE_MAX = 2000
SHAREABLE_STATES = frozenset(
    {QuoteState.DRAFT, QuoteState.SENT, QuoteState.CHANGES_REQUESTED, QuoteState.EXPIRED}
)


def share_input_errors(*, name: str, email: str, message: str) -> dict[str, list[str]]:
    """Every problem with a share form at once, keyed by field, in words a rep understands.
    The name follows `quotery.core.text.name_problem`; the message is judged as it will be
    stored (bidi controls dropped)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["recipient_name"] = ["Enter the client's name."]
    elif len(name.strip()) > NAME_MAX:
        errors["recipient_name"] = [f"The name can be at most {NAME_MAX} characters."]
    elif problem := name_problem(name, whose="the client's"):
        errors["recipient_name"] = [problem]
    if not is_mailable_address(email):
        errors["recipient_email"] = [
            "Enter the client's email address, like anna@example.com."
            if email.strip()
            else "Enter the client's email address."
        ]
    message_errors = text_errors(message, max_length=MESSAGE_MAX, required=None, what="The message")
    if message_errors:
        errors["message"] = message_errors
    return errors


def share_send(
    *, quote: Quote, user: User, recipient_name: str, recipient_email: str, message: str = ""
) -> PortalShare:
    """Shares the quote with one recipient: the link for (quote, email) is created once and
    reused on every later share; each share sends a fresh email through the outbox, logs a
    `quote_shared` event, and a personal message starts (or continues) the conversation.

    All or nothing: on bad input or a quote that cannot be shared, nothing is written, sent
    or logged. Sharing again to a revoked recipient issues a new link (the old one stays dead).
    Holds the quote's row lock (taken by `quote_mark_sent`) from the state change to the
    email.
    """
    errors = share_input_errors(name=recipient_name, email=recipient_email, message=message)
    if errors:
        raise ValidationFailed(
            "The share was not sent. Check the fields below.", field_errors=errors
        )
    if quote.state not in SHAREABLE_STATES:
        raise IllegalTransition(
            f"This quote is {quote.get_state_display().lower()}, so it cannot be shared."
        )
    name = recipient_name.strip()
    email = recipient_email.strip().lower()
    text = message_text(message)
    try:
        with transaction.atomic():
            revision = quote_mark_sent(quote=quote, user=user)
            share, created = _share_for_sending(quote=quote, user=user, name=name, email=email)
            events.event_quote_shared(
                quote=quote, share=share, actor=user, resend=not created, with_message=bool(text)
            )
            if text:
                rep_note_add(quote=quote, user=user, body=text, share=share)
            outbox_email_add(
                company=quote.company,
                kind="portal_share",
                dedupe_key=f"portal_share:{share.pk}:{share.send_count}",
                to_email=email,
                to_name=name,
                context={
                    "share": share.pk,
                    "sender": user.pk,
                    "message": text,
                    "revision": revision.number,
                    # The recipient had an earlier version: the email says it is an update.
                    "update": not created and revision.number > 1,
                },
            )
    except IntegrityError as error:  # two reps sharing to the same new email at once
        raise ApplicationError(
            "Someone shared this quote with the same email just now. Try again."
        ) from error
    return share


def _share_for_sending(
    *, quote: Quote, user: User, name: str, email: str
) -> tuple[PortalShare, bool]:
    """The recipient's share, counted as sent once more, and whether it is new: created on
    the first share to (quote, email), with a new link if the old one was revoked."""
    share, created = PortalShare.objects.get_or_create(
        quote=quote,
        recipient_email=email,
        defaults={
            "company_id": quote.company_id,
            "recipient_name": name,
            "key": new_share_key(),
            "created_by": user,
        },
    )
    if share.is_revoked:
        share.key = new_share_key()
        share.revoked_at = None
        share.revoked_by = None
    share.recipient_name = name
    share.send_count += 1
    share.last_sent_at = timezone.now()
    share.save()
    return share, created


def share_revoke(*, share: PortalShare, user: User) -> PortalShare:
    """Kills the share's link at once; the client sees the same page as for an unknown link.

    Takes the quote's row lock before it touches the share, as every service that writes a
    quote's shares and events does (see `quotery.quotes.locks`): a beacon confirming a view
    holds the quote and then updates the share, so the other order could deadlock."""
    with transaction.atomic():
        quote_lock(share.quote_id)
        changed = PortalShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=user
        )
        if changed:
            events.event_link_revoked(quote=share.quote, share=share, actor=user)
    share.refresh_from_db()
    return share


def portal_open_record_pending(*, share: PortalShare, meta: RequestMeta) -> int:
    """A GET of the client page: recorded as an open, not yet a view (SECURITY.md 10), by
    one insert without the chain's lock (a pending open, chained at the quote's next append
    or read: quotery.engagement.pending_opens). Returns the pending open's id: the page
    hands its beacon `view_token_for(share=..., pending_open=<that id>)`, the only thing
    `portal_view_confirm` takes. Run outside a transaction, as the page does."""
    return events.event_link_opened_pending(quote=share.quote, share=share, meta=meta)


def portal_open_record(*, share: PortalShare, meta: RequestMeta) -> QuoteEvent:
    """An open appended to the chain at once (the demo data): the page hands its beacon
    `view_token_for(share=..., open_sequence=<the open's sequence>)`."""
    return events.event_link_opened(quote=share.quote, share=share, meta=meta)


OPEN_SQL = (
    f"SELECT revision_number FROM {QuoteEvent._meta.db_table} "  # noqa: S608
    "WHERE quote_id = %s AND sequence = %s AND kind = %s AND share_id = %s"
)
CONFIRMED_SQL = (
    f"SELECT 1 FROM {QuoteEvent._meta.db_table} "  # noqa: S608
    "WHERE quote_id = %s AND confirmed_open = %s"
)
SEEN_REVISION_SQL = (
    f"UPDATE {PortalShare._meta.db_table} SET last_viewed_revision = %s "  # noqa: S608
    "WHERE id = %s AND last_viewed_revision < %s"
)


def portal_view_confirm(*, share: PortalShare, view_token: str, meta: RequestMeta) -> bool:
    """The page's beacon: a visible browser confirms the open its page recorded, named by
    the page's `view_token` (see quotery.portal.view_confirmation). Counts at most one view
    per open, also when beacons race; returns whether it counted.

    Raises ValidationFailed, having read and written nothing, for a token that is not this
    link's or is older than the window: so a beacon can only confirm the open of the page it
    came from, never an earlier open (a link scanner's) by its number.

    Holds the quote's row lock (`quote_lock`) from the check to the insert. The queries
    are hand-written (they run on every beacon; see quotery.core.rawsql). Inside a caller's
    transaction it adds no savepoint.
    """
    named = open_named_by(share=share, view_token=view_token)
    if named.pending is not None:
        with transaction.atomic(savepoint=False):
            viewed = events.event_pending_open_viewed(
                quote=share.quote,
                share=share,
                meta=meta,
                pending_open=named.pending,
            )
            if viewed is None:
                return False
            revision_number = viewed.revision_number
            # The column only grows: when the share as loaded is already there, so is the row.
            if share.last_viewed_revision < revision_number:
                with connection.cursor() as cursor:
                    cursor.execute(SEEN_REVISION_SQL, [revision_number, share.pk, revision_number])
        return True
    open_sequence = named.sequence
    assert open_sequence is not None
    with transaction.atomic(savepoint=False):
        quote_lock(share.quote_id)
        with connection.cursor() as cursor:
            cursor.execute(
                OPEN_SQL, [share.quote_id, open_sequence, EventKind.LINK_OPENED, share.pk]
            )
            row = cursor.fetchone()
            if row is None:
                return False
            revision_number = row[0]
            cursor.execute(CONFIRMED_SQL, [share.quote_id, open_sequence])
            if cursor.fetchone() is not None:
                return False
            events.event_quote_viewed(
                quote=share.quote,
                share=share,
                meta=meta,
                open_sequence=open_sequence,
                revision_number=revision_number,
            )
            cursor.execute(SEEN_REVISION_SQL, [revision_number, share.pk, revision_number])
    return True


def portal_pdf_download_record(
    *, share: PortalShare, meta: RequestMeta, accepted_copy: bool = False
) -> QuoteEvent:
    return events.event_pdf_downloaded(
        quote=share.quote, share=share, meta=meta, accepted_copy=accepted_copy
    )
