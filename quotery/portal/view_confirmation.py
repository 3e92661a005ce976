"""The ticket a client page hands its view beacon (SECURITY.md 10).

A GET of the page records an open; the page carries a token naming (share, open) signed
under SECRET_KEY with a timestamp (`TimestampSigner`), and the beacon turns exactly that open
into a counted view, within PORTAL_VIEW_CONFIRM_SECONDS (30 minutes unless configured).

Why not the open's number, as before: sequence numbers are small and public to anyone holding
the link, so posting the numbers of earlier opens turned old link-scanner fetches into counted
views. A token is only ever handed to the page that recorded its open, names that open and no
other, and goes stale; the beacon refuses a bare number, an edited token, another link's
token and a stale one alike. Once per open still holds in the database
(`event_one_view_per_open`).

Since the page's GET records its open without the chain (a pending open, see
quotery.engagement.pending_opens), the token names that pending open ("<share>.p<id>");
tokens naming a chained open by its sequence ("<share>.<sequence>", from pages served
before) are still taken within their window.

The link's key is in the salt: a token made for a link that was revoked and re-issued (the
share keeps its id, the link gets a new key) is no good for the new link. Signatures made
with a key in SECRET_KEY_FALLBACKS still verify, as Django's signing does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner

from quotery.core.exceptions import ValidationFailed
from quotery.sharing.models import PortalShare

SALT = "quotery.portal.view-confirmation"
DEFAULT_WINDOW_SECONDS = 30 * 60
# "<share>.<open>:<timestamp>:<signature>" is about 60 characters; anything much longer
# is not ours and is refused before any cryptography.
TOKEN_MAX = 200
PAYLOAD_PATTERN = re.compile(r"\A(\d{1,18})\.(p?)(\d{1,18})\Z")

NOT_AN_OPEN = "The view confirmation must name the open this page recorded; nothing was counted."
STALE = (
    "This page was opened too long ago for its view to be confirmed; nothing was counted. "
    "Reload the page."
)


def window_seconds() -> int:
    """How long after the page was served its beacon may still confirm the open."""
    return int(getattr(settings, "PORTAL_VIEW_CONFIRM_SECONDS", DEFAULT_WINDOW_SECONDS))


def _signer(share: PortalShare) -> TimestampSigner:
    return TimestampSigner(salt=f"{SALT}:{share.key}")


@dataclass(frozen=True)
class NamedOpen:
    """The open a token names: a pending open by its id, or a chained one by its sequence."""

    pending: int | None = None
    sequence: int | None = None


def view_token_for(
    *, share: PortalShare, open_sequence: int | None = None, pending_open: int | None = None
) -> str:
    """The token the page that recorded an open of `share` hands its beacon: naming the
    pending open `pending_open` (what the client page records) or the chained open
    `open_sequence`."""
    if pending_open is not None:
        return _signer(share).sign(f"{share.pk}.p{pending_open}")
    assert open_sequence is not None, "name the open by its pending id or its sequence"
    return _signer(share).sign(f"{share.pk}.{open_sequence}")


def open_named_by(*, share: PortalShare, view_token: str, window: int | None = None) -> NamedOpen:
    """The open `view_token` names, if it was made for this share's current link within the
    window (`window` seconds, else `window_seconds()`: the attention beacon of a page left
    open takes its token for longer than the view beacon). Raises ValidationFailed (a plain
    sentence) for anything else: a bare or huge number, an edited, foreign or stale token.
    Reads nothing, writes nothing.
    """
    if not view_token or len(view_token) > TOKEN_MAX:
        raise ValidationFailed(NOT_AN_OPEN)
    try:
        payload = _signer(share).unsign(
            view_token, max_age=window_seconds() if window is None else window
        )
    except SignatureExpired as error:
        raise ValidationFailed(STALE) from error
    except BadSignature as error:
        raise ValidationFailed(NOT_AN_OPEN) from error
    match = PAYLOAD_PATTERN.match(payload)
    if match is None or int(match.group(1)) != share.pk:
        raise ValidationFailed(NOT_AN_OPEN)
    number = int(match.group(3))
    return NamedOpen(pending=number) if match.group(2) else NamedOpen(sequence=number)
