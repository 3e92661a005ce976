"""Every write to quotes, their content, revisions and states.

Services are the only code that changes a quote. Each validates before it writes, runs in
one transaction, and leaves nothing behind when it raises.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from quotery.accounts.models import Company, User
from quotery.clients.services import client_create
from quotery.core.exceptions import IllegalTransition, ValidationFailed
from quotery.quotes.content import client_visible_content, content_bytes_and_hash
from quotery.quotes.inputs import LineInput, QuoteInput, SectionInput
from quotery.quotes.locks import quote_lock
from quotery.quotes.models import (
    Line,
    NumberSequence,
    Quote,
    QuoteRevision,
    QuoteState,
    Section,
)
from quotery.quotes.options import counts_by_default
from quotery.quotes.rules import quote_input_errors
from quotery.quotes.states import OPEN_STATES, check_editable, check_transition, is_past_validity
from quotery.quotes.totals import line_amounts, quote_totals


def number_next(*, company: Company, kind: str, prefix: str, on: dt.date) -> str:
    """Allocates the next document number of the year ("Q-2026-0007"); gap-free per company.

    Must run inside the caller's transaction: the counter row stays locked until it commits,
    so two concurrent callers get different numbers.
    """
    for _attempt in range(3):
        updated = NumberSequence.objects.filter(company=company, kind=kind, year=on.year).update(
            last_value=F("last_value") + 1
        )
        if updated:
            break
        try:
            with transaction.atomic():
                NumberSequence.objects.create(
                    company=company, kind=kind, year=on.year, last_value=1
                )
            break
        except IntegrityError:
            continue  # someone created it first: increment theirs
    value = NumberSequence.objects.get(company=company, kind=kind, year=on.year).last_value
    return f"{prefix}-{on.year}-{value:04d}"


def _check_input(data: QuoteInput, company: Company) -> None:
    errors = quote_input_errors(data, company)
    if errors:
        raise ValidationFailed(
            "Some fields need a look before the quote can be saved.", field_errors=errors
        )


def _write_content(quote: Quote, data: QuoteInput) -> None:
    """Replaces the quote's sections and lines with `data` and stores the totals."""
    Section.objects.filter(quote=quote).delete()
    sections = Section.objects.bulk_create(
        Section(
            company=quote.company,
            quote=quote,
            position=i,
            title=s.title.strip(),
            choose_one=s.choose_one,
        )
        for i, s in enumerate(data.sections)
    )
    lines: list[Line] = []
    for section, section_input in zip(sections, data.sections, strict=True):
        for j, item in enumerate(section_input.lines):
            lines.append(
                Line(
                    company=quote.company,
                    quote=quote,
                    section=section,
                    position=j,
                    product=item.product,
                    sku=item.product.sku if item.product else "",
                    description=item.description.strip(),
                    quantity=item.quantity,
                    unit_price=item.unit_price,
                    discount_percent=item.discount_percent,
                    tax_rate=item.tax_rate,
                    optional=item.optional,
                    included_by_default=item.included_by_default,
                    min_quantity=item.min_quantity,
                    max_quantity=item.max_quantity,
                )
            )
    for line in lines:
        line.net_amount = line_amounts(line, data.currency).net
    # The stored totals are those of the rep's default choices: without options, every line.
    choose_one = {section.pk for section in sections if section.choose_one}
    totals = quote_totals(
        [
            line
            for line in lines
            if counts_by_default(
                optional=line.optional,
                included_by_default=line.included_by_default,
                choose_one=line.section_id in choose_one,
            )
        ],
        data.currency,
    )
    Line.objects.bulk_create(lines)
    quote.line_count = len(lines)
    quote.subtotal = totals.subtotal
    quote.discount_total = totals.discount_total
    quote.tax_total = totals.tax_total
    quote.total = totals.total


def _apply_header(quote: Quote, data: QuoteInput) -> None:
    if data.new_client is not None:
        client = client_create(
            company=quote.company,
            name=data.new_client.name,
            contact_name=data.new_client.contact_name,
            contact_email=data.new_client.contact_email,
        )
        quote.client = client
        quote.contact = client.contacts.first()
    else:
        assert data.client is not None  # _check_input guarantees a client
        quote.client = data.client
        quote.contact = data.contact
    quote.title = data.title.strip()
    quote.currency = data.currency
    quote.issue_date = data.issue_date
    quote.valid_until = data.valid_until
    quote.notes = data.notes
    quote.internal_notes = data.internal_notes
    quote.deposit_percent = data.deposit_percent


def quote_create(*, company: Company, owner: User, data: QuoteInput) -> Quote:
    """Creates a draft quote with its sections and lines (and the client, when the editor
    typed a new one); numbers it Q-<year>-<n>."""
    _check_input(data, company)
    with transaction.atomic():
        quote = Quote(company=company, owner=owner, state=QuoteState.DRAFT)
        _apply_header(quote, data)
        quote.number = number_next(company=company, kind="quote", prefix="Q", on=data.issue_date)
        quote.save()
        _write_content(quote, data)
        quote.save(update_fields=["line_count", "subtotal", "discount_total", "tax_total", "total"])
    return quote


def _locked_quote(quote: Quote) -> Quote:
    """Takes the quote's row lock (`quotery.quotes.locks`), then re-reads the quote so checks
    see the state other requests committed. Only the quote's row is locked, never the
    company, client or owner rows read with it."""
    quote_lock(quote.pk)
    return Quote.objects.select_related("company", "client", "owner").get(pk=quote.pk)


def quote_update(*, quote: Quote, data: QuoteInput, user: User) -> Quote:
    """Saves an edit. Refused with nothing written when the quote is locked (accepted,
    closed, declined, cancelled). Once the quote has been shared, the edit becomes a new
    revision, which the client's link shows from then on.

    Takes a row lock on the quote for the duration of the transaction.
    """
    _check_input(data, quote.company)
    with transaction.atomic():
        current = _locked_quote(quote)
        check_editable(current.state)
        _apply_header(current, data)
        _write_content(current, data)
        current.save()
        if current.has_been_shared:
            revision_create(quote=current, user=user)
    return current


def revision_create(*, quote: Quote, user: User | None) -> QuoteRevision:
    """Records what the client will see now as the next revision (canonical JSON + SHA-256).

    Skips writing when the content is byte-identical to the latest revision, so saving an
    unchanged quote does not make the client "review again".
    """
    fresh = Quote.objects.select_related("company", "client", "contact", "owner").get(pk=quote.pk)
    sections = list(Section.objects.filter(quote=fresh).order_by("position"))
    lines = list(Line.objects.filter(quote=fresh).order_by("section__position", "position", "pk"))
    content = client_visible_content(fresh, sections, lines)
    raw, digest = content_bytes_and_hash(content)
    latest = QuoteRevision.objects.filter(quote=fresh).order_by("-number").first()
    if latest is not None and latest.content_hash == digest:
        return latest
    number = (latest.number if latest else 0) + 1
    revision = QuoteRevision.objects.create(
        company=fresh.company,
        quote=fresh,
        number=number,
        content=raw.decode("utf-8"),
        content_hash=digest,
        total=fresh.total,
        created_by=user,
    )
    Quote.objects.filter(pk=fresh.pk).update(revision_number=number)
    quote.revision_number = number
    return revision


def _transition(quote: Quote, target: str, *, extra: dict[str, object] | None = None) -> Quote:
    """Compare-and-set state change: succeeds only from the state the caller saw."""
    check_transition(quote.state, target)
    now = timezone.now()
    fields: dict[str, object] = {"state": target, "state_changed_at": now, "updated_at": now}
    fields.update(extra or {})
    changed = Quote.objects.filter(pk=quote.pk, state=quote.state).update(**fields)
    if changed != 1:
        current = Quote.objects.only("state").get(pk=quote.pk)
        raise IllegalTransition(
            f"This quote changed meanwhile and is now {current.get_state_display().lower()}."
        )
    for name, value in fields.items():
        setattr(quote, name, value)
    return quote


def quote_mark_sent(*, quote: Quote, user: User | None) -> QuoteRevision:
    """Moves a quote to sent (first share, or a re-share after changes or expiry) and makes
    sure the latest content is recorded as a revision. Returns the revision the client sees.

    Takes the quote's row lock, which a caller's transaction (`share_send`) keeps."""
    with transaction.atomic():
        current = _locked_quote(quote)
        if current.state == QuoteState.EXPIRED and is_past_validity(
            current.valid_until, current.company.zone, timezone.now()
        ):
            raise IllegalTransition(
                "This quote's validity has ended. Move the valid-until date forward, then share it."
            )
        extra: dict[str, object] = {}
        if current.first_shared_at is None:
            extra["first_shared_at"] = timezone.now()
        _transition(current, QuoteState.SENT, extra=extra)
        revision = revision_create(quote=current, user=user)
    quote.state = current.state
    quote.revision_number = revision.number
    quote.first_shared_at = current.first_shared_at
    return revision


def quote_cancel(*, quote: Quote, user: User) -> Quote:
    """Withdraws a quote that the client has not accepted or declined. Holds the quote's row
    lock from its check to its write."""
    with transaction.atomic():
        current = _locked_quote(quote)
        _transition(current, QuoteState.CANCELLED)
    quote.state = current.state
    return quote


def quote_mark_accepted(*, quote: Quote, finance_gate: bool) -> Quote:
    """The client accepted: sent (or changes requested) -> accepted -> closed, or -> ready for
    billing when the company's finance gate is on. Compare-and-set on the state the caller
    read; the caller holds the quote's row lock (`quote_accept` does)."""
    _transition(quote, QuoteState.ACCEPTED)
    return _transition(quote, QuoteState.READY_FOR_BILLING if finance_gate else QuoteState.CLOSED)


def quote_mark_changes_requested(*, quote: Quote) -> Quote:
    """The client asked for changes (also allowed once the quote has expired). Asking
    again while changes are already requested leaves the state as it is."""
    if quote.state == QuoteState.CHANGES_REQUESTED:
        return quote
    return _transition(quote, QuoteState.CHANGES_REQUESTED)


def quote_mark_declined(*, quote: Quote) -> Quote:
    return _transition(quote, QuoteState.DECLINED)


def quote_mark_closed(*, quote: Quote) -> Quote:
    """Finance recorded the payment of a quote that was ready for billing."""
    return _transition(quote, QuoteState.CLOSED)


# How far ahead a quote's validity can be moved in one step.
VALIDITY_MAX_DAYS = 366


def quote_valid_until_extend(*, quote: Quote, valid_until: dt.date, user: User) -> QuoteRevision:
    """Moves an open or expired quote's valid-until date later, to `valid_until`, and records
    what the client will see as a new revision (the date is part of it). Returns that
    revision; the caller shares it (an expired quote stays expired until shared again).

    Refused with nothing written (ValidationFailed): a date before today in the company's
    zone, not after the current one, or more than a year ahead. IllegalTransition for a
    quote that is a draft, answered or withdrawn. Takes the quote's row lock, which the
    caller's transaction keeps."""
    with transaction.atomic():
        current = _locked_quote(quote)
        if current.state not in {*OPEN_STATES, QuoteState.EXPIRED}:
            raise IllegalTransition(
                f"This quote is {current.get_state_display().lower()}, so its validity "
                "cannot be extended."
            )
        today = timezone.localdate(timezone=current.company.zone)
        problem = ""
        if valid_until < today:
            problem = "Pick a date from today on: the new date is already past."
        elif valid_until <= current.valid_until:
            problem = (
                f"Pick a date after the current one ({current.valid_until:%d %B %Y}), "
                "or edit the quote to shorten its validity."
            )
        elif valid_until > today + dt.timedelta(days=VALIDITY_MAX_DAYS):
            problem = "Pick a date within a year from today."
        if problem:
            raise ValidationFailed(
                "The validity was not changed.", field_errors={"valid_until": [problem]}
            )
        current.valid_until = valid_until
        current.save(update_fields=["valid_until", "updated_at"])
        revision = revision_create(quote=current, user=user)
    quote.valid_until = valid_until
    quote.revision_number = revision.number
    return revision


def quote_mark_expired(*, quote: Quote, now: dt.datetime) -> bool:
    """Marks an open quote whose valid-until day has ended as expired, by compare-and-set
    on the state the caller read; whether it changed. The caller holds the quote's row
    lock when it records more with it (the expiry event)."""
    if quote.state not in OPEN_STATES or not is_past_validity(
        quote.valid_until, quote.company.zone, now
    ):
        return False
    changed = Quote.objects.filter(pk=quote.pk, state=quote.state).update(
        state=QuoteState.EXPIRED, state_changed_at=now, updated_at=now
    )
    if changed:
        quote.state = QuoteState.EXPIRED
    return bool(changed)


def quote_expire_due(*, now: dt.datetime | None = None) -> int:
    """Marks open quotes whose valid-until day has ended (company time zone) as expired,
    recording nothing else (the demo data's loader; the scheduler runs
    `quotery.reminders.services.expiry.quotes_expire_due`, which also records and tells).

    Safe to run any time and from several workers: each row changes by compare-and-set.
    """
    now = now or timezone.now()
    expired = 0
    candidates = Quote.objects.filter(
        state__in=OPEN_STATES, valid_until__lt=(now + dt.timedelta(days=1)).date()
    ).select_related("company")
    for quote in candidates.iterator():
        expired += quote_mark_expired(quote=quote, now=now)
    return expired


def quote_duplicate(*, quote: Quote, user: User) -> Quote:
    """A new draft with the same client and content, dated today, owned by `user`."""
    today = timezone.localdate(timezone=quote.company.zone)
    validity = quote.company.default_validity_days
    sections = list(quote.sections.order_by("position").prefetch_related("lines__product"))
    data = QuoteInput(
        client=quote.client,
        contact=quote.contact,
        title=quote.title,
        currency=quote.currency,
        issue_date=today,
        valid_until=today + dt.timedelta(days=validity),
        notes=quote.notes,
        internal_notes=quote.internal_notes,
        deposit_percent=quote.deposit_percent,
        sections=[
            SectionInput(
                title=section.title,
                lines=[
                    LineInput(
                        description=line.description,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        discount_percent=line.discount_percent,
                        tax_rate=line.tax_rate,
                        product=line.product,
                        optional=line.optional,
                        included_by_default=line.included_by_default,
                        min_quantity=line.min_quantity,
                        max_quantity=line.max_quantity,
                    )
                    for line in section.lines.all()
                ],
                choose_one=section.choose_one,
            )
            for section in sections
        ],
    )
    return quote_create(company=quote.company, owner=user, data=data)
