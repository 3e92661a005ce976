"""HTTP for the rep's sharing: the share form, resending and revoking a link, and the
rep's reply in the quote's conversation.

Each view finds the quote among those the member may edit (a foreign, another rep's or a
read-only member's quote is a 404) and the share among that quote's shares, then calls one
service.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from quotery.accounts.access import EDITORS, MemberRequest, member_required
from quotery.core.exceptions import ApplicationError, ValidationFailed
from quotery.core.forms import add_service_errors
from quotery.portal.forms import RepMessageForm, ShareForm
from quotery.portal.selectors import shares_for_quote
from quotery.portal.services import answers, sharing
from quotery.quotes.models import Quote
from quotery.quotes.selectors import quotes_editable_by
from quotery.sharing.models import PortalShare


def _editable_quote(request: MemberRequest, pk: int) -> Quote:
    quote = (
        quotes_editable_by(request.membership)
        .select_related("company", "client", "contact", "owner")
        .filter(pk=pk)
        .first()
    )
    if quote is None:
        raise Http404("No such quote.")
    return quote


def _share_of(quote: Quote, share_pk: int) -> PortalShare:
    share = shares_for_quote(quote).filter(pk=share_pk).first()
    if share is None:
        raise Http404("No such share.")
    share.quote = quote
    return share


def _sent_message(email: str, verb: str) -> SafeString:
    if settings.MAILBOX_DIR:
        return format_html(
            '{} {}. <a href="{}">Open the local mailbox</a> to follow the link.',
            verb,
            email,
            reverse("mailbox:list"),
        )
    return format_html("{} {}.", verb, email)


@member_required(EDITORS)
def share(request: MemberRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                done = sharing.share_send(
                    quote=quote,
                    user=request.user,
                    recipient_name=form.cleaned_data["recipient_name"],
                    recipient_email=form.cleaned_data["recipient_email"],
                    message=form.cleaned_data["message"],
                )
            except ValidationFailed as error:
                add_service_errors(form, error)
            except ApplicationError as error:  # not shareable in its state, a race
                form.add_error(None, error.message)
            else:
                messages.success(request, _sent_message(done.recipient_email, "Shared with"))
                return redirect("quotes:detail", pk=quote.pk)
        return _render_share(request, quote, form, status=422)
    return _render_share(request, quote, ShareForm.for_quote(quote), status=200)


def _render_share(
    request: MemberRequest, quote: Quote, form: ShareForm, status: int
) -> HttpResponse:
    context = {
        "quote": quote,
        "form": form,
        "has_errors": status != 200,
        "shareable": quote.state in sharing.SHAREABLE_STATES,
    }
    return render(request, "portal/rep/share.html", context, status=status)


@require_POST
@member_required(EDITORS)
def resend(request: MemberRequest, pk: int, share_pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    previous = _share_of(quote, share_pk)
    try:
        done = sharing.share_send(
            quote=quote,
            user=request.user,
            recipient_name=previous.recipient_name,
            recipient_email=previous.recipient_email,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _sent_message(done.recipient_email, "Sent again to"))
    return redirect("quotes:detail", pk=quote.pk)


@require_POST
@member_required(EDITORS)
def revoke(request: MemberRequest, pk: int, share_pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    target = _share_of(quote, share_pk)
    if target.is_revoked:
        messages.info(request, f"The link for {target.recipient_email} was already revoked.")
    else:
        sharing.share_revoke(share=target, user=request.user)
        messages.success(
            request,
            f"The link for {target.recipient_email} no longer opens the quote. "
            "Resend to give them a new one.",
        )
    return redirect("quotes:detail", pk=quote.pk)


@require_POST
@member_required(EDITORS)
def reply(request: MemberRequest, pk: int) -> HttpResponse:
    """The rep answers in the thread from the quote's page; the client is emailed."""
    quote = _editable_quote(request, pk)
    form = RepMessageForm(request.POST)
    form.is_valid()  # free text: `rep_message_post` judges it
    try:
        answers.rep_message_post(quote=quote, user=request.user, body=form.cleaned_data["body"])
    except ValidationFailed as error:
        add_service_errors(form, error)
    except ApplicationError as error:  # nobody holds a live link
        form.add_error(None, error.message)
    else:
        messages.success(request, "Your reply is in the conversation and on its way to the client.")
        return HttpResponseRedirect(reverse("quotes:detail", args=[quote.pk]) + "#conversation")
    context = {"quote": quote, "form": form, "has_errors": True}
    return render(request, "portal/rep/reply.html", context, status=422)
