"""Takes the README's screenshots (run by bin/screenshots, which starts the server on the
demo data in a temporary database and sets BASE_URL and the settings).

Per width (375 px, a phone; 1280 px, a laptop): the client page of a sent quote, the page
of an accepted quote, the accepted PDF's first page, the rep's start page and the
Engagement page. Pages taller than LONGEST are cut there, to keep the files small.
Typing nothing and answering nothing, it leaves the demo data as seeded (views by the
screenshot browser are recorded in the temporary database only).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.urls import reverse  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from quotery.quotes.models import Quote, QuoteState  # noqa: E402
from quotery.sharing.links import share_token  # noqa: E402
from quotery.sharing.models import Acceptance, PortalShare  # noqa: E402
from tests.browser.chromium import CHROMIUM_ARGS, chromium_path  # noqa: E402

WIDTHS = {375: 812, 1280: 900}  # width: the window's height
LONGEST = 3000  # px
COMPANY = "northwind"
PASSWORDS = {
    "rep@northwind.example": "demo-rep-2026",
    "manager@northwind.example": "demo-manager-2026",
}
BASE_URL = os.environ["BASE_URL"]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    wait_for_server()
    sent, accepted = client_page_path(), accepted_page_path()
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        for width, height in WIDTHS.items():
            context = browser.new_context(
                base_url=BASE_URL, viewport={"width": width, "height": height}
            )
            page = context.new_page()
            shoot(page, sent, out / f"client-page-{width}.png")
            shoot(page, accepted, out / f"accepted-page-{width}.png")
            pdf = page.request.get(accepted + "accepted-pdf/")
            if not pdf.ok:
                raise SystemExit(f"The accepted PDF did not download: HTTP {pdf.status}")
            pdf_page_one(pdf.body(), width, out / f"accepted-pdf-{width}.png", Path(scratch))
            log_in(page, "rep@northwind.example")
            shoot(page, "/", out / f"start-page-{width}.png")
            log_in(page, "manager@northwind.example")
            shoot(page, reverse("engagement:dashboard"), out / f"engagement-{width}.png")
            context.close()
        browser.close()
    optimise(sorted(out.glob("*.png")))
    for path in sorted(out.glob("*.png")):
        print(f"    {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")


def wait_for_server() -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{BASE_URL}/healthz", timeout=2):  # noqa: S310 (ours)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"Quotery did not start on {BASE_URL}") from None
            time.sleep(0.3)


def _share_path(share: PortalShare) -> str:
    token = share_token(key=share.key, quote_id=share.quote_id, email=share.recipient_email)
    return reverse("portal:page", args=[token])


def client_page_path() -> str:
    """The client page of the sent quote with the most lines: the one that shows most."""
    quotes = Quote.objects.filter(company__slug=COMPANY, state=QuoteState.SENT)
    quote = max(quotes, key=lambda quote: (quote.sections.count(), quote.pk))
    share = PortalShare.objects.filter(quote=quote, revoked_at=None).order_by("pk").first()
    if share is None:
        raise SystemExit("The demo data has no shared sent quote.")
    return _share_path(share)


def accepted_page_path() -> str:
    acceptance = (
        Acceptance.objects.filter(quote__company__slug=COMPANY)
        .select_related("share")
        .order_by("pk")
        .first()
    )
    if acceptance is None:
        raise SystemExit("The demo data has no accepted quote.")
    return _share_path(acceptance.share)


def shoot(page: Page, path: str, target: Path) -> None:
    """The whole page (up to LONGEST): the window is made as tall as the page, so what
    stays on screen (the client's answer bar) shows where it sits, at the window's edge."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = min(page.evaluate("document.documentElement.scrollHeight"), LONGEST)
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.wait_for_timeout(200)  # let the layout settle at the new height
    page.screenshot(path=str(target))
    page.set_viewport_size(size)


def log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORDS[email])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def pdf_page_one(pdf: bytes, width: int, target: Path, scratch: Path) -> None:
    source = scratch / "accepted.pdf"
    source.write_bytes(pdf)
    stem = scratch / f"page-{width}"
    pdftoppm = shutil.which("pdftoppm") or "pdftoppm"
    subprocess.run(  # noqa: S603 (fixed arguments, our own files)
        [
            pdftoppm,
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            "-scale-to-x",
            str(width),
            "-scale-to-y",
            "-1",
            str(source),
            str(stem),
        ],
        check=True,
    )
    shutil.move(f"{stem}.png", target)


def optimise(paths: list[Path]) -> None:
    optipng = shutil.which("optipng")
    if optipng is None:
        print("    (optipng not found: the PNGs are saved as Chromium wrote them)")
        return
    arguments = [optipng, "-quiet", "-o2", "-strip", "all", *map(str, paths)]
    subprocess.run(arguments, check=True)  # noqa: S603 (fixed arguments, our own files)


def _args() -> Path:
    return Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots").resolve()


if __name__ == "__main__":
    main(_args())
