"""The company the engagement sample fills, with enough reps and clients to look real."""

from __future__ import annotations

from quotery.accounts.models import Company, Membership, Plan, Role, User
from quotery.clients.models import Client

SAMPLE_SLUG = "engagement-sample"
SAMPLE_MANAGER = "manager@engagement-sample.example"
SAMPLE_PASSWORD = "demo-manager-2026"  # noqa: S105 (a demo login, printed like the others)
REP_NAMES = ["Rita Rep", "Sam Sales", "Lena Lorenz", "Omar Okafor", "Julia Jansen", "Tom Tran"]
CLIENT_NAMES = [
    "Hafenblick Architekten",
    "Globex Corporation",
    "Initech GmbH",
    "Umbrella Logistics",
    "Stark Office Parks",
    "Wayne Facilities",
    "Acme Coworking",
    "Nordlicht Kliniken",
    "Blue Harbour Hotels",
    "Kranich & Söhne",
    "Vela Software",
    "Tiefbau Meyer",
]


def sample_company_get_or_create() -> tuple[Company, bool]:
    """The company "engagement-sample" (made once) and whether its manager's login was
    made now (SAMPLE_MANAGER / SAMPLE_PASSWORD), so the command can print it."""
    company, _ = Company.objects.get_or_create(
        slug=SAMPLE_SLUG,
        defaults={
            "name": "Engagement Sample Ltd",
            "plan": Plan.PRO,
            "time_zone": "Europe/Berlin",
            "default_currency": "EUR",
        },
    )
    if User.objects.filter(email=SAMPLE_MANAGER).exists():
        return company, False
    manager = User.objects.create_user(SAMPLE_MANAGER, SAMPLE_PASSWORD, full_name="Mia Manager")
    Membership.objects.create(user=manager, company=company, role=Role.MANAGER)
    return company, True


def sample_owners(company: Company) -> list[User]:
    """The company's reps, topped up with sample reps (who cannot log in) to four."""
    reps = list(
        User.objects.filter(membership__company=company, membership__role=Role.REP).order_by("pk")
    )
    for name in REP_NAMES[len(reps) : 4]:
        local = name.lower().replace(" ", ".")
        user = User.objects.create_user(
            f"{local}@{company.slug}.sample.invalid", None, full_name=name
        )
        Membership.objects.create(user=user, company=company, role=Role.REP)
        reps.append(user)
    return reps


def sample_clients(company: Company) -> list[Client]:
    """Up to twelve of the company's clients, topped up with sample clients if it has fewer
    than six."""
    clients = list(Client.objects.filter(company=company).order_by("pk")[:12])
    missing = [name for name in CLIENT_NAMES if name not in {c.name for c in clients}]
    if len(clients) < 6:
        Client.objects.bulk_create(
            Client(company=company, name=name) for name in missing[: 12 - len(clients)]
        )
        clients = list(Client.objects.filter(company=company).order_by("pk")[:12])
    return clients
