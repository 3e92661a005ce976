"""The demo quotes, fifteen per company, each taken along the path its story names."""

from __future__ import annotations

from quotery.accounts.models import Role
from quotery.demo.data.records import DemoQuote, DemoSection, FreeLine, LineOptions, ProductLine

P = ProductLine
F = FreeLine
S = DemoSection
Q = DemoQuote
Opt = LineOptions

# fmt: off
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
    # A quote with options: cabinets from 1 to 6, an optional shredder and disposal, and
    # assembly by our team or flat-packed (the client chooses on their page).
    Q("sent", Role.REP, 3, "Reception and records area", 9, (
        S("Furniture", (P("NW-CAB-3D", "2", options=Opt(min_quantity="1", max_quantity="6")),
                        P("NW-SHR-P4", "1", options=Opt(optional=True)))),
        S("Delivery", (P("NW-SVC-DEL", "1"),
                       P("NW-SVC-DSP", "2", options=Opt(optional=True, included=True)))),
        S("Assembly", (P("NW-SVC-ASM", "2", options=Opt(included=True)),
                       F("Flat-packed, assembled by you", "1", "0", "19")), choose_one=True),
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
    ), deposit_percent="50"),
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
    ), deposit_percent="30"),
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
