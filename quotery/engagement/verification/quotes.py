"""Everything `manage.py verify` checks of one quote, in the order it prints it."""

from __future__ import annotations

from quotery.engagement.verification.acceptance import acceptance_of, missing_acceptance_check
from quotery.engagement.verification.chains import chain_checks
from quotery.engagement.verification.results import CheckResult
from quotery.engagement.verification.sealed_pdf import acceptance_checks
from quotery.quotes.models import Quote


def quote_checks(quote: Quote) -> list[CheckResult]:
    """The quote's chain and head; then its acceptance, the record sealed into its PDF and
    its emails, or, with no acceptance, whatever says it was accepted."""
    results = chain_checks(quote)
    acceptance = acceptance_of(quote)
    if acceptance is None:
        missing = missing_acceptance_check(quote)
        if missing is not None:
            results.append(missing)
        return results
    results.extend(acceptance_checks(acceptance))
    return results
