"""Rule checks on quote input, shared by every way in (editor, API, demo data).

Returns errors keyed by the input's path ("sections.0.lines.2.quantity"), which is also the
editor's field name, so a message lands beside the field the person typed in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from quotery.accounts.models import Company
from quotery.clients.services import client_errors
from quotery.core.money import CURRENCY_MINOR_UNITS, DEPOSIT_PERCENT_PLACES, decimal_places
from quotery.core.text import name_problem
from quotery.quotes.inputs import LineInput, NewClientInput, QuoteInput, SectionInput

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_SECTIONS = 50
MAX_LINES = 1000
MAX_QUANTITY = Decimal("99999999999")
MAX_UNIT_PRICE = Decimal("9999999999")
# quantity × unit price of one line. With at most MAX_LINES lines and tax at most 100 %, the
# quote's total stays below 10^15, which the money columns (18 digits, 3 decimals) can hold.
MAX_LINE_AMOUNT = Decimal("100000000000")

FieldErrors = dict[str, list[str]]


def line_errors(line: LineInput, company: Company, prefix: str) -> FieldErrors:
    errors = line_amount_errors(line, prefix)

    def add(name: str, message: str) -> None:
        errors.setdefault(f"{prefix}.{name}", []).append(message)

    if not line.description.strip():
        add("description", "Describe what this line is for.")
    elif len(line.description) > 500:
        add("description", "Keep the description under 500 characters.")
    if line.product is not None and line.product.company_id != company.pk:
        add("product", "Pick a product from your catalog.")
    return errors


def line_amount_errors(line: LineInput, prefix: str) -> FieldErrors:
    """The rules on a line's numbers. A line without errors here can be priced: its amounts
    fit the money columns, and no rounding context overflows on them."""
    errors: FieldErrors = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(f"{prefix}.{name}", []).append(message)

    if not line.quantity.is_finite() or line.quantity <= ZERO:
        add("quantity", "Quantity must be more than zero.")
    elif line.quantity > MAX_QUANTITY:
        add("quantity", "That quantity is too large.")
    elif decimal_places(line.quantity) > 3:
        add("quantity", "Use at most 3 decimal places for the quantity.")
    if not line.unit_price.is_finite():
        add("unit_price", "Enter a number, like 120 or 99.90.")
    elif line.unit_price < ZERO:
        add("unit_price", "The unit price cannot be negative; use a discount instead.")
    elif line.unit_price > MAX_UNIT_PRICE:
        add("unit_price", "That unit price is too large.")
    elif decimal_places(line.unit_price) > 4:
        add("unit_price", "Use at most 4 decimal places for the unit price.")
    elif (
        line.quantity.is_finite()
        and ZERO < line.quantity <= MAX_QUANTITY
        and line.quantity * line.unit_price > MAX_LINE_AMOUNT
    ):
        add(
            "unit_price",
            "This line comes to more than 100,000,000,000; split it into smaller lines.",
        )
    if not line.discount_percent.is_finite() or not ZERO <= line.discount_percent <= HUNDRED:
        add("discount_percent", "The discount must be between 0 % and 100 %.")
    elif decimal_places(line.discount_percent) > 3:
        add("discount_percent", "Use at most 3 decimal places for the discount.")
    if not line.tax_rate.is_finite() or not ZERO <= line.tax_rate <= HUNDRED:
        add("tax_rate", "The tax rate must be between 0 % and 100 %.")
    elif decimal_places(line.tax_rate) > 3:
        add("tax_rate", "Use at most 3 decimal places for the tax rate.")
    return errors


def quantity_range_errors(line: LineInput, prefix: str) -> FieldErrors:
    """An adjustable quantity: both bounds or neither, each a quantity the rules accept,
    min not above max, and the line's quantity (where the client starts) between them."""
    errors: FieldErrors = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(f"{prefix}.{name}", []).append(message)

    low, high = line.min_quantity, line.max_quantity
    if low is None and high is None:
        return errors
    if low is None or high is None:
        add(
            "min_quantity" if low is None else "max_quantity",
            "Set both a min and a max quantity, or leave both empty.",
        )
        return errors
    for name, value in (("min_quantity", low), ("max_quantity", high)):
        label = "min" if name == "min_quantity" else "max"
        if not value.is_finite() or value <= ZERO:
            add(name, f"The {label} quantity must be more than zero.")
        elif value > MAX_QUANTITY:
            add(name, f"That {label} quantity is too large.")
        elif decimal_places(value) > 3:
            add(name, f"Use at most 3 decimal places for the {label} quantity.")
    if errors:
        return errors
    if low > high:
        add("min_quantity", "The min quantity cannot be above the max quantity.")
    elif line.quantity.is_finite() and not low <= line.quantity <= high:
        add(
            "quantity",
            "The quantity is where the client starts: put it between the min "
            f"({low.normalize():f}) and the max ({high.normalize():f}).",
        )
    return errors


def section_option_errors(section: SectionInput, prefix: str) -> FieldErrors:
    """A Choose one section: at least two lines, none optional, exactly one chosen at first."""
    errors: FieldErrors = {}
    if not section.choose_one:
        return errors
    if len(section.lines) < 2:
        errors[f"{prefix}.choose_one"] = [
            "A Choose one section needs at least two lines for the client to choose from."
        ]
        return errors
    for j, line in enumerate(section.lines):
        if line.optional:
            errors[f"{prefix}.lines.{j}.optional"] = [
                "A line in a Choose one section cannot also be optional: the client picks "
                "exactly one of the section's lines."
            ]
    starting = [line for line in section.lines if line.included_by_default]
    if len(starting) != 1:
        errors[f"{prefix}.choose_one"] = [
            "Tick Starts included on exactly one line: the one chosen when the client "
            f"opens the quote ({len(starting)} ticked now)."
        ]
    return errors


def new_client_errors(new_client: NewClientInput) -> FieldErrors:
    """The clients' own rules, and names that show as typed (`core.text.name_problem`)."""
    errors = client_errors(
        name=new_client.name,
        contact_name=new_client.contact_name,
        contact_email=new_client.contact_email,
        name_key="new_client_name",
        contact_prefix="new_contact_",
    )
    for key, name, whose in (
        ("new_client_name", new_client.name, "the client's"),
        ("new_contact_name", new_client.contact_name, "the contact's"),
    ):
        problem = name_problem(name, whose=whose) if name.strip() else None
        if problem and key not in errors:
            errors[key] = [problem]
    return errors


def date_errors(issue_date: dt.date, valid_until: dt.date) -> FieldErrors:
    if valid_until < issue_date:
        return {"valid_until": ["The quote cannot expire before its issue date."]}
    return {}


def deposit_errors(percent: Decimal) -> FieldErrors:
    """The deposit: a share of the total between 0 % (none) and 100 %."""
    if not percent.is_finite() or not ZERO <= percent <= HUNDRED:
        return {"deposit_percent": ["The deposit must be between 0 % and 100 % of the total."]}
    if decimal_places(percent) > DEPOSIT_PERCENT_PLACES:
        return {
            "deposit_percent": [
                f"Use at most {DEPOSIT_PERCENT_PLACES} decimal places for the deposit, like 30 "
                "or 12.5."
            ]
        }
    return {}


def quote_input_errors(data: QuoteInput, company: Company) -> FieldErrors:
    errors: FieldErrors = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.new_client is not None:
        errors.update(new_client_errors(data.new_client))
    elif data.client is None:
        add("client", "Pick a client, or add a new one.")
    elif data.client.company_id != company.pk:
        add("client", "Pick one of your clients.")
    elif data.contact is not None and data.contact.client_id != data.client.pk:
        add("contact", "That contact works for another client; pick one of this client's.")
    if not data.title.strip():
        add("title", "Give the quote a title the client will recognise.")
    elif len(data.title) > 200:
        add("title", "Keep the title under 200 characters.")
    if data.currency not in CURRENCY_MINOR_UNITS:
        add("currency", f"“{data.currency}” is not a currency Quotery supports.")
    errors.update(date_errors(data.issue_date, data.valid_until))
    if len(data.notes) > 5000:
        add("notes", "Keep the notes under 5,000 characters.")
    if len(data.internal_notes) > 5000:
        add("internal_notes", "Keep the internal notes under 5,000 characters.")
    errors.update(deposit_errors(data.deposit_percent))
    if len(data.sections) > MAX_SECTIONS:
        add("sections", f"A quote can have at most {MAX_SECTIONS} sections.")
    if len(data.all_lines()) > MAX_LINES:
        add("sections", f"A quote can have at most {MAX_LINES} lines.")
    for i, section in enumerate(data.sections):
        if not section.title.strip():
            add(f"sections.{i}.title", "Give the section a title.")
        elif len(section.title) > 200:
            add(f"sections.{i}.title", "Keep the section title under 200 characters.")
        for j, line in enumerate(section.lines):
            prefix = f"sections.{i}.lines.{j}"
            _merge(errors, line_errors(line, company, prefix))
            _merge(errors, quantity_range_errors(line, prefix))
        _merge(errors, section_option_errors(section, f"sections.{i}"))
    return errors


def _merge(errors: FieldErrors, more: FieldErrors) -> None:
    for key, messages in more.items():
        errors.setdefault(key, []).extend(messages)
