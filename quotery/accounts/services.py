"""Every write to a company's settings, its logo and its members.

Each service checks all of its input before it writes, writes in one transaction, and leaves
nothing changed when it raises ValidationFailed.
"""

from __future__ import annotations

import secrets
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction

from quotery.accounts.branding import CleanLogo, logo_clean
from quotery.accounts.models import (
    HEX_COLOUR,
    Company,
    IpRecording,
    Membership,
    Plan,
    Role,
    User,
)
from quotery.core.exceptions import ValidationFailed
from quotery.core.languages import LANGUAGE_CHOICES
from quotery.core.money import CURRENCY_MINOR_UNITS
from quotery.core.text import has_control_characters, is_mailable_address

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Letters and digits without look-alikes (l, 1, O, 0), for a password read off a screen.
PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
GENERATED_PASSWORD_LENGTH = 16


@dataclass
class CompanySettingsInput:
    name: str
    brand_colour: str
    portal_text: str
    email_sender_name: str
    time_zone: str
    default_currency: str
    default_tax_rate: Decimal
    default_validity_days: int
    plan: str
    finance_gate: bool
    ip_recording: str = IpRecording.ANONYMISED
    # The language of the client pages, emails and PDFs, for clients without their own;
    # None keeps the company's.
    language: str | None = None


@dataclass(frozen=True)
class NewMember:
    """A member just added; `generated_password` is set only when Quotery chose it, to be
    shown once to the admin and never stored in clear."""

    membership: Membership
    generated_password: str | None


def company_settings_errors(data: CompanySettingsInput) -> dict[str, list[str]]:
    """Every rule a company's settings must meet, as messages per field (empty: all good)."""
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = ["Enter the company's name."]
    elif len(name) > 120:
        errors["name"] = ["Keep the company name to 120 characters or fewer."]
    elif has_control_characters(name):
        errors["name"] = ["The company name cannot contain line breaks or control characters."]
    try:
        HEX_COLOUR(data.brand_colour.strip())
    except ValidationError:
        errors["brand_colour"] = [
            f"“{data.brand_colour}” is not a colour: enter # followed by six hex digits, "
            "like #1f6feb."
        ]
    if len(data.portal_text) > 2000:
        errors["portal_text"] = [
            f"Keep the portal text to 2000 characters (it has {len(data.portal_text)})."
        ]
    sender = data.email_sender_name.strip()
    if len(sender) > 120:
        errors["email_sender_name"] = ["Keep the sender name to 120 characters or fewer."]
    elif has_control_characters(data.email_sender_name):
        errors["email_sender_name"] = [
            "The sender name goes into an email header: it cannot contain line breaks "
            "or control characters."
        ]
    if data.time_zone.strip() not in zoneinfo.available_timezones():
        errors["time_zone"] = [
            f"“{data.time_zone}” is not a time zone name. Use a name like Europe/Berlin "
            "or America/New_York."
        ]
    if data.language is not None and data.language not in dict(LANGUAGE_CHOICES):
        errors["language"] = ["Pick one of the languages in the list."]
    if data.default_currency not in CURRENCY_MINOR_UNITS:
        errors["default_currency"] = [
            f"“{data.default_currency}” is not a currency Quotery supports."
        ]
    rate = data.default_tax_rate
    if not rate.is_finite() or not ZERO <= rate <= HUNDRED:
        errors["default_tax_rate"] = ["The default tax rate must be between 0 % and 100 %."]
    elif -rate.normalize().as_tuple().exponent > 3:  # type: ignore[operator]
        errors["default_tax_rate"] = ["Use at most three decimal places, like 7.125."]
    if not 1 <= data.default_validity_days <= 365:
        errors["default_validity_days"] = ["Quotes can be valid for 1 to 365 days."]
    if data.plan not in Plan.values:
        errors["plan"] = ["Choose the Starter or the Pro plan."]
    if data.ip_recording not in IpRecording.values:
        errors["ip_recording"] = ["Choose how client IP addresses are recorded."]
    return errors


def company_update(
    *,
    company: Company,
    data: CompanySettingsInput,
    logo: IO[bytes] | None = None,
    logo_size: int | None = None,
    remove_logo: bool = False,
) -> Company:
    """Saves the company's settings and, when given, its new logo (or removes the logo).

    Every field and the logo are checked first; on any error nothing changes, neither the
    settings nor the stored logo. A replaced logo file is deleted once the change commits.
    """
    errors = company_settings_errors(data)
    clean_logo: CleanLogo | None = None
    if logo is not None:
        try:
            clean_logo = logo_clean(logo, size=logo_size)
        except ValidationFailed as error:
            errors.update(error.field_errors)
    if errors:
        raise ValidationFailed("Nothing was saved: some settings need a look.", field_errors=errors)
    with transaction.atomic():
        company.name = data.name.strip()
        company.brand_colour = data.brand_colour.strip().lower()
        company.portal_text = data.portal_text.strip()
        company.email_sender_name = data.email_sender_name.strip()
        company.time_zone = data.time_zone.strip()
        company.default_currency = data.default_currency
        company.default_tax_rate = data.default_tax_rate
        company.default_validity_days = data.default_validity_days
        company.plan = data.plan
        company.finance_gate = data.finance_gate
        company.ip_recording = data.ip_recording
        if data.language is not None:
            company.language = data.language
        company.save(
            update_fields=[
                "language",
                "name",
                "brand_colour",
                "portal_text",
                "email_sender_name",
                "time_zone",
                "default_currency",
                "default_tax_rate",
                "default_validity_days",
                "plan",
                "finance_gate",
                "ip_recording",
            ]
        )
        if clean_logo is not None:
            _logo_store(company, clean_logo)
        elif remove_logo:
            _logo_clear(company)
    return company


def company_logo_set(*, company: Company, upload: IO[bytes], size: int | None = None) -> Company:
    """Checks the upload (branding.logo_clean) and stores it as the company's logo.

    A refused upload changes nothing; the previous logo file is deleted after commit.
    """
    clean_logo = logo_clean(upload, size=size)
    with transaction.atomic():
        _logo_store(company, clean_logo)
    return company


def company_logo_remove(*, company: Company) -> Company:
    """Removes the company's logo; the file is deleted once the change commits."""
    with transaction.atomic():
        _logo_clear(company)
    return company


def _logo_store(company: Company, clean_logo: CleanLogo) -> None:
    """Writes the new file, then the row; the old file goes only after commit. Called last
    in its transaction, so a failed row write removes the new file and keeps the old one."""
    old_name = company.logo.name or ""
    old_content_type = company.logo_content_type
    storage = company.logo.storage
    name = f"company-{company.pk}-{secrets.token_hex(8)}.{clean_logo.extension}"
    company.logo.save(name, ContentFile(clean_logo.content), save=False)
    new_name = company.logo.name
    try:
        company.logo_content_type = clean_logo.content_type
        company.save(update_fields=["logo", "logo_content_type"])
    except Exception:
        _delete_file(storage, new_name)
        company.logo.name = old_name
        company.logo_content_type = old_content_type
        raise
    transaction.on_commit(lambda: _delete_file(storage, old_name))


def _logo_clear(company: Company) -> None:
    if not company.logo:
        return
    old_name = company.logo.name or ""
    storage = company.logo.storage
    company.logo = ""
    company.logo_content_type = ""
    company.save(update_fields=["logo", "logo_content_type"])
    transaction.on_commit(lambda: _delete_file(storage, old_name))


def _delete_file(storage: Storage, name: str | None) -> None:
    if name:
        storage.delete(name)


def _member_email_errors(email: str) -> tuple[str, list[str]]:
    address = email.strip().lower()
    if not address:
        return address, ["Enter the person's email address; they log in with it."]
    if len(address) > 254:
        return address, ["That email address is too long."]
    if not is_mailable_address(address):
        return address, [f"“{email.strip()}” is not an email address, like ana@example.com."]
    if User.objects.filter(email__iexact=address).exists():
        return address, [
            f"{address} already has a Quotery account. Each email address can belong to "
            "one account only: use another address."
        ]
    return address, []


def member_create(
    *, company: Company, full_name: str, email: str, role: str, password: str = ""
) -> NewMember:
    """Adds a user to `company` with `role`, able to log in with `email`.

    With an empty `password`, Quotery generates one and returns it once in `NewMember`.
    Email addresses are unique across all companies (case-insensitive). Nothing is written
    when any field is refused.
    """
    errors: dict[str, list[str]] = {}
    name = full_name.strip()
    if not name:
        errors["full_name"] = ["Enter the person's full name."]
    elif len(name) > 120:
        errors["full_name"] = ["Keep the name to 120 characters or fewer."]
    elif has_control_characters(name):
        errors["full_name"] = ["The name cannot contain line breaks or control characters."]
    address, email_errors = _member_email_errors(email)
    if email_errors:
        errors["email"] = email_errors
    if role not in Role.values:
        errors["role"] = ["Choose a role: sales rep, manager, finance or admin."]
    generated = None
    if not password:
        generated = "".join(
            secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH)
        )
    else:
        try:
            validate_password(password, user=User(email=address, full_name=name))
        except ValidationError as error:
            errors["password"] = list(error.messages)
    if errors:
        raise ValidationFailed("The user was not added.", field_errors=errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=address, password=password or generated, full_name=name
            )
            membership = Membership.objects.create(user=user, company=company, role=role)
    except IntegrityError:
        # Another request took the address between the check and the insert.
        raise ValidationFailed(
            "The user was not added.",
            field_errors={"email": [f"{address} already has a Quotery account."]},
        ) from None
    return NewMember(membership=membership, generated_password=generated)


def _active_admins(company: Company) -> list[int]:
    """Ids of the company's active admin memberships, locked on PostgreSQL until commit."""
    return list(
        Membership.objects.select_for_update()
        .filter(company=company, role=Role.ADMIN, user__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _last_admin_error(membership: Membership, acting: User | None, action: str) -> str:
    if acting is not None and acting.pk == membership.user_id:
        return (
            f"You are the company's only active admin, so you cannot {action} yourself. "
            "Make another member an admin first."
        )
    return (
        f"{membership.user} is the company's only active admin and cannot be {action}d. "
        "Make another member an admin first."
    )


def _locked_member(membership: Membership) -> tuple[Membership, list[int]]:
    """Locks the company's active admin rows, then the member's row: one lock order for
    every caller, so two admins changing each other cannot deadlock."""
    admins = _active_admins(membership.company)
    locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    return locked, admins


def member_change_role(
    *, membership: Membership, role: str, acting: User | None = None
) -> Membership:
    """Gives the member a new role. The company always keeps at least one active admin:
    demoting the last one is refused. Locks the company's admin rows while it decides."""
    if role not in Role.values:
        raise ValidationFailed(
            "The role was not changed.",
            field_errors={"role": ["Choose a role: sales rep, manager, finance or admin."]},
        )
    with transaction.atomic():
        membership, admins = _locked_member(membership)
        if membership.role == role:
            return membership
        if admins == [membership.pk]:
            message = _last_admin_error(membership, acting, "demote")
            raise ValidationFailed(message, field_errors={"role": [message]})
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def member_deactivate(*, membership: Membership, acting: User | None = None) -> Membership:
    """Stops the member from logging in (their open sessions end too: inactive users are
    not authenticated). Their quotes and history stay. The last active admin cannot be
    deactivated. Deactivating someone already inactive changes nothing."""
    with transaction.atomic():
        membership, admins = _locked_member(membership)
        user = membership.user
        if not user.is_active:
            return membership
        if admins == [membership.pk]:
            raise ValidationFailed(_last_admin_error(membership, acting, "deactivate"))
        user.is_active = False
        user.save(update_fields=["is_active"])
    return membership


def member_reactivate(*, membership: Membership) -> Membership:
    """Lets a deactivated member log in again with their existing password and role."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        )
        user = membership.user
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
    return membership


def user_password_set(*, user: User, password: str) -> User:
    """Sets a new password (already checked by Django's password validators)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
