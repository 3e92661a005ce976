"""How the client page presents a quote: the revision's canonical content made readable,
the company's brand colours, and the rendered page, kept per process where it cannot change.

A revision's content never changes (its hash names it), so its formatted body is kept by
content hash. The whole page is kept too, by everything it shows (content, branding, state,
thread), with the three per-request values (the link, the CSRF token, the signed token
naming this response's open) left as marks and filled in for each response: the client page
is served far more often than it changes, and no response's open ends up in another's page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quotery.accounts.branding import link_colour, text_colour_on, usable_brand_colour
from quotery.accounts.models import Company
from quotery.core.kept import KeptValues
from quotery.core.languages import active_language
from quotery.core.money import (
    CURRENCY_MINOR_UNITS,
    CURRENCY_SYMBOLS,
    SYMBOL_AFTER_LANGUAGES,
    UnknownCurrency,
    deposit_amount,
    format_money,
)
from quotery.quotes.models import QuoteState
from quotery.quotes.options import (
    Configuration,
    configured_totals,
    default_configuration,
    has_options,
)
from quotery.sharing.models import Acceptance, ConversationMessage

# ---------------------------------------------------------------------------------------
# Presentation of a revision's canonical content


@dataclass(frozen=True)
class LineView:
    description: str
    sku: str
    quantity: str
    unit_price: str
    discount: str
    tax: str
    total: str
    # Options the client chooses (quotery.quotes.options); a plain line keeps the defaults.
    key: str = ""  # "<section>.<line>", as a configuration names it
    optional: bool = False
    choice: bool = False  # a line of a choose-one section
    counted: bool = True  # in the client's current configuration
    min_quantity: str = ""  # both set: the client may change the quantity between them
    max_quantity: str = ""
    # Why the client's last change to this line's checkbox or quantity was refused.
    choice_error: str = ""
    quantity_error: str = ""

    @property
    def adjustable(self) -> bool:
        return bool(self.min_quantity)


@dataclass(frozen=True)
class SectionView:
    title: str
    lines: list[LineView]
    subtotal: str
    index: int = 0
    choose_one: bool = False
    choice_error: str = ""  # why the client's choice in this choose-one section was refused


@dataclass(frozen=True)
class TaxView:
    rate: str
    amount: str
    shown: bool = True  # with options, a rate no chosen line uses is hidden until chosen


@dataclass(frozen=True)
class QuoteView:
    number: str
    title: str
    currency: str
    issue_date: dt.date
    valid_until: dt.date
    client: str
    contact_name: str
    prepared_by_name: str
    prepared_by_email: str
    notes: str
    sections: list[SectionView]
    line_count: int
    before_discount: str
    discount: str
    has_discount: bool
    subtotal: str
    taxes: list[TaxView]
    total: str
    deposit_percent: str = ""  # "30" when the quote asks for a deposit, else ""
    deposit: str = ""  # its amount, formatted
    # With options: the configuration shown, its hash, and what the page's script needs.
    configuration: Configuration | None = None
    configuration_hash: str = ""
    options_data: dict[str, Any] | None = None

    @property
    def has_options(self) -> bool:
        return self.configuration is not None


def _money(amount: Decimal, currency: str) -> str:
    try:
        return format_money(amount, currency)
    except UnknownCurrency:
        return f"{amount:f} {currency}"


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def quote_view(content: dict[str, Any], configuration: Configuration | None = None) -> QuoteView:
    """The canonical content (all strings) made readable: money formatted for the currency,
    section subtotals summed from the rounded line totals, dates as dates. A quote with
    options shows `configuration` (the rep's defaults when None)."""
    if has_options(content):
        return _options_view(content, configuration or default_configuration(content))
    return _plain_view(content)


def _plain_view(content: dict[str, Any]) -> QuoteView:
    currency = content["currency"]
    sections = []
    line_count = 0
    for section in content["sections"]:
        lines = [
            LineView(
                description=line["description"],
                sku=line["sku"],
                quantity=line["quantity"],
                unit_price=_money(Decimal(line["unit_price"]), currency),
                discount=f"{line['discount_percent']} %"
                if Decimal(line["discount_percent"])
                else "",
                tax=f"{line['tax_rate']} %",
                total=_money(Decimal(line["net"]), currency),
            )
            for line in section["lines"]
        ]
        line_count += len(lines)
        subtotal = sum((Decimal(line["net"]) for line in section["lines"]), Decimal(0))
        sections.append(
            SectionView(title=section["title"], lines=lines, subtotal=_money(subtotal, currency))
        )
    totals = content["totals"]
    discount = Decimal(totals["discount"])
    contact = content.get("contact") or {}
    prepared_by = content.get("prepared_by") or {}
    deposit = content.get("deposit") or {}
    return QuoteView(
        number=content["number"],
        title=content["title"],
        currency=currency,
        issue_date=_date(content["issue_date"]),
        valid_until=_date(content["valid_until"]),
        client=content["client"],
        contact_name=contact.get("name", ""),
        prepared_by_name=prepared_by.get("name", "") or prepared_by.get("email", ""),
        prepared_by_email=prepared_by.get("email", ""),
        notes=content.get("notes", ""),
        sections=sections,
        line_count=line_count,
        before_discount=_money(Decimal(totals["subtotal"]) + discount, currency),
        discount=_money(discount, currency),
        has_discount=bool(discount),
        subtotal=_money(Decimal(totals["subtotal"]), currency),
        taxes=[
            TaxView(rate=tax["rate"], amount=_money(Decimal(tax["amount"]), currency))
            for tax in totals["taxes"]
        ],
        total=_money(Decimal(totals["total"]), currency),
        deposit_percent=deposit.get("percent", ""),
        deposit=_money(Decimal(deposit["amount"]), currency) if deposit else "",
    )


def _options_view(content: dict[str, Any], configuration: Configuration) -> QuoteView:
    """The view of a quote with options as `configuration` prices it: each line's amount at
    its chosen quantity, the subtotals and taxes of the lines counted."""
    currency = content["currency"]
    priced = configured_totals(content, configuration)
    amounts = {item.key: item for item in [*priced.counted, *priced.not_taken]}
    counted = {item.key for item in priced.counted}
    base = _plain_view(content)
    sections = []
    for i, (section, plain) in enumerate(zip(content["sections"], base.sections, strict=True)):
        lines = []
        for j, (line, shown) in enumerate(zip(section["lines"], plain.lines, strict=True)):
            key = f"{i}.{j}"
            item = amounts[key]
            lines.append(
                dataclasses.replace(
                    shown,
                    key=key,
                    quantity=f"{item.quantity.normalize():f}",
                    total=_money(item.net, currency),
                    optional=bool(line.get("optional")),
                    choice=bool(section.get("choose_one")),
                    counted=key in counted,
                    min_quantity=line.get("min_quantity", ""),
                    max_quantity=line.get("max_quantity", ""),
                )
            )
        sections.append(
            SectionView(
                title=section["title"],
                lines=lines,
                subtotal=_money(priced.section_subtotals[i], currency),
                index=i,
                choose_one=bool(section.get("choose_one")),
            )
        )
    totals = priced.totals
    amount_by_rate = {f"{tax.rate.normalize():f}": tax.amount for tax in totals.taxes}
    every_rate = sorted(
        {line["tax_rate"] for section in content["sections"] for line in section["lines"]},
        key=Decimal,
    )
    total = _money(totals.total, currency)
    deposit = content.get("deposit") or {}
    return dataclasses.replace(
        base,
        sections=sections,
        before_discount=_money(totals.subtotal + totals.discount_total, currency),
        discount=_money(totals.discount_total, currency),
        has_discount=any(
            Decimal(line["discount_percent"]) for s in content["sections"] for line in s["lines"]
        ),
        subtotal=_money(totals.subtotal, currency),
        taxes=[
            TaxView(
                rate=rate,
                amount=_money(amount_by_rate.get(rate, Decimal(0)), currency),
                shown=rate in amount_by_rate,
            )
            for rate in every_rate
        ],
        total=total,
        deposit=_money(
            deposit_amount(totals.total, Decimal(deposit["percent"]), currency), currency
        )
        if deposit
        else "",
        configuration=configuration,
        configuration_hash=configuration.hash(),
        options_data=_script_data(content),
    )


def chosen_in_words(quote: QuoteView) -> list[str]:
    """What the shown configuration takes, for a page that sums the quote up: each optional
    line added, the line chosen in each choose-one section (with the section's title), each
    adjustable quantity ("Installation × 8"); in the page's order. Empty without options."""
    if not quote.has_options:
        return []
    words = []
    for section in quote.sections:
        for line in section.lines:
            if not line.counted or not (line.optional or line.choice or line.adjustable):
                continue
            text = f"{line.description} × {line.quantity}" if line.adjustable else line.description
            words.append(f"{text} ({section.title})" if line.choice else text)
    return words


def _script_data(content: dict[str, Any]) -> dict[str, Any]:
    """What static/js/quote-options.js needs: the prices and options of every line (no
    names: the page has them), and how to write the currency."""
    currency = content["currency"]
    return {
        "content": {
            "sections": [
                {
                    "choose_one": bool(section.get("choose_one")),
                    "lines": [
                        {
                            key: line[key]
                            for key in (
                                "quantity",
                                "unit_price",
                                "discount_percent",
                                "tax_rate",
                                "optional",
                            )
                            if key in line
                        }
                        for line in section["lines"]
                    ],
                }
                for section in content["sections"]
            ]
        },
        "lines": {
            f"{i}.{j}": {"min": line["min_quantity"], "max": line["max_quantity"]}
            for i, section in enumerate(content["sections"])
            for j, line in enumerate(section["lines"])
            if "min_quantity" in line
        },
        "deposit_percent": (content.get("deposit") or {}).get("percent", ""),
        "currency": {
            "code": currency,
            "symbol": CURRENCY_SYMBOLS.get(currency, ""),
            "digits": CURRENCY_MINOR_UNITS.get(currency, 2),
            # As the page's language writes amounts (quotery.core.money.format_money).
            "decimal": get_format("DECIMAL_SEPARATOR"),
            "group": get_format("THOUSAND_SEPARATOR"),
            "symbol_after": active_language() in SYMBOL_AFTER_LANGUAGES,
        },
    }


def with_option_errors(quote: QuoteView, field_errors: Mapping[str, list[str]]) -> QuoteView:
    """`quote` with each refused choice's message beside its control, from the field_errors
    of `quotery.quotes.options.configuration_from_data` ("include.<line>", "choose.<section>",
    "quantity.<line>"; what names no control is for the form's message)."""

    def said(field: str) -> str:
        return " ".join(field_errors.get(field, []))

    sections = [
        dataclasses.replace(
            section,
            choice_error=said(f"choose.{section.index}"),
            lines=[
                dataclasses.replace(
                    line,
                    choice_error=said(f"include.{line.key}"),
                    quantity_error=said(f"quantity.{line.key}"),
                )
                for line in section.lines
            ],
        )
        for section in quote.sections
    ]
    return dataclasses.replace(quote, sections=sections)


# A revision's content never changes (its hash names it), so its formatted view and
# rendered body can be kept. Per process, bounded: the page then costs its queries and a
# small outer template, whatever the number of lines.
_BODIES: KeptValues[tuple[str, str, bool, str], tuple[QuoteView, SafeString]] = KeptValues(256)


def render_body(quote: QuoteView, *, choosing: bool = False, option_error: str = "") -> SafeString:
    """The quote's lines and totals. `choosing`: the client can change the options here
    (the form posts to the link, whose token and CSRF token are filled in per response).
    `option_error`: why the choices just sent were refused, shown by the form's button."""
    context: dict[str, Any] = {
        "q": quote,
        "choosing": choosing and quote.has_options,
        "option_error": option_error,
    }
    if context["choosing"]:
        context.update(
            choices_url=reverse("portal:choices", args=[TOKEN_MARK]), csrf_mark=CSRF_MARK
        )
    return SafeString(render_to_string("portal/client/_quote.html", context))


def revision_body(
    content_hash: str,
    content: dict[str, Any],
    configuration: Configuration | None = None,
    *,
    choosing: bool = False,
) -> tuple[QuoteView, SafeString]:
    key = (content_hash, configuration.hash() if configuration else "", choosing, active_language())
    cached = _BODIES.get(key)
    if cached is not None:
        return cached
    quote = quote_view(content, configuration)
    return _BODIES.put(key, (quote, render_body(quote, choosing=choosing)))


# ---------------------------------------------------------------------------------------
# Branding


@dataclass(frozen=True)
class Brand:
    colour: str  # backgrounds: the header band, the primary button
    on_colour: str  # text on the brand colour: white or black, whichever reads better
    ink: str  # links: the brand colour darkened to read on white and grey panels (4.5:1)


def brand_for(company: Company) -> Brand:
    colour = usable_brand_colour(company.brand_colour)
    return Brand(colour=colour, on_colour=text_colour_on(colour), ink=link_colour(colour))


def state_notice(state: str, prepared_by: str = "") -> str:
    """The sentence the page shows about the quote's state; `prepared_by` names the rep."""
    who = prepared_by or _("The sender")
    return {
        QuoteState.CHANGES_REQUESTED: (
            _("You asked for changes. %(who)s has your message and will send an update.")
            % {"who": who}
        ),
        QuoteState.ACCEPTED: _("This quote has been accepted."),
        QuoteState.READY_FOR_BILLING: _("This quote has been accepted."),
        QuoteState.CLOSED: _("This quote has been accepted and is closed."),
        QuoteState.DECLINED: _("This quote was declined."),
        QuoteState.CANCELLED: _("This quote has been withdrawn."),
    }.get(QuoteState(state), "")


OPEN_FOR_ANSWER = frozenset({QuoteState.SENT, QuoteState.CHANGES_REQUESTED})


@dataclass(frozen=True)
class AnswerOptions:
    """Which of Accept, Request changes and Decline the client can use, and the sentence
    that says why the others are off."""

    can_accept: bool
    can_request_changes: bool
    can_decline: bool
    note: str


def answer_options(state: str, prepared_by: str) -> AnswerOptions:
    if state in OPEN_FOR_ANSWER:
        return AnswerOptions(True, True, True, "")
    if state == QuoteState.EXPIRED:
        return AnswerOptions(
            False,
            True,
            False,
            _(
                "This quote has expired, so it can no longer be accepted or declined. Ask for "
                "a new version, and %(who)s can send you an updated quote at this same link."
            )
            % {"who": prepared_by or _("the sender")},
        )
    if state == QuoteState.DECLINED:
        return AnswerOptions(
            False, False, False, _("You declined this quote, so it can no longer be accepted.")
        )
    if state == QuoteState.CANCELLED:
        return AnswerOptions(
            False,
            False,
            False,
            _("%(who)s withdrew this quote, so it cannot be accepted.")
            % {"who": prepared_by or _("The sender")},
        )
    return AnswerOptions(False, False, False, _("This quote has already been accepted."))


# What the page confirms after an answer; {who} is the rep who prepared the quote.
DONE_NOTICES = {
    "accepted": gettext_lazy(
        "Thank you: your acceptance is recorded. A confirmation with the accepted "
        "PDF is on its way to your email."
    ),
    "changes": gettext_lazy(
        "Your request for changes was sent. %(who)s will update the quote, and you "
        "will get an email when it is ready."
    ),
    "declined": gettext_lazy(
        "This quote was declined. Your answer was sent to %(who)s: thank you for letting us know."
    ),
    "message": gettext_lazy("Your message was sent. %(who)s gets it by email and answers here."),
}


def page_context(
    *,
    company: Company,
    quote: QuoteView,
    body: SafeString,
    messages: Sequence[ConversationMessage],
    state: str,
    valid_until: dt.date,
    content_hash: str = "",
    acceptance: Acceptance | None = None,
    payment_status: Any = None,
    changes: Any = None,
    done: str = "",
) -> dict[str, Any]:
    options = answer_options(state, quote.prepared_by_name)
    accepted_total = ""
    if acceptance is not None:
        accepted_total = _money(Decimal(acceptance.total), acceptance.currency)
    return {
        "company": company,
        "brand": brand_for(company),
        "q": quote,
        "body": body,
        "messages": messages,
        "state": state,
        "expired": state == QuoteState.EXPIRED,
        "valid_until": valid_until,
        "state_notice": state_notice(state, quote.prepared_by_name),
        "content_hash": content_hash,
        "can_accept": options.can_accept,
        "can_request_changes": options.can_request_changes,
        "can_decline": options.can_decline,
        "answer_note": options.note,
        "acceptance": acceptance,
        "accepted_total": accepted_total,
        "payment_status": payment_status,
        "changes": changes,
        "done_notice": (
            str(DONE_NOTICES[done]) % {"who": quote.prepared_by_name or company.name}
            if done in DONE_NOTICES
            else ""
        ),
    }


# ---------------------------------------------------------------------------------------
# The whole page, kept by what it shows

PAGE_TEMPLATE = "portal/client/page.html"
TOKEN_MARK = "quotery-token-mark"  # noqa: S105 (a placeholder, not a secret)
CSRF_MARK = "quotery-csrf-mark"
VIEW_TOKEN_MARK = "quotery-open-mark"  # noqa: S105 (a placeholder, not a secret)

_PAGES: KeptValues[tuple[Any, ...], str] = KeptValues(512)


def page_key(
    *,
    company: Company,
    content_hash: str,
    state: str,
    valid_until: dt.date,
    messages: Sequence[ConversationMessage],
    staff_visit: bool,
    counts_open: bool,
    answered: tuple[Any, ...] = (),
) -> tuple[Any, ...]:
    """Everything the page shows apart from the marks. Messages are never edited, so their
    ids stand for their text. `answered` holds what the page shows about the client's
    answers: the acceptance, the payment status, the changes since the last view, and the
    confirmation of what they just did. The answer bar shows nothing else: the total comes
    with the content hash, and whether Accept is possible with the state."""
    return (
        active_language(),  # the client's (quotery.portal.views.common)
        company.pk,
        company.name,
        company.logo.name,
        company.brand_colour,
        company.portal_text,
        company.time_zone,
        content_hash,
        state,
        valid_until,
        tuple(message.pk for message in messages),
        staff_visit,
        counts_open,
        answered,
    )


def client_page_response(
    request: HttpRequest,
    *,
    key: tuple[Any, ...],
    context: Callable[[], dict[str, Any]],
    token: str,
    view_token: str | None,
    zone: dt.tzinfo,
    status: int = 200,
    keep: bool = True,
) -> HttpResponse:
    """The client page for this request: rendered once per key and process (`context` is
    called only then), then only the link, the CSRF token (which also sets the CSRF cookie)
    and the beacon's token for this response's open change. The kept page holds marks,
    never a real open's token. `keep=False`: a page for this answer only (a refusal),
    rendered and not kept."""
    csrf = get_token(request)
    html = _PAGES.get(key) if keep else None
    if html is None:
        marked = dict(
            context(),
            token=TOKEN_MARK,
            csrf_token=CSRF_MARK,
            view_token=VIEW_TOKEN_MARK if view_token is not None else None,
        )
        with timezone.override(zone):
            html = render_to_string(PAGE_TEMPLATE, marked, request=request)
        if keep:
            html = _PAGES.put(key, html)
    html = html.replace(TOKEN_MARK, token).replace(CSRF_MARK, csrf)
    if view_token is not None:
        html = html.replace(VIEW_TOKEN_MARK, view_token)
    return HttpResponse(html, status=status)
