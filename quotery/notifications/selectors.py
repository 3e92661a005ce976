"""Reads of the local mailbox (the emails Django's file mailer wrote under MAILBOX_DIR), and
of the in-app notifications a user sees (at the end).

The mailbox is only for development (MAILBOX_DIR is unset in production and whenever
EMAIL_URL is set). A message is named `<file stem>.<position in the file>`; names are
checked against a strict pattern and the file must sit directly in MAILBOX_DIR, so a name
cannot reach another file.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from quotery.accounts.models import Company, User
from quotery.notifications.models import Notification

# What the file backend names its files: <YYYYmmdd-HHMMSS>-<number>.log
FILE_PATTERN = re.compile(r"\A\d{8}-\d{6}-\d{1,24}\Z")
NAME_PATTERN = re.compile(r"\A(\d{8}-\d{6}-\d{1,24})\.(\d{1,4})\Z")
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
MAX_FILES = 200  # the newest files; enough for a developer's afternoon


@dataclass(frozen=True)
class MailboxMessage:
    name: str
    subject: str
    to: str
    sender: str
    sent_at: dt.datetime | None
    text: str
    html: str


def mailbox_dir() -> Path | None:
    configured = getattr(settings, "MAILBOX_DIR", None)
    return Path(configured) if configured else None


def _parse(name: str, raw: bytes) -> MailboxMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    try:
        sent_at = parsedate_to_datetime(str(parsed["Date"])) if parsed["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    return MailboxMessage(
        name=name,
        subject=str(parsed["Subject"] or "(no subject)"),
        to=str(parsed["To"] or ""),
        sender=str(parsed["From"] or ""),
        sent_at=sent_at,
        text=text_part.get_content() if isinstance(text_part, EmailMessage) else "",
        html=html_part.get_content() if isinstance(html_part, EmailMessage) else "",
    )


def _messages_in(path: Path) -> list[MailboxMessage]:
    chunks = [chunk for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip()]
    return [_parse(f"{path.stem}.{index}", chunk) for index, chunk in enumerate(chunks)]


def mailbox_messages(directory: Path) -> list[MailboxMessage]:
    """Every message in the newest files, newest first."""
    if not directory.is_dir():
        return []
    files = sorted(
        (path for path in directory.glob("*.log") if FILE_PATTERN.match(path.stem)),
        key=lambda path: path.stat().st_mtime_ns,
        reverse=True,
    )[:MAX_FILES]
    # Newest file first; in a file, messages were appended in the order they were sent.
    return [message for path in files for message in reversed(_messages_in(path))]


def mailbox_message(directory: Path, name: str) -> MailboxMessage | None:
    """One message by name, or None for a bad or unknown name."""
    match = NAME_PATTERN.match(name)
    if match is None:
        return None
    stem, index = match.group(1), int(match.group(2))
    path = directory / f"{stem}.log"
    if path.parent != directory or not path.is_file():
        return None
    messages = _messages_in(path)
    return messages[index] if index < len(messages) else None


# In-app notifications. A user only ever reads their own (SECURITY.md 23): every query here
# is scoped to the user and to the company they work for now.


def notifications_unread_count(*, user: User, company: Company) -> int:
    """How many of the user's notifications are unread: one COUNT on the (user, read_at)
    index, cheap enough for the bell on every page and its polling."""
    return Notification.objects.filter(user=user, company=company, read_at__isnull=True).count()


def notifications_for_user(*, user: User, company: Company) -> QuerySet[Notification]:
    """The user's notifications, newest first, each with its quote's number at hand."""
    return (
        Notification.objects.filter(user=user, company=company)
        .select_related("quote")
        .only("pk", "kind", "text", "created_at", "read_at", "quote__id", "quote__number")
        .order_by("-created_at", "-pk")
    )


def notification_of_user(*, user: User, company: Company, pk: int) -> Notification:
    """One of the user's own notifications, or 404: another user's or another company's
    notification is indistinguishable from one that does not exist."""
    notification = Notification.objects.filter(pk=pk, user=user, company=company).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification
