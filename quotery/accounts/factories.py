"""factory_boy factories for companies, users and memberships (tests and benchmarks)."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from quotery.accounts.models import Company, Membership, Role, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (test accounts only)


class CompanyFactory(DjangoModelFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    time_zone = "Europe/Berlin"
    default_currency = "EUR"
    default_tax_rate = Decimal("20")
    plan = "pro"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Role.REP


def member(company: Company | None = None, role: Role = Role.REP, **user_fields: object) -> User:
    """A user with a membership in `company` (a new company when None)."""
    membership = MembershipFactory(
        company=company or CompanyFactory(), role=role, user=UserFactory(**user_fields)
    )
    return membership.user
