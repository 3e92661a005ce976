"""Which Chromium the browser tests (and the PDF benchmark) launch, and with which flags.

Debian's /usr/bin/chromium where present (these machines cannot download Playwright's own
browser); CHROMIUM_PATH points at another Chromium or Chrome.
"""

from __future__ import annotations

import os
import shutil

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser")
