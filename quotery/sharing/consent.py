"""The consent text a client agrees to when accepting, and its version.

The exact text shown is stored with every acceptance (SECURITY.md 12). Change the wording
only together with a new version, so every stored acceptance names the words it agreed to.

Versions:
- "2026-11-1": "I accept quote <number> from <company> for <total>, on the terms it
  states, and I am authorised to do so. I agree to do business electronically: ..."
- "2026-12-1": the same, and with a deposit "..., with a deposit of <percent> %
  (<amount>) payable on acceptance, on the terms it states, ...". Without a deposit the
  words are those of "2026-11-1".
"""

from __future__ import annotations

CONSENT_VERSION = "2026-12-1"


def consent_text(
    *,
    company_name: str,
    quote_number: str,
    total: str,
    deposit_percent: str = "",
    deposit: str = "",
) -> str:
    """The words the client agrees to. With a deposit (`deposit_percent` and its amount
    `deposit`, as the client page shows them) they name it, so the signed consent says
    what the client agreed to pay on acceptance."""
    agreed = f"I accept quote {quote_number} from {company_name} for {total}"
    if deposit_percent:
        agreed += f", with a deposit of {deposit_percent} % ({deposit}) payable on acceptance"
    return (
        f"{agreed}, on the terms it states, and I am authorised to do so. I agree to do "
        "business electronically: typing my name here is my signature and has the same "
        "effect as signing on paper."
    )
