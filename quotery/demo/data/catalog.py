"""The two demo companies' catalogs: products with their stock, and services without."""

from __future__ import annotations

from quotery.demo.data.records import DemoProduct

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
# fmt: on
