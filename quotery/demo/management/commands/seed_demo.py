"""`manage.py seed_demo`: loads the two demo companies once, through the services.

Running it again changes nothing and says so. What each company holds is in
quotery/demo/data/, how it becomes rows in quotery/demo/seeding.py and stories.py.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from quotery.accounts.models import Company
from quotery.demo.data.companies import DEMO_COMPANIES
from quotery.demo.seeding import demo_logins, seed_company


class Command(BaseCommand):
    help = "Loads the demo companies, users, products, clients and quotes (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        created: list[str] = []
        for demo in DEMO_COMPANIES:
            if Company.objects.filter(slug=demo.slug).exists():
                continue
            with transaction.atomic():
                seed_company(demo)
            created.append(demo.name)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {', '.join(created)}."))
        else:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        self.stdout.write(self.logins_table())

    def logins_table(self) -> str:
        rows = [("Company", "Role", "Email", "Password"), *demo_logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["", "Demo logins:"]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append(("  " + "  ".join(cells)).rstrip())
        return "\n".join(lines)
