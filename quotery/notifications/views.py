"""HTTP for the in-app notifications (the bell, the list, open, mark all read) and for the
local mailbox.

The local mailbox: read in the browser what the file mailer wrote (development only).
No login: a newcomer opens a portal link from here in a private window, so that the visit is
a client's and is counted. The pages do not exist (404) unless MAILBOX_DIR is set.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from quotery.accounts.access import MemberRequest, member_required
from quotery.core.forms import posted_id
from quotery.notifications import services
from quotery.notifications.models import NotificationKind
from quotery.notifications.selectors import (
    mailbox_dir,
    mailbox_message,
    mailbox_messages,
    notification_of_user,
    notifications_for_user,
    notifications_unread_count,
)

PAGE_SIZE = 25
# The quote page's banner with the client's request (changes asked for, a message).
CLIENT_REQUEST_ANCHOR = "client-request"
CLIENT_REQUEST_KINDS = frozenset(
    {NotificationKind.CHANGES_REQUESTED, NotificationKind.CLIENT_MESSAGE}
)
# htmx stops polling on this status (used once the session has ended).
HTMX_STOP_POLLING = 286


def _directory() -> Path:
    directory = mailbox_dir()
    if directory is None:
        raise Http404("The local mailbox is off.")
    return directory


@require_safe
def mailbox_list(request: HttpRequest) -> HttpResponse:
    directory = _directory()
    context = {"mail": mailbox_messages(directory), "directory": directory}
    response = render(request, "notifications/mailbox/list.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def mailbox_message_detail(request: HttpRequest, name: str) -> HttpResponse:
    message = mailbox_message(_directory(), name)
    if message is None:
        raise Http404("No such message.")
    context = {
        "message": message,
        # Shown in a sandbox without scripts; links open outside it, in a new window.
        "srcdoc": '<base target="_blank">' + message.html if message.html else "",
    }
    response = render(request, "notifications/mailbox/message.html", context)
    # The links in it are capability links: keep them out of caches and Referer headers.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@member_required()
@require_safe
def notification_list(request: MemberRequest) -> HttpResponse:
    notifications = notifications_for_user(user=request.user, company=request.company)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread": notifications_unread_count(user=request.user, company=request.company),
        # "Mark all read" leaves alone what arrived after this page was drawn.
        "newest_id": page[0].pk if page.number == 1 and page.object_list else None,
    }
    return render(request, "notifications/list.html", context)


@member_required()
@require_POST
def notification_open(request: MemberRequest, pk: int) -> HttpResponse:
    notification = notification_of_user(user=request.user, company=request.company, pk=pk)
    services.notification_open(notification=notification, user=request.user)
    url = reverse("quotes:detail", args=[notification.quote_id])
    if notification.kind in CLIENT_REQUEST_KINDS:
        url += f"#{CLIENT_REQUEST_ANCHOR}"  # the banner at the top: their words, Reply
    elif notification.kind == NotificationKind.QUOTE_EXPIRED:
        url += "#reminders"  # the panel with Extend validity
    return HttpResponseRedirect(url)


@member_required()
@require_POST
def notifications_mark_all_read(request: MemberRequest) -> HttpResponse:
    marked = services.notifications_mark_all_read(
        user=request.user, up_to_id=posted_id(request.POST.get("up_to", ""))
    )
    if marked:
        noun = "notification" if marked == 1 else "notifications"
        messages.success(request, f"Marked {marked} {noun} as read.")
    return redirect("notifications:list")


@require_safe
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The inside of the bell, polled by htmx. After logout it answers with a plain bell
    and the status that stops the polling, rather than a redirect to the login page that
    htmx would follow and paste into the navigation."""
    membership = getattr(request, "membership", None)
    if not request.user.is_authenticated or membership is None:
        return render(
            request, "notifications/_bell_inner.html", {"unread": None}, status=HTMX_STOP_POLLING
        )
    unread = notifications_unread_count(user=request.user, company=membership.company)
    response = render(request, "notifications/_bell_inner.html", {"unread": unread})
    response["Cache-Control"] = "no-store"
    return response
