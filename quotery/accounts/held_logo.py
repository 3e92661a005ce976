"""A chosen logo kept while the settings page has errors.

A browser cannot put a file back into a file input, so a logo chosen together with a
mistake elsewhere on the page would be lost. Once the logo itself has passed the checks
(`branding.logo_clean`), the page carries it in a hidden field instead: the cleaned bytes,
signed with the server secret and bound to the company, for a day. Nothing is stored on
the server until the settings are saved; a tampered, foreign or stale value is ignored.
"""

from __future__ import annotations

import base64
from typing import IO

from django.core import signing

from quotery.accounts.branding import CleanLogo, logo_clean
from quotery.core.exceptions import ValidationFailed

SALT = "quotery.accounts.held-logo"
MAX_AGE_SECONDS = 24 * 60 * 60


def logo_hold(*, company_id: int, logo: CleanLogo) -> str:
    """The hidden field's value for a logo that passed the checks."""
    return signing.dumps(
        {
            "company": company_id,
            "type": logo.content_type,
            "extension": logo.extension,
            "content": base64.b64encode(logo.content).decode("ascii"),
        },
        salt=SALT,
        compress=True,
    )


def logo_held(*, company_id: int, value: str) -> CleanLogo | None:
    """The logo a hidden field holds for this company, or None (empty, tampered, another
    company's, older than a day)."""
    if not value:
        return None
    try:
        held = signing.loads(value, salt=SALT, max_age=MAX_AGE_SECONDS)
        if held["company"] != company_id:
            return None
        return CleanLogo(
            content=base64.b64decode(held["content"], validate=True),
            content_type=str(held["type"]),
            extension=str(held["extension"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def logo_checked(upload: IO[bytes] | None, *, size: int | None) -> CleanLogo | None:
    """The upload once cleaned, or None when there is none or it does not pass the checks
    (the form already says why)."""
    if upload is None:
        return None
    try:
        return logo_clean(upload, size=size)
    except ValidationFailed:
        return None


def logo_data_url(logo: CleanLogo) -> str:
    """The cleaned logo as a data: URL for the page's preview (the CSP allows data: images)."""
    return f"data:{logo.content_type};base64,{base64.b64encode(logo.content).decode('ascii')}"
