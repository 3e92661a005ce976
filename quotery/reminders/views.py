"""HTTP for reminders: the company's schedule (admins), a quote's own schedule and Extend
validity (the quote's editors). Each view finds its object among the member's own (another
company's quote is a 404), calls one service, and redirects or shows the errors (422)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from quotery.accounts.access import ADMINS, EDITORS, MemberRequest, member_required
from quotery.core.exceptions import ApplicationError, ValidationFailed
from quotery.core.forms import add_service_errors
from quotery.quotes.models import Quote
from quotery.quotes.selectors import quotes_editable_by
from quotery.reminders.forms import ExtendValidityForm, QuoteRemindersForm, ReminderPolicyForm
from quotery.reminders.selectors import (
    policy_for,
    quote_schedule_row,
    reminders_for_quote,
    working_hours,
)
from quotery.reminders.services.settings import quote_reminders_set, reminder_policy_update
from quotery.reminders.services.validity import quote_validity_extend


@member_required(ADMINS)
def settings_page(request: MemberRequest) -> HttpResponse:
    company = request.company
    policy = policy_for(company)
    if request.method != "POST":
        form = ReminderPolicyForm.for_policy(policy)
        return _render_settings(request, form, status=200)
    form = ReminderPolicyForm(request.POST)
    form.is_valid()  # parsing only: the service judges
    try:
        reminder_policy_update(company=company, data=form.policy_input())
    except ValidationFailed as error:
        add_service_errors(form, error)
        return _render_settings(request, form, status=422)
    messages.success(request, "Reminder settings saved.")
    return redirect("reminders:settings")


def _render_settings(request: MemberRequest, form: ReminderPolicyForm, status: int) -> HttpResponse:
    hours = working_hours(policy_for(request.company), request.company)
    context = {"form": form, "zone": hours.zone.key}
    return render(request, "reminders/settings.html", context, status=status)


def _editable_quote(request: MemberRequest, pk: int) -> Quote:
    quote = (
        quotes_editable_by(request.membership)
        .select_related("company", "client", "owner")
        .filter(pk=pk)
        .first()
    )
    if quote is None:
        raise Http404("No such quote.")
    return quote


def _back_to_quote(quote: Quote) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("quotes:detail", args=[quote.pk]) + "#reminders")


@never_cache
@member_required(EDITORS)
def quote_reminders(request: MemberRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if request.method != "POST":
        form = QuoteRemindersForm.for_schedule(quote_schedule_row(quote), policy_for(quote.company))
        return _render_quote(request, quote, form, status=200)
    form = QuoteRemindersForm(request.POST)
    form.is_valid()
    try:
        quote_reminders_set(
            quote=quote,
            user=request.user,
            mode=form.cleaned_data["mode"],
            after_share_days=form.cleaned_data["after_share_days"],
            before_expiry_days=form.cleaned_data["before_expiry_days"],
        )
    except ValidationFailed as error:
        add_service_errors(form, error)
        return _render_quote(request, quote, form, status=422)
    messages.success(request, "Reminders for this quote saved.")
    return _back_to_quote(quote)


def _render_quote(
    request: MemberRequest, quote: Quote, form: QuoteRemindersForm, status: int
) -> HttpResponse:
    context = {
        "quote": quote,
        "form": form,
        "reminders": reminders_for_quote(quote, timezone.now()),
        "modes": QuoteRemindersForm.MODES,
    }
    return render(request, "reminders/quote_reminders.html", context, status=status)


@never_cache
@member_required(EDITORS)
def extend_validity(request: MemberRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if request.method != "POST":
        return _render_extend(request, quote, ExtendValidityForm(), status=200)
    form = ExtendValidityForm(request.POST)
    form.is_valid()
    new_date = form.date()
    if new_date is None:
        form.add_error("valid_until", "Enter the new date, like 2027-01-31.")
        return _render_extend(request, quote, form, status=422)
    try:
        shares = quote_validity_extend(quote=quote, user=request.user, valid_until=new_date)
    except ValidationFailed as error:
        add_service_errors(form, error)
        return _render_extend(request, quote, form, status=422)
    except ApplicationError as error:  # not extendable in its state, nobody to send to
        form.add_error(None, error.message)
        return _render_extend(request, quote, form, status=409)
    emails = ", ".join(share.recipient_email for share in shares)
    messages.success(
        request,
        f"Valid until {new_date.day} {new_date:%B %Y}. The new version went to {emails}, "
        "at the link they already have.",
    )
    return _back_to_quote(quote)


def _render_extend(
    request: MemberRequest, quote: Quote, form: ExtendValidityForm, status: int
) -> HttpResponse:
    return render(request, "reminders/extend.html", {"quote": quote, "form": form}, status=status)
