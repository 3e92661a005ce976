"""HTTP for the finance page (list the quotes waiting for billing, set a payment status)
and for Settings -> Payment instructions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from quotery.accounts.access import ADMINS, MemberRequest, member_required
from quotery.accounts.models import Role
from quotery.billing import selectors, services
from quotery.billing.forms import PaymentInstructionsForm
from quotery.billing.models import Payment, PaymentStatus
from quotery.billing.references import PLACEHOLDER_LIST
from quotery.core.exceptions import IllegalTransition, ValidationFailed
from quotery.core.forms import add_service_errors

FINANCE = (Role.FINANCE, Role.ADMIN)
PAGE_SIZE = 50


def _shown_status(value: str) -> str:
    return value if value in PaymentStatus.values else ""


def _list_url(shown: str) -> str:
    url = reverse("billing:list")
    return f"{url}?status={shown}" if shown else url


def _render_list(
    request: MemberRequest, *, shown: str, failed: int | None = None, status: int = 200
) -> HttpResponse:
    payments = selectors.payments_for_finance(membership=request.membership, status=shown)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "shown": shown,
        "statuses": PaymentStatus.choices,
        "failed": failed,
    }
    return render(request, "billing/payment_list.html", context, status=status)


@member_required(FINANCE)
@require_GET
def payment_list(request: MemberRequest) -> HttpResponse:
    return _render_list(request, shown=_shown_status(request.GET.get("status", "")))


@member_required(FINANCE)
@require_POST
def payment_status_update(request: MemberRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_for_finance(membership=request.membership, pk=pk)
    shown = _shown_status(request.POST.get("show", ""))
    previous = payment.status
    try:
        payment = services.payment_status_set(
            payment=payment, status=request.POST.get("status", ""), user=request.user
        )
    except (ValidationFailed, IllegalTransition) as error:
        messages.error(request, f"{payment.quote.number}: not saved. {error.message}")
        return _render_list(request, shown=shown, failed=payment.pk, status=error.http_status)
    messages.success(request, _saved_sentence(payment, previous))
    return redirect(_list_url(shown))


def _saved_sentence(payment: Payment, previous: str) -> str:
    number = payment.quote.number
    label = PaymentStatus(payment.status).label
    if payment.status == previous:
        return f"{number}: the payment was already {label.lower()}; nothing changed."
    if payment.status == PaymentStatus.PAID:
        return f"{number}: payment set to Paid. The quote is now closed."
    return f"{number}: payment set to {label}. The quote's owner was notified."


@member_required(ADMINS)
def payment_instructions(request: MemberRequest) -> HttpResponse:
    """Settings -> Payment instructions: how the company's clients pay."""
    instructions = selectors.payment_instructions_for(request.company)
    if request.method != "POST":
        form = PaymentInstructionsForm.for_instructions(instructions)
        return _render_instructions(request, form)
    form = PaymentInstructionsForm(request.POST)
    if form.is_valid():
        try:
            services.payment_instructions_update(
                company=request.company, data=form.instructions_input(), user=request.user
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Payment instructions saved.")
            return redirect("billing:instructions")
    return _render_instructions(request, form, status=422)


def _render_instructions(
    request: MemberRequest, form: PaymentInstructionsForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "placeholders": PLACEHOLDER_LIST,
        "finance_gate": request.company.finance_gate,
    }
    return render(request, "billing/payment_instructions.html", context, status=status)
