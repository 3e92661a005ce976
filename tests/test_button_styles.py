"""One button style on the rep's pages: a filled primary button (no class) for the page's
main action, `secondary` (outlined, quotery.css) for the others; a link that looks like a
button is `button` or `button button--secondary`. No Pico variant (outline, contrast)
comes back through a template. The client's pages have their own, branded buttons."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The client's pages and the emails style their own buttons (portal.css, inline styles).
OWN_STYLES = ("portal/client/", "portal/email/", "/emails/", "notifications/email")
STYLE_CLASSES = {"secondary", "button", "button--secondary", "link-button"}
# Classes that hook behaviour or layout, not a look of their own.
HOOKS = {"share-open", "share-fallback", "notification-open", "nav-toggle"}

TAG = re.compile(r"<(button|a)\b[^>]*>", re.S)
CLASSES = re.compile(r'\bclass="([^"]*)"')


def rep_templates() -> list[Path]:
    found = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("quotery/*/templates/**/*.html")]
    return [path for path in found if not any(part in str(path) for part in OWN_STYLES)]


def test_the_rep_templates_use_one_button_style() -> None:
    strays: list[str] = []
    for path in rep_templates():
        for tag in TAG.finditer(path.read_text()):
            match = CLASSES.search(tag.group(0))
            classes = set(match.group(1).split()) if match else set()
            is_button = tag.group(1) == "button" or "button" in classes
            if not is_button:
                continue
            unknown = classes - STYLE_CLASSES - HOOKS
            half_link = "button--secondary" in classes and "button" not in classes
            if unknown or half_link:
                strays.append(f"{path.relative_to(ROOT)}: {tag.group(0)[:80]}")
    assert strays == []


def test_the_audit_reads_the_templates() -> None:
    # a check that reads nothing passes by itself: the rep's templates are there
    names = {path.name for path in rep_templates()}
    assert {"base.html", "quote_detail.html", "start.html", "settings.html"} <= names
