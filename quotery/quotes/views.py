"""HTTP for the rep's quote pages: parse input, call one service or selector, render."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from quotery.accounts.access import EDITORS, MemberRequest, member_required
from quotery.core.exceptions import IllegalTransition, ValidationFailed
from quotery.quotes import selectors
from quotery.quotes.editor import (
    EditorForms,
    EditorState,
    attach_errors,
    build_forms,
    fill_from_product,
    quote_input_from_forms,
    rule_errors_of_parsed_lines,
)
from quotery.quotes.editor_choices import EditorChoices
from quotery.quotes.editor_totals import editor_totals
from quotery.quotes.models import DeliveryNoteLine, Quote, QuoteState
from quotery.quotes.services import delivery_notes, shipping
from quotery.quotes.services import quotes as services
from quotery.quotes.states import ACCEPTED_STATES, LOCKED_STATES, effective_state

PAGE_SIZE = 25


@member_required()
def quote_list(request: MemberRequest) -> HttpResponse:
    filters = selectors.QuoteFilters.from_query(request.GET)
    quotes = selectors.quote_list(membership=request.membership, filters=filters)
    page = Paginator(quotes, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.quote_rows(page, zone=request.company.zone, now=timezone.now())
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "states": QuoteState.choices,
        "owners": selectors.quote_owners(membership=request.membership),
        "can_create": request.membership.can_edit_quotes,
    }
    return render(request, "quotes/quote_list.html", context)


# The page shows each client's portal link (the Shared with panel): a capability that no
# browser cache or proxy may keep (SECURITY.md 5).
@never_cache
@member_required()
def quote_detail(request: MemberRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_detail(membership=request.membership, pk=pk)
    context = selectors.quote_document(quote)
    display_state = effective_state(
        quote.state, quote.valid_until, quote.company.zone, timezone.now()
    )
    context.update(
        {
            "quote": quote,
            "display_state": display_state,
            # A closed quote was accepted first (closing follows acceptance or payment).
            "display_state_label": "Won (closed)"
            if display_state == QuoteState.CLOSED
            else QuoteState(display_state).label,
            # Once accepted, its outcome (delivery notes, the signature) comes first.
            "won": quote.state in ACCEPTED_STATES,
            "can_edit": request.membership.can_edit_quotes and quote.state not in LOCKED_STATES,
            "can_cancel": request.membership.can_edit_quotes
            and quote.state
            in {
                QuoteState.DRAFT,
                QuoteState.SENT,
                QuoteState.CHANGES_REQUESTED,
                QuoteState.EXPIRED,
            },
        }
    )
    return render(request, "quotes/quote_detail.html", context)


@member_required(EDITORS)
def quote_new(request: MemberRequest) -> HttpResponse:
    choices = EditorChoices.load(request.company)
    if request.method == "POST":
        return _editor_post(request, choices, quote=None)
    state = EditorState.blank(request.company)
    client = request.GET.get("client", "")
    if client.isdigit() and int(client) in choices.clients:
        state.header["client"] = client
    return _render_editor(request, build_forms(state, choices, bound=False), state, quote=None)


@member_required(EDITORS)
def quote_edit(request: MemberRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_detail(membership=request.membership, pk=pk, for_edit=True)
    if quote.state in LOCKED_STATES:
        messages.error(
            request,
            f"This quote is {quote.get_state_display().lower()} and can no longer be edited.",
        )
        return redirect("quotes:detail", pk=quote.pk)
    choices = EditorChoices.load(request.company)
    if request.method == "POST":
        return _editor_post(request, choices, quote=quote)
    state = EditorState.from_quote(quote)
    return _render_editor(request, build_forms(state, choices, bound=False), state, quote=quote)


def _editor_post(
    request: MemberRequest, choices: EditorChoices, quote: Quote | None
) -> HttpResponse:
    state = EditorState.from_post(request.POST)
    action = request.POST.get("editor_action", "")
    if action:
        state.apply(action, choices)
        return _render_editor(request, build_forms(state, choices, bound=False), state, quote=quote)
    for section in state.sections:
        for line in section["lines"]:
            fill_from_product(line, choices, overwrite=False)
    editor = build_forms(state, choices, bound=True)
    data = quote_input_from_forms(editor, choices)
    if data is None:
        attach_errors(editor, rule_errors_of_parsed_lines(editor, choices))
    else:
        try:
            if quote is None:
                saved = services.quote_create(
                    company=request.company, owner=request.user, data=data
                )
            else:
                saved = services.quote_update(quote=quote, data=data, user=request.user)
        except ValidationFailed as error:
            attach_errors(editor, error.field_errors)
        else:
            messages.success(request, f"Quote {saved.number} saved.")
            return redirect("quotes:detail", pk=saved.pk)
    return _render_editor(request, editor, state, quote=quote, status=422)


def _render_editor(
    request: MemberRequest,
    editor: EditorForms,
    state: EditorState,
    *,
    quote: Quote | None,
    status: int = 200,
) -> HttpResponse:
    totals = editor_totals(state)
    nets = iter(totals.lines)
    rows = [
        (section_form, [(line_form, next(nets).net) for line_form in line_forms])
        for section_form, line_forms in editor.sections
    ]
    context = {
        "editor": editor,
        "editor_rows": rows,
        "editor_url": reverse("quotes:edit", args=[quote.pk]) if quote else reverse("quotes:new"),
        "quote": quote,
        "live": totals,
        "has_errors": status != 200,
    }
    return render(request, "quotes/quote_editor.html", context, status=status)


@member_required(EDITORS)
@require_POST
def editor_totals_view(request: MemberRequest) -> HttpResponse:
    state = EditorState.from_post(request.POST)
    choices = EditorChoices.load(request.company)
    for section in state.sections:
        for line in section["lines"]:
            fill_from_product(line, choices, overwrite=False)
    totals = editor_totals(state)
    return render(request, "quotes/_editor_totals.html", {"live": totals, "oob": True})


@member_required(EDITORS)
@require_POST
def quote_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_detail(membership=request.membership, pk=pk, for_edit=True)
    services.quote_cancel(quote=quote, user=request.user)
    messages.success(
        request, f"Quote {quote.number} cancelled. The client can no longer accept it."
    )
    return redirect("quotes:detail", pk=quote.pk)


@member_required(EDITORS)
@require_POST
def quote_duplicate(request: MemberRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_detail(membership=request.membership, pk=pk)
    copy = services.quote_duplicate(quote=quote, user=request.user)
    messages.success(request, f"Quote {copy.number} created as a copy of {quote.number}.")
    return redirect("quotes:edit", pk=copy.pk)


@member_required()
def delivery_note_list(request: MemberRequest) -> HttpResponse:
    notes = selectors.delivery_notes_for_list(membership=request.membership)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quotes/delivery_note_list.html", {"page": page})


@member_required()
def delivery_note_detail(request: MemberRequest, pk: int) -> HttpResponse:
    detail = selectors.delivery_note_page(membership=request.membership, pk=pk)
    context = {"detail": detail, "ship_rows": ship_rows(detail)}
    return render(request, "quotes/delivery_note_detail.html", context)


@dataclass(frozen=True)
class ShipRow:
    """One line of the shipping form: the quantity in its box and what was wrong with it."""

    line: DeliveryNoteLine
    value: str
    errors: list[str]


def ship_rows(
    detail: selectors.DeliveryNotePage,
    *,
    typed: dict[int, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> list[ShipRow]:
    """The lines that can still ship, each with what the person typed, or by default all
    that is left to ship."""
    rows = []
    for line in detail.lines:
        if line.to_ship <= 0:
            continue
        default = f"{line.to_ship.normalize():f}"
        value = typed[line.pk] if typed is not None and line.pk in typed else default
        rows.append(ShipRow(line, value, (errors or {}).get(str(line.pk), [])))
    return rows


@member_required(EDITORS)
@require_POST
def delivery_note_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    note = selectors.delivery_note_for_edit(membership=request.membership, pk=pk)
    try:
        delivery_notes.delivery_note_cancel(note=note, user=request.user)
    except IllegalTransition as error:
        detail = selectors.delivery_note_page(membership=request.membership, pk=pk)
        context = {"detail": detail, "error": error.message, "ship_rows": ship_rows(detail)}
        return render(request, "quotes/delivery_note_detail.html", context, status=409)
    messages.success(
        request, f"Delivery note {note.number} cancelled. Its reserved stock is available again."
    )
    return redirect("quotes:delivery_note", pk=note.pk)


@member_required(EDITORS)
@require_POST
def delivery_note_ship(request: MemberRequest, pk: int) -> HttpResponse:
    """Ships the quantities typed per line; bad input re-renders the page with the
    quantities as typed and a message per line, and changes nothing."""
    note = selectors.delivery_note_for_edit(membership=request.membership, pk=pk)
    line_ids = list(note.lines.values_list("pk", flat=True))
    try:
        quantities = shipping.ship_quantities_parse(request.POST, line_ids)
        shipping.delivery_note_ship(note=note, quantities=quantities, user=request.user)
    except (ValidationFailed, IllegalTransition) as error:
        detail = selectors.delivery_note_page(membership=request.membership, pk=pk)
        typed = {line_id: request.POST.get(f"ship-{line_id}", "")[:40] for line_id in line_ids}
        context = {
            "detail": detail,
            "error": error.message,
            "ship_rows": ship_rows(detail, typed=typed, errors=error.field_errors),
        }
        status = 409 if isinstance(error, IllegalTransition) else 400
        return render(request, "quotes/delivery_note_detail.html", context, status=status)
    note.refresh_from_db()
    messages.success(
        request,
        f"Shipment recorded: delivery note {note.number} is now "
        f"{note.get_state_display().lower()}.",
    )
    return redirect("quotes:delivery_note", pk=note.pk)
