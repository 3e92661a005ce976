"""Evidence in words a person reads: a short reference for a long hash, and the browser a
user agent names ("Chrome on Windows").

The full values stay where evidence is kept and checked (the acceptance record, the
certificate's technical part, `manage.py verify`); these are only how they are shown. Both
take anything, a hostile or garbled string included, and never raise.
"""

from __future__ import annotations

import functools
import string

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ua_parser import parse

# The first 12 characters of a hash, in three groups of four: enough to tell acceptances
# apart at a glance and to find the full value, short enough to read out on the phone.
REFERENCE_LENGTH = 12
REFERENCE_GROUP = 4
REFERENCE_SEPARATOR = "·"
HEX_DIGITS = frozenset(string.hexdigits)

# Translated where they are said (the certificate page of a German client's PDF).
NOT_RECORDED = gettext_noop("Not recorded")
UNKNOWN_BROWSER = gettext_noop("Unknown browser")
# A family name comes from the user agent itself (a regex capture): kept short and plain.
LONGEST_NAME = 40
# A user agent is at most 400 characters where it is stored; longer input is cut before
# parsing so a hostile string costs no more than a real one.
LONGEST_USER_AGENT = 1000

BROWSER_NAMES = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Android WebView",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Edge Mobile": "Edge",
    "HeadlessChrome": "Headless Chrome",
    "Samsung Internet": "Samsung Internet",
    "Opera Mobile": "Opera",
    "IE": "Internet Explorer",
}
SYSTEM_NAMES = {
    "Mac OS X": "macOS",
    "Chrome OS": "ChromeOS",
    "Windows Phone": "Windows Phone",
}
APPLE_DEVICES = ("iPhone", "iPad", "iPod")


def short_reference(value: object) -> str:
    """The first 12 characters of a hash, grouped: 'F3A9·C21B·77D0'. Empty for no value;
    a value that is not a hexadecimal hash is shortened the same way, never refused."""
    text = "".join(str(value or "").split())[:REFERENCE_LENGTH]
    if not text:
        return ""
    if all(ch in HEX_DIGITS for ch in text):
        text = text.upper()
    groups = [text[i : i + REFERENCE_GROUP] for i in range(0, len(text), REFERENCE_GROUP)]
    return REFERENCE_SEPARATOR.join(groups)


def describe_user_agent(user_agent: str | None) -> str:
    """'Chrome on Windows', 'Safari on iPhone', 'Firefox', 'Unknown browser' for a user
    agent no rule names, 'Not recorded' for none."""
    text = (user_agent or "").strip()[:LONGEST_USER_AGENT]
    if not text:
        return _(NOT_RECORDED)
    browser, system = _named(text)
    if system:
        return _("%(browser)s on %(system)s") % {
            "browser": browser or _(UNKNOWN_BROWSER),
            "system": system,
        }
    return browser or _(UNKNOWN_BROWSER)


@functools.lru_cache(maxsize=512)
def _named(text: str) -> tuple[str, str]:
    """The browser's and the system's names a user agent gives ("" for either unknown)."""
    try:
        result = parse(text)
    except Exception:  # a parser defect must not cost the page; the raw value stays shown
        return "", ""
    browser = _plain(result.user_agent.family if result.user_agent else "")
    browser = BROWSER_NAMES.get(browser, browser)
    system = _plain(result.os.family if result.os else "")
    system = SYSTEM_NAMES.get(system, system)
    device = _plain(result.device.family if result.device else "")
    if system == "iOS" and device in APPLE_DEVICES:
        system = device
    elif system == "iOS" and "iPad" in text:
        system = "iPad"
    return browser, system


def _plain(name: str | None) -> str:
    """A name captured from the user agent, as printable words of reasonable length."""
    if not name or name == "Other":
        return ""
    kept = "".join(ch if ch.isprintable() else " " for ch in name)
    words = " ".join(kept.split())
    if len(words) > LONGEST_NAME:
        words = words[: LONGEST_NAME - 1].rstrip() + "…"
    return words
