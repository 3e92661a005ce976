"""The local mailbox: read in the browser what the file mailer wrote (development only).

No login: a newcomer opens a portal link from here in a private window, so that the visit is
a client's and is counted. The pages do not exist (404) unless MAILBOX_DIR is set.
"""

from __future__ import annotations

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from quotery.notifications.selectors import mailbox_dir, mailbox_message, mailbox_messages


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
