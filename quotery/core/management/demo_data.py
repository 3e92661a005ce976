"""The demo companies, people, catalog, clients and quotes that `manage.py seed_demo` loads.

Plain data only; `seed_demo` turns it into rows through the services. Every email address
uses the reserved `.example` domain, so nothing here can ever reach a real mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quotery.accounts.models import Plan, Role

# One password per role, the same in both companies (printed at start and in the README).
DEMO_PASSWORDS: dict[str, str] = {
    Role.REP: "demo-rep-2026",
    Role.MANAGER: "demo-manager-2026",
    Role.FINANCE: "demo-finance-2026",
    Role.ADMIN: "demo-admin-2026",
}


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    unit_price: str
    tax_rate: str
    stock: int | None  # None: a service, which does not track stock
    description: str = ""


@dataclass(frozen=True)
class DemoClient:
    name: str
    address: str
    vat_number: str
    contacts: tuple[tuple[str, str], ...]  # (name, email); the first is the main contact


@dataclass(frozen=True)
class FreeLine:
    """A line typed by hand rather than picked from the catalog."""

    description: str
    quantity: str
    unit_price: str
    tax_rate: str


@dataclass(frozen=True)
class ProductLine:
    sku: str
    quantity: str
    discount_percent: str = "0"


@dataclass(frozen=True)
class DemoSection:
    title: str
    lines: tuple[ProductLine | FreeLine, ...]


@dataclass(frozen=True)
class DemoQuote:
    """`story` names the path the quote has taken; see seed_demo.STORIES."""

    story: str
    owner_role: str
    client: int  # index into the company's clients
    title: str
    issued_days_ago: int
    sections: tuple[DemoSection, ...]


@dataclass(frozen=True)
class DemoCompany:
    name: str
    slug: str
    domain: str
    plan: str
    finance_gate: bool
    currency: str
    time_zone: str
    default_tax_rate: str
    validity_days: int
    brand_colour: str
    portal_text: str
    notes: str
    people: dict[str, str]  # role -> full name
    products: tuple[DemoProduct, ...]
    clients: tuple[DemoClient, ...]
    quotes: tuple[DemoQuote, ...] = field(default=())

    def email(self, role: str) -> str:
        return f"{role}@{self.domain}"


P = ProductLine
F = FreeLine
S = DemoSection
Q = DemoQuote
D = DemoProduct


# fmt: off
NORTHWIND_PRODUCTS = (
    D("NW-PAP-A4-80", "Copy paper A4, 80 g/m², box of 5 reams", "24.90", "19", 340),
    D("NW-PAP-A3-80", "Copy paper A3, 80 g/m², ream of 500", "11.40", "19", 120),
    D("NW-TON-59A", "Toner cartridge 59A, black, 3,000 pages", "129.00", "19", 36),
    D("NW-TON-2420", "Toner cartridge TN-2420, black", "64.50", "19", 48),
    D("NW-CHR-AALTO", "Ergonomic office chair Aalto, mesh back", "289.00", "19", 24,
      "Synchronous mechanism, adjustable lumbar support, 4D armrests."),
    D("NW-DSK-160", "Electric sit-stand desk, 160 × 80 cm", "649.00", "19", 12,
      "Dual motor, 62-127 cm height range, four memory positions."),
    D("NW-MON-ARM2", "Dual monitor arm, gas spring", "119.00", "19", 30),
    D("NW-LMP-LED", "LED desk lamp with USB-C charging", "54.90", "19", 40),
    D("NW-BIN-80", "Lever arch file A4, 80 mm, blue, pack of 10", "27.50", "19", 90),
    D("NW-PEN-GEL12", "Gel pens, black, box of 12", "9.80", "19", 200),
    D("NW-NTB-A5", "Notebook A5, dotted, hardcover", "7.90", "19", 260),
    D("NW-WHB-120", "Magnetic whiteboard, 120 × 90 cm", "189.00", "19", 15),
    D("NW-SHR-P4", "Cross-cut shredder, security level P-4, 30 l", "239.00", "19", 9),
    D("NW-CAB-3D", "Steel filing cabinet, 3 drawers, lockable", "349.00", "19", 11),
    D("NW-HDS-USB", "USB headset with noise cancelling", "79.00", "19", 55),
    D("NW-KBD-SET", "Wireless keyboard and mouse set, German layout", "49.90", "19", 70),
    D("NW-COF-1KG", "Espresso beans, house blend, 1 kg", "18.90", "7", 80),
    D("NW-BK-ORG", "Handbook “The Organised Office” (paperback)", "24.00", "7", 25),
    D("NW-SVC-DEL", "Delivery and carry-in, per order", "49.00", "19", None),
    D("NW-SVC-ASM", "Furniture assembly, per hour", "65.00", "19", None),
    D("NW-SVC-DSP", "Disposal of old furniture, per item", "25.00", "19", None),
)

NORTHWIND_QUOTES = (
    Q("draft", Role.REP, 0, "Workstations for the new studio floor", 1, (
        S("Furniture", (P("NW-DSK-160", "8", "5"), P("NW-CHR-AALTO", "8", "5"),
                        P("NW-MON-ARM2", "8"))),
        S("Lighting and accessories", (P("NW-LMP-LED", "8"), P("NW-KBD-SET", "8"))),
        S("Services", (P("NW-SVC-ASM", "6"), P("NW-SVC-DEL", "1"))),
    )),
    Q("draft", Role.REP, 6, "Reading room refresh", 2, (
        S("Seating", (P("NW-CHR-AALTO", "4"),)),
        S("Stationery", (P("NW-NTB-A5", "50", "10"), P("NW-PEN-GEL12", "10"),
                         P("NW-BK-ORG", "5"))),
    )),
    Q("draft", Role.MANAGER, 9, "Meeting room kit", 0, (
        S("Meeting rooms", (P("NW-WHB-120", "3"), P("NW-HDS-USB", "6"))),
        S("Delivery", (P("NW-SVC-DEL", "1"),)),
    )),
    Q("sent", Role.REP, 1, "Quarterly office supplies", 6, (
        S("Paper", (P("NW-PAP-A4-80", "20", "8"), P("NW-PAP-A3-80", "5"))),
        S("Toner", (P("NW-TON-59A", "4"), P("NW-TON-2420", "6"))),
        S("Filing", (P("NW-BIN-80", "6"),)),
    )),
    Q("sent", Role.REP, 3, "Reception and records area", 9, (
        S("Furniture", (P("NW-CAB-3D", "2"), P("NW-SHR-P4", "1"))),
        S("Delivery", (P("NW-SVC-DEL", "1"), P("NW-SVC-DSP", "2"))),
    )),
    Q("sent_after_changes", Role.REP, 5, "Sit-stand desks for the dev team", 12, (
        S("Desks", (P("NW-DSK-160", "14", "7.5"), P("NW-MON-ARM2", "14"))),
        S("Assembly", (P("NW-SVC-ASM", "10"), P("NW-SVC-DEL", "1"))),
    )),
    Q("changes_requested", Role.REP, 4, "Back office and front desk supplies", 5, (
        S("Stationery", (P("NW-PAP-A4-80", "10"), P("NW-PEN-GEL12", "20"),
                         P("NW-NTB-A5", "30"))),
        S("Coffee corner", (P("NW-COF-1KG", "12"),)),
    )),
    Q("changes_requested", Role.MANAGER, 2, "Dispatch office equipment", 8, (
        S("Furniture", (P("NW-CHR-AALTO", "10"), P("NW-CAB-3D", "4"), P("NW-SHR-P4", "2"))),
        S("Services", (P("NW-SVC-DEL", "1"), P("NW-SVC-ASM", "4"))),
    )),
    Q("accepted", Role.REP, 7, "Records room filing", 26, (
        S("Filing", (P("NW-CAB-3D", "6"), P("NW-BIN-80", "20", "10"))),
        S("Services", (P("NW-SVC-DEL", "1"), P("NW-SVC-DSP", "6"))),
    )),
    Q("accepted", Role.REP, 8, "Shop office set-up", 19, (
        S("Furniture", (P("NW-DSK-160", "1"), P("NW-CHR-AALTO", "2"), P("NW-LMP-LED", "2"))),
        S("Supplies", (P("NW-PAP-A4-80", "4"), P("NW-TON-2420", "2"))),
        S("Services", (P("NW-SVC-ASM", "2"),)),
    )),
    Q("accepted", Role.MANAGER, 0, "Plotter room paper stock", 33, (
        S("Paper", (P("NW-PAP-A3-80", "30", "12"), P("NW-PAP-A4-80", "15", "12"))),
        S("Delivery", (F("Pallet delivery to the 3rd floor", "1", "85.00", "19"),)),
    )),
    Q("declined", Role.REP, 9, "Phone booth headsets", 21, (
        S("Headsets", (P("NW-HDS-USB", "20", "5"),)),
        S("Peripherals", (P("NW-KBD-SET", "20"),)),
    )),
    Q("declined", Role.MANAGER, 2, "Coffee for the depots, 12 months", 28, (
        S("Coffee", (P("NW-COF-1KG", "120", "15"),)),
        S("Delivery", (F("Monthly delivery round to three depots", "12", "15.00", "19"),)),
    )),
    Q("expired", Role.REP, 1, "Shredding and archive clean-up", 45, (
        S("Equipment", (P("NW-SHR-P4", "2"),)),
        S("Services", (P("NW-SVC-DSP", "10"), P("NW-SVC-ASM", "3"))),
    )),
    Q("cancelled", Role.REP, 6, "Whiteboards for the study rooms", 15, (
        S("Whiteboards", (P("NW-WHB-120", "8"),)),
        S("Services", (P("NW-SVC-ASM", "4"), P("NW-SVC-DEL", "1"))),
    )),
)

BLUEBIRD_PRODUCTS = (
    D("BB-RUB-850", "Roller banner 850 × 2000 mm, printed, with bag", "89.00", "20", 40),
    D("BB-RUB-1000", "Premium roller banner 1000 × 2000 mm", "129.00", "20", 18),
    D("BB-ABD-A1", "A-board pavement sign, A1, with two prints", "149.00", "20", 12),
    D("BB-FMX-A1", "Foamex board 5 mm, A1, printed", "32.00", "20", 150),
    D("BB-DBD-A0", "Dibond aluminium sign, A0", "118.00", "20", 25),
    D("BB-VIN-WIN", "Window vinyl, printed, per m²", "36.00", "20", 200),
    D("BB-PVC-BAN", "PVC banner 440 gsm with eyelets, per m²", "14.50", "20", 400),
    D("BB-FLG-3M", "Feather flag 3 m with ground spike", "95.00", "20", 20),
    D("BB-PST-A2", "Snap poster frame A2, aluminium", "24.00", "20", 60),
    D("BB-LFT-A5", "Leaflets A5, 130 gsm gloss, 1,000", "48.00", "0", 80),
    D("BB-BRO-A4", "Brochures A4, 8 pages, stapled, 250", "310.00", "0", 10),
    D("BB-BC-350", "Business cards, 350 gsm silk, box of 250", "28.00", "20", 120),
    D("BB-STK-50", "Round stickers 50 mm, roll of 500", "42.00", "20", 45),
    D("BB-LHD-A4", "Letterheads A4, 120 gsm, 500", "65.00", "20", 30),
    D("BB-ENV-DL", "DL envelopes, printed, box of 500", "72.00", "20", 30),
    D("BB-POP-3X3", "Pop-up display stand 3 × 3, curved", "689.00", "20", 4),
    D("BB-LIT-4A4", "Leaflet stand, four A4 pockets", "79.00", "20", 16),
    D("BB-SVC-DES", "Artwork and design, per hour", "55.00", "20", None),
    D("BB-SVC-INS", "Sign installation, per hour", "60.00", "20", None),
    D("BB-SVC-PRF", "Hard-copy colour proof", "15.00", "20", None),
    D("BB-SVC-DEL", "Same-day courier delivery", "25.00", "20", None),
)

BLUEBIRD_QUOTES = (
    Q("draft", Role.REP, 0, "Shopfront refresh", 1, (
        S("Window graphics", (P("BB-VIN-WIN", "6.5"),)),
        S("Pavement sign", (P("BB-ABD-A1", "1"),)),
        S("Artwork", (P("BB-SVC-DES", "3"),)),
    )),
    Q("draft", Role.REP, 2, "Summer fair banners", 2, (
        S("Banners and flags", (P("BB-PVC-BAN", "12"), P("BB-FLG-3M", "2"))),
        S("Artwork", (P("BB-SVC-DES", "2"), P("BB-SVC-PRF", "1"))),
    )),
    Q("draft", Role.MANAGER, 7, "Festival wayfinding signs", 0, (
        S("Signs", (P("BB-FMX-A1", "40", "10"), P("BB-DBD-A0", "4"))),
        S("Installation", (P("BB-SVC-INS", "6"),)),
    )),
    Q("sent", Role.REP, 1, "Patient information leaflets", 3, (
        S("Print", (P("BB-LFT-A5", "5"), P("BB-BRO-A4", "1"))),
        S("Display", (P("BB-LIT-4A4", "2"),)),
    )),
    Q("sent", Role.REP, 3, "Office stationery reprint", 4, (
        S("Stationery", (P("BB-LHD-A4", "4"), P("BB-ENV-DL", "2"), P("BB-BC-350", "6"))),
        S("Proofing", (P("BB-SVC-PRF", "1"),)),
    )),
    Q("sent_after_changes", Role.REP, 5, "Gym launch campaign", 6, (
        S("Banners", (P("BB-RUB-850", "3"), P("BB-FLG-3M", "2"))),
        S("Leaflets", (P("BB-LFT-A5", "10", "5"),)),
        S("Artwork", (P("BB-SVC-DES", "4"),)),
    )),
    Q("changes_requested", Role.REP, 4, "Café menu boards and stickers", 2, (
        S("Menu boards", (P("BB-DBD-A0", "2"), P("BB-STK-50", "2"))),
        S("Artwork", (P("BB-SVC-DES", "2"),)),
    )),
    Q("changes_requested", Role.MANAGER, 9, "Seasonal signage", 5, (
        S("Signs and banners", (P("BB-PVC-BAN", "20"), P("BB-FMX-A1", "25", "5"),
                                P("BB-PST-A2", "10"))),
        S("Installation", (P("BB-SVC-INS", "5"),)),
    )),
    Q("accepted", Role.REP, 8, "Reception signage", 10, (
        S("Signs", (P("BB-DBD-A0", "1"), P("BB-VIN-WIN", "3"))),
        S("Installation", (P("BB-SVC-INS", "2"),)),
    )),
    Q("accepted", Role.MANAGER, 7, "Exhibition stand for the festival", 12, (
        S("Display", (P("BB-POP-3X3", "1"), P("BB-RUB-1000", "2"))),
        S("Print", (P("BB-LFT-A5", "3"),)),
        S("Delivery", (P("BB-SVC-DEL", "1"),)),
    )),
    Q("accepted_and_paid", Role.REP, 6, "Van livery and business cards", 20, (
        S("Vehicle graphics", (P("BB-VIN-WIN", "4"),
                               F("Application on two vans, on site", "2", "90.00", "20"))),
        S("Stationery", (P("BB-BC-350", "4"),)),
        S("Artwork", (P("BB-SVC-DES", "1"),)),
    )),
    Q("declined", Role.REP, 0, "Loyalty card print run", 9, (
        S("Print", (P("BB-BC-350", "10"), P("BB-STK-50", "1"))),
        S("Proofing", (P("BB-SVC-PRF", "1"),)),
    )),
    Q("declined", Role.MANAGER, 9, "Christmas grotto feather flags", 11, (
        S("Flags", (P("BB-FLG-3M", "10", "10"),)),
        S("Delivery", (P("BB-SVC-DEL", "1"),)),
    )),
    Q("expired", Role.REP, 3, "To-let board graphics", 30, (
        S("Boards", (P("BB-FMX-A1", "30"),)),
        S("Artwork", (P("BB-SVC-DES", "2"),)),
    )),
    Q("cancelled", Role.REP, 1, "Practice brochure", 7, (
        S("Print", (P("BB-BRO-A4", "2"),)),
        S("Artwork", (P("BB-SVC-DES", "6"), P("BB-SVC-PRF", "1"))),
    )),
)
# fmt: on


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
