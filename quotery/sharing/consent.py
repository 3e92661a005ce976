"""The consent text a client agrees to when accepting, and its version.

The exact text shown is stored with every acceptance (SECURITY.md 12). Change the wording
only together with a new version, so every stored acceptance names the words it agreed to.
"""

from __future__ import annotations

CONSENT_VERSION = "2026-11-1"


def consent_text(*, company_name: str, quote_number: str, total: str) -> str:
    return (
        f"I accept quote {quote_number} from {company_name} for {total}, on the terms it "
        "states, and I am authorised to do so. I agree to do business electronically: "
        "typing my name here is my signature and has the same effect as signing on paper."
    )
