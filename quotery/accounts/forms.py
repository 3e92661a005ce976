"""HTTP input for logging in, company settings and members. Rules live in accounts.services."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from quotery.accounts.models import HEX_COLOUR, Company, IpRecording, Plan, Role
from quotery.accounts.services import CompanySettingsInput, company_settings_errors
from quotery.core.forms import NameField
from quotery.core.languages import DEFAULT_LANGUAGE, LANGUAGE_CHOICES
from quotery.core.money import CURRENCY_CHOICES

LOGO_ACCEPT = "image/png,image/jpeg,image/svg+xml,.png,.jpg,.jpeg,.svg"

# What each plan includes, shown beside the plan choice.
PLAN_FEATURES: dict[str, list[str]] = {
    Plan.STARTER: [
        "Quotes with sections, lines, live totals and branded PDFs",
        "The Customer Portal: secure links, e-signature acceptance, change requests",
        "Each quote's own engagement timeline (views, downloads, messages)",
        "Products, stock, clients, users and the finance approval gate",
    ],
    Plan.PRO: [
        "Everything in Starter",
        "Portal engagement analytics: the company-wide Engagement page with views, "
        "PDF downloads and buying signals across all quotes",
    ],
}


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": (
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": "This account has been deactivated. Ask your company's admin.",
    }


class CompanySettingsForm(forms.Form):
    name = forms.CharField(
        label="Company name",
        error_messages={"required": "Enter the company's name."},
        widget=forms.TextInput(attrs={"maxlength": 120, "autocomplete": "organization"}),
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG or SVG, at most 1 MB. SVG files are cleaned of scripts and links.",
        error_messages={"empty": "The logo file is empty. Choose a PNG, JPEG or SVG image."},
        widget=forms.FileInput(attrs={"accept": LOGO_ACCEPT}),
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)
    brand_colour = forms.CharField(
        label="Brand colour",
        help_text="# followed by six hex digits, like #1f6feb.",
        error_messages={"required": "Enter the brand colour, like #1f6feb."},
        widget=forms.TextInput(
            attrs={"maxlength": 7, "spellcheck": "false", "autocomplete": "off", "size": 8}
        ),
    )
    portal_text = forms.CharField(
        label="Portal text",
        required=False,
        strip=False,
        help_text="Shown to clients at the top of every shared quote (up to 2000 characters).",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    email_sender_name = forms.CharField(
        label="Email sender name",
        required=False,
        strip=False,
        help_text="The name clients see as the sender of quote emails. Empty: the company name.",
        widget=forms.TextInput(attrs={"maxlength": 120}),
    )
    time_zone = forms.CharField(
        label="Time zone",
        help_text="Quotes expire at the end of their last day in this time zone.",
        error_messages={"required": "Enter a time zone, like Europe/Berlin."},
        widget=forms.TextInput(
            attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    language = forms.ChoiceField(
        label="Language for clients",
        choices=LANGUAGE_CHOICES,
        initial=DEFAULT_LANGUAGE,
        required=False,  # left out of a form: the company's stays
        help_text="The quote page, the emails to clients and the PDFs are in this language, "
        "unless a client has a language of their own (set on the client).",
    )
    default_currency = forms.ChoiceField(
        label="Default currency",
        choices=CURRENCY_CHOICES,
        error_messages={"invalid_choice": "“%(value)s” is not a currency Quotery supports."},
    )
    default_tax_rate = forms.DecimalField(
        label="Default tax rate (%)",
        # Django counts the digits as typed: 1E-999999999 has too many decimal places here,
        # where a check after normalize() would see a zero. (%% because Django formats these.)
        max_digits=6,
        decimal_places=3,
        error_messages={
            "required": "Enter the default tax rate, like 20 or 7.5.",
            "invalid": "Enter the tax rate as a number, like 20 or 7.5.",
            "max_digits": (
                "Enter a tax rate between 0 %% and 100 %% with at most three decimal "
                "places, like 7.125."
            ),
            "max_whole_digits": "The default tax rate must be between 0 %% and 100 %%.",
            "max_decimal_places": "Use at most three decimal places, like 7.125.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    default_validity_days = forms.IntegerField(
        label="Default validity (days)",
        help_text="How long a new quote stays valid.",
        error_messages={
            "required": "Enter how many days a new quote stays valid, like 30.",
            "invalid": "Enter a whole number of days, like 30.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    plan = forms.ChoiceField(
        label="Plan",
        choices=Plan.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the Starter or the Pro plan.",
            "invalid_choice": "Choose the Starter or the Pro plan.",
        },
    )
    finance_gate = forms.BooleanField(
        label="Finance approval gate",
        required=False,
        help_text="Accepted quotes wait as “ready for billing” until finance marks them paid.",
        widget=forms.CheckboxInput(
            attrs={"role": "switch", "aria-describedby": "finance-gate-help"}
        ),
    )
    ip_recording = forms.ChoiceField(
        label="Client IP addresses in the engagement log",
        choices=IpRecording.choices,
        widget=forms.RadioSelect,
        help_text="Views and downloads record the client's IP address as chosen here.",
        error_messages={
            "required": "Choose how client IP addresses are recorded.",
            "invalid_choice": "Choose how client IP addresses are recorded.",
        },
    )

    @classmethod
    def for_company(cls, company: Company) -> CompanySettingsForm:
        return cls(
            initial={
                "name": company.name,
                "brand_colour": company.brand_colour,
                "portal_text": company.portal_text,
                "email_sender_name": company.email_sender_name,
                "time_zone": company.time_zone,
                "default_currency": company.default_currency,
                "language": company.language,
                "default_tax_rate": f"{company.default_tax_rate.normalize():f}",
                "default_validity_days": company.default_validity_days,
                "plan": company.plan,
                "finance_gate": company.finance_gate,
                "ip_recording": company.ip_recording,
            }
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("logo") and cleaned.get("remove_logo"):
            self.add_error(
                "remove_logo", "Either upload a new logo or remove the current one, not both."
            )
        if self.errors:
            # Some fields did not even parse: still show every other rule that fails now,
            # so one round trip reveals all the problems. The service checks again on save.
            for field, messages in company_settings_errors(self._input_or_defaults()).items():
                if field in cleaned and not self.has_error(field):
                    for message in messages:
                        self.add_error(field, message)
        return cleaned

    def _input_or_defaults(self) -> CompanySettingsInput:
        data = self.cleaned_data
        return CompanySettingsInput(
            name=data.get("name", "-"),
            brand_colour=data.get("brand_colour", "#000000"),
            portal_text=data.get("portal_text", ""),
            email_sender_name=data.get("email_sender_name", ""),
            time_zone=data.get("time_zone", "UTC"),
            default_currency=data.get("default_currency", "EUR"),
            language=data.get("language") or None,
            default_tax_rate=Decimal(data.get("default_tax_rate", 0)),
            default_validity_days=data.get("default_validity_days", 30),
            plan=data.get("plan", Plan.STARTER),
            finance_gate=data.get("finance_gate", False),
            ip_recording=data.get("ip_recording", IpRecording.ANONYMISED),
        )

    def settings_input(self) -> CompanySettingsInput:
        data = self.cleaned_data
        return CompanySettingsInput(
            name=data["name"],
            brand_colour=data["brand_colour"],
            portal_text=data["portal_text"],
            email_sender_name=data["email_sender_name"],
            time_zone=data["time_zone"],
            default_currency=data["default_currency"],
            language=data.get("language") or None,
            default_tax_rate=Decimal(data["default_tax_rate"]),
            default_validity_days=data["default_validity_days"],
            plan=data["plan"],
            finance_gate=data["finance_gate"],
            ip_recording=data["ip_recording"],
        )

    def preview_colour(self, fallback: str) -> str:
        """The colour the preview starts with: what was typed when it is a colour."""
        typed = str(self["brand_colour"].value() or "").strip()
        try:
            HEX_COLOUR(typed)
        except forms.ValidationError:
            return fallback
        return typed.lower()


def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


class MemberCreateForm(forms.Form):
    # Text fields are checked by member_create, so every problem is reported at once; the
    # name's characters here, by the rule every typed name follows (core.text.name_problem).
    full_name = NameField(
        label="Full name",
        whose="the person's",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 120, "autocomplete": "off"}),
    )
    email = forms.CharField(
        label="Email",
        required=False,
        help_text="They log in with this address. Each address can have one account only.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        initial=Role.REP,
        error_messages={"invalid_choice": "Choose a role: sales rep, manager, finance or admin."},
    )
    password = forms.CharField(
        label="Initial password",
        required=False,
        strip=False,
        help_text="Leave empty and Quotery makes up a strong one, shown once after saving.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        error_messages={"invalid_choice": "Choose a role: sales rep, manager, finance or admin."},
    )


ROLE_DESCRIPTIONS: list[tuple[str, str]] = [
    (Role.REP.label, "Builds, shares and follows up their own quotes."),
    (Role.MANAGER.label, "Everything a rep does, on all of the company's quotes."),
    (Role.FINANCE.label, "Reviews accepted quotes and sets payment status."),
    (Role.ADMIN.label, "Company settings, users, products and stock, and all quotes."),
]
