"""The client's other answers: request changes, decline, and messages in the thread.

GET (and HEAD) of a form page shows it and records nothing (SECURITY.md 9). A POST goes
through `portal_post` (the one 404, rate limits) and one service, which checks the link and
the quote's state again (SECURITY.md 4). Bad input re-renders the form with status 422 and
the input kept; a refusal gets a page that says why in plain words. Success goes back to
the client page with ?done=<answer>, which shows the matching confirmation.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from quotery.core.exceptions import (
    AlreadyAnswered,
    ApplicationError,
    NotFound,
    ValidationFailed,
)
from quotery.core.forms import add_service_errors
from quotery.core.request_meta import RequestMeta
from quotery.portal import ratelimit
from quotery.portal.forms import ChangesForm, ClientMessageForm, DeclineForm
from quotery.portal.presentation import brand_for, chosen_in_words, revision_body
from quotery.portal.selectors import portal_page
from quotery.portal.services import answers
from quotery.portal.services.choices import page_configuration
from quotery.portal.views.common import live_share, not_found_body, portal_headers, portal_post
from quotery.sharing.models import PortalShare


def _render(
    request: HttpRequest,
    share: PortalShare,
    token: str,
    template: str,
    extra: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """A phone-first page in the company's branding, from the revision the link shows and
    the link's current choices on it."""
    current = portal_page(share)
    company = current.quote.company
    # The quote as the link's choices shape it (the total the client is answering about).
    quote, _body = revision_body(current.content_hash, current.content, page_configuration(current))
    context = {
        "company": company,
        "brand": brand_for(company),
        "q": quote,
        "chosen": chosen_in_words(quote),
        "state": current.state,
        "messages": current.messages,
        "token": token,
        **extra,
    }
    with timezone.override(company.zone):
        return render(request, template, context, status=status)


def refused_page(
    request: HttpRequest, share: PortalShare, token: str, error: ApplicationError
) -> HttpResponse:
    if isinstance(error, NotFound):  # revoked meanwhile: the same 404 as any dead link
        return HttpResponse(not_found_body(), status=404)
    return _render(
        request,
        share,
        token,
        "portal/client/answer_closed.html",
        {"reason": error.message, "already": isinstance(error, AlreadyAnswered)},
        status=error.http_status,
    )


def _done(token: str, answer: str) -> HttpResponse:
    """Back to the client page, which confirms the answer (`DONE_NOTICES` in presentation)."""
    return HttpResponseRedirect(reverse("portal:page", args=[token]) + f"?done={answer}")


def _form_page(
    request: HttpRequest,
    token: str,
    template: str,
    form: forms.Form,
    open_states: frozenset[str],
    verb: str,
) -> HttpResponse:
    share = live_share(request, token)
    if isinstance(share, HttpResponse):
        return share
    state = portal_page(share).state
    refusal = None if state in open_states else answers.answer_refusal(state, verb).message
    return _render(request, share, token, template, {"form": form, "refusal": refusal})


def _form_errors(
    request: HttpRequest,
    share: PortalShare,
    token: str,
    template: str,
    form: forms.Form,
    error: ValidationFailed,
) -> HttpResponse:
    add_service_errors(form, error)
    return _render(request, share, token, template, {"form": form, "has_errors": True}, status=422)


# ---------------------------------------------------------------------------------------
# Request changes

CHANGES_TEMPLATE = "portal/client/changes.html"


@portal_headers
@require_http_methods(["GET", "HEAD", "POST"])
def request_changes(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _request_changes_post(request, token)
    return _form_page(
        request,
        token,
        CHANGES_TEMPLATE,
        ChangesForm(),
        answers.CHANGEABLE_STATES,
        "ask for changes",
    )


@portal_post(ratelimit.ANSWER)
def _request_changes_post(request: HttpRequest, share: PortalShare, *, token: str) -> HttpResponse:
    form = ChangesForm(request.POST)
    form.is_valid()  # every field is optional text: the service judges the values
    try:
        answers.quote_request_changes(
            share=share,
            message=form.cleaned_data["message"],
            request_meta=RequestMeta.from_request(request),
        )
    except ValidationFailed as error:
        return _form_errors(request, share, token, CHANGES_TEMPLATE, form, error)
    except ApplicationError as error:
        return refused_page(request, share, token, error)
    return _done(token, "changes")


# ---------------------------------------------------------------------------------------
# Decline

DECLINE_TEMPLATE = "portal/client/decline.html"


@portal_headers
@require_http_methods(["GET", "HEAD", "POST"])
def decline(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _decline_post(request, token)
    return _form_page(
        request, token, DECLINE_TEMPLATE, DeclineForm(), answers.DECLINABLE_STATES, "decline it"
    )


@portal_post(ratelimit.ANSWER)
def _decline_post(request: HttpRequest, share: PortalShare, *, token: str) -> HttpResponse:
    form = DeclineForm(request.POST)
    form.is_valid()
    try:
        answers.quote_decline(
            share=share,
            # An unknown choice is not in cleaned_data: pass what was sent, so the service
            # refuses it with its own words.
            reason=form.cleaned_data.get("reason", request.POST.get("reason", "")),
            detail=form.cleaned_data["detail"],
            request_meta=RequestMeta.from_request(request),
        )
    except ValidationFailed as error:
        form.errors.pop("reason", None)
        return _form_errors(request, share, token, DECLINE_TEMPLATE, form, error)
    except ApplicationError as error:
        return refused_page(request, share, token, error)
    return _done(token, "declined")


# ---------------------------------------------------------------------------------------
# The conversation

MESSAGE_TEMPLATE = "portal/client/message.html"


@portal_headers
@require_http_methods(["POST"])
def message(request: HttpRequest, token: str) -> HttpResponse:
    return _message_post(request, token)


@portal_post(ratelimit.MESSAGE)
def _message_post(request: HttpRequest, share: PortalShare, *, token: str) -> HttpResponse:
    form = ClientMessageForm(request.POST)
    form.is_valid()
    try:
        answers.client_message_post(
            share=share,
            body=form.cleaned_data["body"],
            request_meta=RequestMeta.from_request(request),
        )
    except ValidationFailed as error:
        return _form_errors(request, share, token, MESSAGE_TEMPLATE, form, error)
    except ApplicationError as error:
        return refused_page(request, share, token, error)
    return _done(token, "message")
