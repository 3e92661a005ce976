from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from quotery.core.fields import ExactDecimalField
from quotery.core.languages import DEFAULT_LANGUAGE, LANGUAGE_CHOICES
from quotery.core.money import CURRENCY_CHOICES

HEX_COLOUR = RegexValidator(
    r"\A#[0-9a-fA-F]{6}\Z", "Enter the colour as # followed by six hex digits, like #1f6feb."
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name, like Europe/Berlin.")


class Plan(models.TextChoices):
    STARTER = "starter", "Starter"
    PRO = "pro", "Pro"


class IpRecording(models.TextChoices):
    FULL = "full", "Full address"
    ANONYMISED = "anonymised", "Network only (last part removed)"
    OFF = "off", "Do not record"


class Company(models.Model):
    """A tenant: everything else belongs to exactly one company."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    logo = models.FileField(upload_to="logos/", blank=True)
    logo_content_type = models.CharField(max_length=40, blank=True)
    brand_colour = models.CharField(max_length=7, default="#1f6feb", validators=[HEX_COLOUR])
    portal_text = models.TextField(
        max_length=2000, blank=True, help_text="Shown to clients at the top of every shared quote."
    )
    email_sender_name = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    default_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    language = models.CharField(
        "Client language",
        max_length=8,
        choices=LANGUAGE_CHOICES,
        default=DEFAULT_LANGUAGE,
        help_text="The language of the client page, the emails to clients and the PDFs, "
        "for every client who has no language of their own.",
    )
    default_tax_rate = ExactDecimalField(
        max_digits=6,
        decimal_places=3,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    default_validity_days = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    plan = models.CharField(max_length=10, choices=Plan.choices, default=Plan.STARTER)
    finance_gate = models.BooleanField(
        default=False, help_text="Accepted quotes wait for finance before they close."
    )
    ip_recording = models.CharField(
        "Client IP addresses in the engagement log",
        max_length=12,
        choices=IpRecording.choices,
        default=IpRecording.ANONYMISED,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name

    @property
    def has_engagement_analytics(self) -> bool:
        return self.plan == Plan.PRO

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def sender_name(self) -> str:
        return self.email_sender_name or self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address. Clients never have one."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can open the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    REP = "rep", "Sales rep"
    MANAGER = "manager", "Manager"
    FINANCE = "finance", "Finance"
    ADMIN = "admin", "Admin"


class Membership(models.Model):
    """A user's place in a company. A user works for one company."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.company}"

    @property
    def sees_all_quotes(self) -> bool:
        return self.role in {Role.MANAGER, Role.ADMIN}

    @property
    def can_edit_quotes(self) -> bool:
        return self.role in {Role.REP, Role.MANAGER, Role.ADMIN}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_finance(self) -> bool:
        return self.role == Role.FINANCE
