"""The two demo companies with their people and clients; one password per role."""

from __future__ import annotations

from quotery.accounts.models import Plan, Role
from quotery.demo.data.catalog import BLUEBIRD_PRODUCTS, NORTHWIND_PRODUCTS
from quotery.demo.data.quotes import BLUEBIRD_QUOTES, NORTHWIND_QUOTES
from quotery.demo.data.records import DemoClient, DemoCompany, DemoPayment

# One password per role, the same in both companies (printed at start and in the README).
DEMO_PASSWORDS: dict[str, str] = {
    Role.REP: "demo-rep-2026",
    Role.MANAGER: "demo-manager-2026",
    Role.FINANCE: "demo-finance-2026",
    Role.ADMIN: "demo-admin-2026",
}


NORTHWIND = DemoCompany(
    name="Northwind Office Supply",
    slug="northwind",
    domain="northwind.example",
    plan=Plan.PRO,
    finance_gate=False,
    currency="EUR",
    time_zone="Europe/Berlin",
    default_tax_rate="19",
    validity_days=30,
    brand_colour="#1f6feb",
    portal_text=(
        "Thank you for considering Northwind Office Supply. Prices are in euros; "
        "delivery in Berlin and Brandenburg within five working days of acceptance."
    ),
    notes=(
        "Prices in EUR. Delivery within five working days of acceptance; "
        "payment 14 days net from the invoice date."
    ),
    people={
        Role.REP: "Nora Klein",
        Role.MANAGER: "Max Hartmann",
        Role.FINANCE: "Fatma Yilmaz",
        Role.ADMIN: "Anna Berger",
    },
    products=NORTHWIND_PRODUCTS,
    clients=(
        DemoClient(
            "Hafenblick Architekten GmbH",
            "Am Sandtorkai 12\n20457 Hamburg",
            "DE287654321",
            (("Jana Petersen", "jana.petersen@hafenblick.example"),),
        ),
        DemoClient(
            "Müller & Söhne Steuerberatung",
            "Friedrichstraße 88\n10117 Berlin",
            "DE194502236",
            (("Thomas Müller", "t.mueller@mueller-soehne.example"),),
        ),
        DemoClient(
            "Kranich Logistik AG",
            "Industriestraße 4\n14974 Ludwigsfelde",
            "DE301122334",
            (
                ("Aylin Demir", "aylin.demir@kranich-logistik.example"),
                ("Stefan Kraus", "einkauf@kranich-logistik.example"),
            ),
        ),
        DemoClient(
            "Praxis Dr. Weber",
            "Schloßstraße 21\n12163 Berlin",
            "",
            (("Sabine Weber", "praxis@dr-weber.example"),),
        ),
        DemoClient(
            "Lindenhof Hotel Berlin",
            "Unter den Linden 40\n10117 Berlin",
            "DE266778899",
            (("Marco Rossi", "m.rossi@lindenhof-hotel.example"),),
        ),
        DemoClient(
            "Sternwerk Software GmbH",
            "Revaler Straße 99\n10245 Berlin",
            "DE312345678",
            (
                ("Lukas Brandt", "lukas@sternwerk.example"),
                ("Nina Vogel", "office@sternwerk.example"),
            ),
        ),
        DemoClient(
            "Stadtbibliothek Potsdam",
            "Am Kanal 47\n14467 Potsdam",
            "",
            (("Ingrid Hoffmann", "beschaffung@bibliothek-potsdam.example"),),
        ),
        DemoClient(
            "Fischer Rechtsanwälte",
            "Kurfürstendamm 200\n10719 Berlin",
            "DE278901234",
            (("Paul Fischer", "kanzlei@fischer-recht.example"),),
        ),
        DemoClient(
            "Grünfeld Bio-Markt",
            "Kastanienallee 7\n10435 Berlin",
            "DE245556677",
            (("Elena Schmidt", "elena@gruenfeld-bio.example"),),
        ),
        DemoClient(
            "Nordlicht Coworking",
            "Schönhauser Allee 36\n10435 Berlin",
            "DE333444555",
            (
                ("Jonas Becker", "jonas@nordlicht-cowork.example"),
                ("Mia Wolf", "community@nordlicht-cowork.example"),
            ),
        ),
    ),
    quotes=NORTHWIND_QUOTES,
)


BLUEBIRD = DemoCompany(
    name="Bluebird Print & Sign",
    slug="bluebird",
    domain="bluebird.example",
    plan=Plan.STARTER,
    finance_gate=True,
    # GB82 WEST 1234 5698 7654 32 is the IBAN registry's published example, never a real account.
    payment=DemoPayment(
        account_holder="Bluebird Print and Sign Ltd",
        iban="GB82 WEST 1234 5698 7654 32",
        bic="NWBKGB2L",
        reference_format="BB-{quote_number}",
        terms="Payable within 14 days of acceptance by bank transfer. Artwork goes to print "
        "once the payment has arrived.",
    ),
    currency="GBP",
    time_zone="Europe/London",
    default_tax_rate="20",
    validity_days=14,
    brand_colour="#0b7a75",
    portal_text=(
        "Bluebird Print & Sign: signs, banners and print for local businesses. "
        "Artwork proofs are sent by email before anything goes to print."
    ),
    notes=(
        "Prices in GBP. Turnaround three working days after proof approval. "
        "Printed leaflets and brochures are zero-rated for VAT."
    ),
    people={
        Role.REP: "Ben Walker",
        Role.MANAGER: "Megan Price",
        Role.FINANCE: "Fiona Grant",
        Role.ADMIN: "Alex Morgan",
    },
    products=BLUEBIRD_PRODUCTS,
    clients=(
        DemoClient(
            "Harbour Street Bakery",
            "14 Harbour Street\nWhitstable CT5 1AQ",
            "GB123456789",
            (("Emma Clarke", "emma@harbourstreetbakery.example"),),
        ),
        DemoClient(
            "Riverside Dental Practice",
            "2 Riverside Walk\nCanterbury CT1 2AB",
            "",
            (("Priya Shah", "practice@riverside-dental.example"),),
        ),
        DemoClient(
            "Oakwood Primary School",
            "Oakwood Lane\nAshford TN23 4PX",
            "",
            (
                ("David Hughes", "office@oakwood-primary.example"),
                ("Sarah Khan", "pta@oakwood-primary.example"),
            ),
        ),
        DemoClient(
            "Thames Valley Lettings",
            "31 Market Place\nReading RG1 2DE",
            "GB234567890",
            (("Sophie Turner", "sophie@tvlettings.example"),),
        ),
        DemoClient(
            "The Copper Kettle Café",
            "5 Mercery Lane\nCanterbury CT1 2JJ",
            "",
            (("Liam O'Connor", "hello@copperkettle.example"),),
        ),
        DemoClient(
            "Brightside Fitness",
            "Unit 3, Westgate Retail Park\nMaidstone ME16 8PN",
            "GB345678901",
            (("Chloe Evans", "chloe@brightside-fitness.example"),),
        ),
        DemoClient(
            "Greenway Landscaping Ltd",
            "Orchard Farm\nFaversham ME13 9EL",
            "GB456789012",
            (("Mark Davies", "mark@greenway-landscaping.example"),),
        ),
        DemoClient(
            "Northgate Community Festival",
            "c/o Northgate Hall\nCanterbury CT1 1BE",
            "",
            (
                ("Hannah Lewis", "hannah@northgate-festival.example"),
                ("Tom Reid", "volunteers@northgate-festival.example"),
            ),
        ),
        DemoClient(
            "Castle & Co Solicitors",
            "9 Castle Street\nCanterbury CT1 2QF",
            "GB567890123",
            (("James Castle", "james.castle@castleandco.example"),),
        ),
        DemoClient(
            "Kingfisher Garden Centre",
            "Sturry Road\nCanterbury CT2 0NA",
            "GB678901234",
            (("Olivia Bennett", "olivia@kingfisher-gardens.example"),),
        ),
    ),
    quotes=BLUEBIRD_QUOTES,
)

DEMO_COMPANIES: tuple[DemoCompany, ...] = (NORTHWIND, BLUEBIRD)
