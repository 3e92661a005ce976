"""A quote's event chain and its head (SECURITY.md 16, 28)."""

from __future__ import annotations

from quotery.engagement.chain import ChainReport, verify_quote_chain
from quotery.engagement.pending_opens import pending_open_count
from quotery.engagement.verification.results import CheckResult
from quotery.quotes.models import Quote

RE_SIGN_HINT = (
    "signed with an older key in SECRET_KEY_FALLBACKS: run `manage.py verify "
    "--re-sign-heads` before retiring it"
)


def chain_checks(quote: Quote) -> list[CheckResult]:
    """The chain recomputed once, and what it says about its links and its head. Opens the
    portal recorded but has not chained yet (quotery.engagement.pending_opens) are named:
    no hash covers them until they are chained."""
    report = verify_quote_chain(quote.pk)
    return [_links(report, pending_open_count(quote.pk)), _head(quote, report)]


def _links(report: ChainReport, pending: int) -> CheckResult:
    if report.links_ok:
        waiting = f"; {pending} opens recorded, not chained yet" if pending else ""
        return CheckResult("events", True, f"{report.checked} events chained{waiting}")
    return CheckResult("events", False, report.problem, at=f"event #{report.first_bad_sequence}")


def _head(quote: Quote, report: ChainReport) -> CheckResult:
    head = report.head
    assert head is not None
    if not head.ok:
        return CheckResult("head", False, head.problem)
    if head.signed_with == "none yet":
        # Sharing appends an event, so a shared quote with an empty chain and an empty head
        # had both emptied behind the app's back.
        shared = _shared_as(quote)
        if shared:
            return CheckResult(
                "head",
                False,
                f"the quote was shared ({shared}) but its chain and its head are empty: its "
                "whole history was deleted",
            )
        return CheckResult("head", True, "no events yet")
    signed = "signed with the current key" if head.signed_with == "current" else RE_SIGN_HINT
    return CheckResult(
        "head",
        True,
        f"{report.checked} events, last hash {report.last_hash[:12]}…, {signed}"
        if report.links_ok
        else signed,
    )


def _shared_as(quote: Quote) -> str:
    """How the quote shows it was shared, or "" for a quote never shared."""
    if quote.has_been_shared:
        return f"revision {quote.revision_number}"
    if quote.shares.exists() or quote.revisions.exists():
        return "it has portal links or revisions"
    return ""
