"""Seeds the cluster's fresh database through the app's own services (quote_create, via the
factories) and makes the shared seal key pair, before any instance starts.

    python -m tests.cluster.seed     (with the deployment's environment; prints JSON)
"""

from __future__ import annotations

import json
from decimal import Decimal

import django


def main() -> None:
    django.setup()
    from quotery.accounts.factories import DEFAULT_PASSWORD, CompanyFactory, member
    from quotery.accounts.models import Role
    from quotery.catalog.factories import ProductFactory
    from quotery.documents.sealing import seal_identity
    from quotery.quotes.factories import make_quote

    # The one key pair every process seals with (SEAL_KEY_PATH, SEAL_CERT_PATH), made once.
    seal_identity(create=True)
    company = CompanyFactory(name="Northwind Cluster", slug="northwind-cluster")
    rep = member(company, Role.REP, email="rep@northwind.test", full_name="Riley Rep")
    desk = ProductFactory(company=company, sku="DESK-1", stock=Decimal(10))
    lamp = ProductFactory(company=company, sku="LAMP-1", stock=Decimal(1))
    quote = make_quote(
        owner=rep, products=[desk, lamp], quantities=[Decimal(3), Decimal(2)], title="Two desks"
    )
    print(json.dumps({"quote_id": quote.pk, "rep_email": rep.email, "password": DEFAULT_PASSWORD}))


if __name__ == "__main__":
    main()
