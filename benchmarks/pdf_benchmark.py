# ruff: noqa: E501 (the HTML template below keeps its lines whole)
"""Quote PDF speed: Typst (warm, 30 and 500 lines), a cached re-download, and headless Chromium.

Run from the project root:

    .venv/bin/python benchmarks/pdf_benchmark.py [--runs 21]

It builds its own throwaway database (a SQLite file in a temporary directory, or
`test_<name>` on the server when DATABASE_URL points at PostgreSQL) and stores PDFs in a
temporary directory through Django's FileSystemStorage, as production does. Quotes are made
through the real services (quote_create, quote_mark_sent) and the company has a PNG logo.

"Warm" means the process has typeset before (fonts loaded, compiler reused), but each timed
render is a quote whose every line differs from the previous run's, so Typst's memoised
layout cannot answer from an earlier identical document. The same distinct quotes are printed
by Chromium from HTML (the DevTools `Page.printToPDF` Playwright uses), with the browser and
page already open.

Prints a markdown table against the targets. Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import base64
import copy
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK_DIR = Path(tempfile.mkdtemp(prefix="quotery-pdf-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK_DIR / 'bench.sqlite3'}")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

from tests.browser.chromium import CHROMIUM_ARGS, chromium_path  # noqa: E402

HTML_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ d.document_title }}</title>
<style>
  @page { size: A4; margin: 22mm 18mm; }
  body { font: 9.5pt/1.35 "Liberation Serif", serif; color: #1f2328; margin: 0; }
  .bar { height: 5mm; background: {{ d.brand.colour }}; }
  header { display: flex; justify-content: space-between; align-items: flex-end;
           border-bottom: 1.2pt solid {{ d.brand.colour }}; padding: 4mm 0; }
  header img { height: 16mm; }
  .kind { color: {{ d.brand.colour }}; font-size: 20pt; font-weight: bold; text-transform: uppercase; }
  h1 { font-size: 15pt; } h2 { color: {{ d.brand.colour }}; font-size: 11pt; break-after: avoid; }
  .blocks { display: grid; grid-template-columns: 1fr 1fr auto; gap: 8mm; }
  .label { font-size: 7.5pt; color: #59636e; font-weight: bold; text-transform: uppercase; }
  table { width: 100%; border-collapse: collapse; }
  thead { display: table-header-group; }
  th { background: #e8f0ec; font-size: 8pt; text-align: right; padding: 4pt; }
  th:first-child, td:first-child { text-align: left; }
  td { text-align: right; padding: 4.5pt 4pt; border-bottom: .4pt solid #d1d9e0; }
  tr { break-inside: avoid; }
  .sku { font-size: 7.5pt; color: #59636e; display: block; }
  .totals { width: 75mm; margin-left: auto; margin-top: 5mm; font-size: 10pt; }
  .totals td { border: 0; } .totals td:first-child { text-align: left; }
  .grand td { font-weight: bold; font-size: 12pt; border-top: 1pt solid {{ d.brand.colour }}; }
  .notes { white-space: pre-line; }
</style></head>
<body>
<div class="bar"></div>
<header>
  <div>{% if logo_src %}<img src="{{ logo_src }}" alt="{{ d.brand.name }}"><br>{% endif %}
    <strong>{{ d.brand.name }}</strong></div>
  <div style="text-align:right"><div class="kind">Quote</div>{{ d.quote.number }}</div>
</header>
<h1>{{ d.quote.title }}</h1>
<div class="blocks">
  <div><div class="label">Prepared for</div>{{ d.quote.client }}<br>{{ d.quote.contact_name }}<br>{{ d.quote.contact_email }}</div>
  <div><div class="label">Prepared by</div>{{ d.quote.prepared_by_name }}<br>{{ d.quote.prepared_by_email }}</div>
  <div><div class="label">Date</div>{{ d.quote.issue_date }}<br><div class="label">Valid until</div>{{ d.quote.valid_until }}</div>
</div>
{% for section in d.sections %}
<h2>{{ section.title }}</h2>
<table>
  <thead><tr><th>Description</th><th>Qty</th><th>Unit price</th><th>Discount</th><th>Tax</th><th>Amount</th></tr></thead>
  <tbody>
  {% for line in section.lines %}
    <tr><td>{{ line.description }}{% if line.sku %}<span class="sku">{{ line.sku }}</span>{% endif %}</td>
      <td>{{ line.quantity }}</td><td>{{ line.unit_price }}</td><td>{{ line.discount }}</td>
      <td>{{ line.tax }}</td><td>{{ line.amount }}</td></tr>
  {% endfor %}
    <tr><td colspan="5" style="text-align:right"><strong>Subtotal · {{ section.title }}</strong></td><td><strong>{{ section.subtotal }}</strong></td></tr>
  </tbody>
</table>
{% endfor %}
<table class="totals">
  {% for row in d.totals.rows %}<tr><td>{{ row.label }}</td><td>{{ row.amount }}</td></tr>{% endfor %}
  <tr class="grand"><td>Total</td><td>{{ d.totals.total }}</td></tr>
</table>
{% if d.quote.notes %}<h2>Notes</h2><p class="notes">{{ d.quote.notes }}</p>{% endif %}
<p class="label">{{ d.quote.validity_sentence }}</p>
</body></html>
"""

FOOTER_TEMPLATE = (
    '<div style="font-size:8px;width:100%;margin:0 18mm;display:flex;justify-content:space-between">'
    '<span class="title"></span><span>Page <span class="pageNumber"></span> of '
    '<span class="totalPages"></span></span></div>'
)


def setup_django() -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(WORK_DIR / "media")},
        },
    }
    django.setup()


def median_ms(action: Callable[[int], object], runs: int, warmup: int = 2) -> float:
    for i in range(warmup):
        action(-1 - i)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        action(i)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def distinct(content: dict[str, Any], run: int) -> dict[str, Any]:
    """The same quote with every line and the number changed: nothing layout could reuse."""
    varied = copy.deepcopy(content)
    varied["number"] = f"{content['number']}-{run}"
    for section in varied["sections"]:
        for line in section["lines"]:
            line["description"] = f"{line['description']} · variant {run}"
    return varied


def make_data() -> tuple[Any, Any, Any]:
    from PIL import Image

    from quotery.accounts.factories import CompanyFactory, member
    from quotery.accounts.models import Role
    from quotery.accounts.services import company_logo_set
    from quotery.quotes.factories import make_quote
    from quotery.quotes.services.quotes import quote_mark_sent

    company = CompanyFactory(name="Northwind Office Supply", brand_colour="#0a7d5a")
    logo = io.BytesIO()
    Image.new("RGB", (360, 96), (10, 125, 90)).save(logo, "PNG")
    logo.seek(0)
    company_logo_set(company=company, upload=logo)
    company.refresh_from_db()
    rep = member(company, Role.REP)
    short = quote_mark_sent(quote=make_quote(owner=rep, sections=3, lines_per_section=10), user=rep)
    long = quote_mark_sent(quote=make_quote(owner=rep, sections=5, lines_per_section=100), user=rep)
    return company, short, long


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs for the 30-line cases")
    parser.add_argument("--long-runs", type=int, default=7, help="timed runs for 500 lines")
    args = parser.parse_args()

    setup_django()
    from django.core.files.storage import storages
    from django.db import connection
    from django.template import Context, Engine

    from quotery.documents.rendering import quote_document_data, render_quote_pdf
    from quotery.documents.services import (
        branding_for_company,
        quote_pdf,
        quote_pdf_cache_key,
    )

    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(WORK_DIR / "bench-test.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        company, short_revision, long_revision = make_data()
        branding = branding_for_company(company)
        short = json.loads(short_revision.content)
        long = json.loads(long_revision.content)
        line_count = sum(len(s["lines"]) for s in short["sections"])
        long_count = sum(len(s["lines"]) for s in long["sections"])

        first_start = time.perf_counter()
        render_quote_pdf(short, branding)
        first_ms = (time.perf_counter() - first_start) * 1000

        typst_short = median_ms(lambda i: render_quote_pdf(distinct(short, i), branding), args.runs)
        typst_same = median_ms(lambda i: render_quote_pdf(short, branding), args.runs)
        typst_long = median_ms(
            lambda i: render_quote_pdf(distinct(long, i), branding), args.long_runs, warmup=1
        )
        quote_pdf(revision=short_revision, company=company)  # stores it
        stored_key = quote_pdf_cache_key(revision=short_revision, company=company)
        stored_size = storages["default"].size(stored_key)
        stored = f"{stored_key} ({stored_size:,} bytes, from the default storage)"
        cached = median_ms(
            lambda i: quote_pdf(revision=short_revision, company=company), args.runs * 10
        )

        engine = Engine(autoescape=True)
        html_template = engine.from_string(HTML_TEMPLATE)
        logo_src = "data:image/png;base64," + base64.b64encode(branding.logo or b"").decode()

        def html_for(content: dict[str, Any]) -> str:
            data = quote_document_data(content, branding)
            return html_template.render(Context({"d": data, "logo_src": logo_src}))

        chromium = chromium_times(html_for, short, long, args.runs, args.long_runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(WORK_DIR, ignore_errors=True)

    print_report(
        vendor=connection.vendor,
        line_count=line_count,
        long_count=long_count,
        first_ms=first_ms,
        typst_short=typst_short,
        typst_same=typst_same,
        typst_long=typst_long,
        cached=cached,
        chromium=chromium,
        storage=type(storages["default"]).__name__,
        stored=stored,
        runs=args.runs,
        long_runs=args.long_runs,
    )


def chromium_times(
    html_for: Callable[[dict[str, Any]], str],
    short: dict[str, Any],
    long: dict[str, Any],
    runs: int,
    long_runs: int,
) -> dict[str, float] | None:
    """Chromium printing the same quotes: with a page kept open (warm), with a new page per
    PDF in a running browser, and launching the browser per PDF."""
    try:
        from playwright.sync_api import Browser, Page, sync_playwright
    except ImportError:
        return None
    executable = chromium_path() or "/usr/bin/chromium"

    def print_pdf(page: Page, content: dict[str, Any]) -> bytes:
        page.set_content(html_for(content), wait_until="load")
        return page.pdf(
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER_TEMPLATE,
            margin={"top": "22mm", "bottom": "22mm", "left": "18mm", "right": "18mm"},
        )

    with sync_playwright() as playwright:

        def launch() -> Browser:
            return playwright.chromium.launch(
                executable_path=executable if Path(executable).exists() else None,
                args=CHROMIUM_ARGS,
                headless=True,
            )

        browser = launch()
        page = browser.new_page()
        times = {
            "warm": median_ms(lambda i: print_pdf(page, distinct(short, i)), runs),
            "warm_long": median_ms(
                lambda i: print_pdf(page, distinct(long, i)), long_runs, warmup=1
            ),
        }

        def new_page_per_pdf(i: int) -> None:
            fresh = browser.new_page()
            print_pdf(fresh, distinct(short, i))
            fresh.close()

        times["new_page"] = median_ms(new_page_per_pdf, runs)
        browser.close()

        def launch_per_pdf(i: int) -> None:
            own = launch()
            print_pdf(own.new_page(), distinct(short, i))
            own.close()

        times["launch"] = median_ms(launch_per_pdf, max(3, runs // 4), warmup=1)
    return times


def print_report(**m: Any) -> None:
    def ms(value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"

    def met(ok: bool) -> str:
        return "yes" if ok else "NO"

    typst_short: float = m["typst_short"]
    chromium: dict[str, float] | None = m["chromium"]
    rows = [
        (
            f"Typst, {m['line_count']}-line quote, warm (median of {m['runs']})",
            ms(typst_short),
            "< 60 ms",
            met(typst_short < 60),
        ),
        (
            f"Typst, {m['long_count']}-line quote, warm (median of {m['long_runs']})",
            ms(m["typst_long"]),
            "< 600 ms",
            met(m["typst_long"] < 600),
        ),
        (
            f"Cached re-download via quote_pdf, {m['storage']} (median of {m['runs'] * 10})",
            ms(m["cached"]),
            "< 5 ms",
            met(m["cached"] < 5),
        ),
    ]
    if chromium is None:
        rows.append(("Chromium print (Playwright not installed)", "n/a", "≥ 10× Typst", "n/a"))
    else:
        for key, label, count in [
            ("warm", "page kept open", m["line_count"]),
            ("new_page", "new page per PDF, browser running", m["line_count"]),
            ("launch", "browser launched per PDF", m["line_count"]),
        ]:
            ratio = chromium[key] / typst_short
            rows.append(
                (
                    f"Chromium print, {count} lines, {label}",
                    ms(chromium[key]),
                    "≥ 10× Typst",
                    f"{met(ratio >= 10)} ({ratio:.1f}×)",
                )
            )
        ratio = chromium["warm_long"] / m["typst_long"]
        rows.append(
            (
                f"Chromium print, {m['long_count']} lines, page kept open",
                ms(chromium["warm_long"]),
                "(comparison)",
                f"{ratio:.1f}× Typst",
            )
        )
    print(f"\nQuote PDF benchmark ({m['vendor']} database, Python {sys.version.split()[0]})\n")
    print("| Measurement | Result | Target | Met |")
    print("|---|---:|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"- First Typst render in the process (fonts, template): {ms(m['first_ms'])}")
    print(f"- Typst re-render of an identical quote (memoised layout): {ms(m['typst_same'])}")
    print(f"- The cached download reads {m['stored']}")


if __name__ == "__main__":
    main()
