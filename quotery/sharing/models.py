"""The portal's data that other apps read: shares (one capability link per quote and
recipient email), the conversation, acceptances and declines.

No usable link is stored: a share keeps only its random `key`; the link adds an HMAC of the
key, quote and email under the server secret (see `quotery.sharing.links`).

These models were the portal's until the portal moved up a floor; their tables kept the
portal's names (`db_table`), so the move changed no table and no row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quotery.core.models import CompanyOwned


class PortalShare(CompanyOwned):
    quote = models.ForeignKey("quotes.Quote", on_delete=models.CASCADE, related_name="shares")
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField(max_length=254)
    key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The newest revision this recipient confirmed viewing (0: none yet).
    last_viewed_revision = models.PositiveIntegerField(default=0)
    # The recipient's choices on a quote with options (quotery.quotes.options): the
    # configuration's canonical JSON, and the content hash of the revision it was made on.
    # Empty, or made on another revision: the rep's defaults.
    choices = models.TextField(blank=True)
    choices_content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "portal_portalshare"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "recipient_email"], name="share_quote_recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} → {self.recipient_email}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AuthorKind(models.TextChoices):
    CLIENT = "client", "Client"
    REP = "rep", "Rep"


class ConversationMessage(CompanyOwned):
    """One message in a quote's thread, from the client (through a share) or from staff."""

    quote = models.ForeignKey("quotes.Quote", on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author_name = models.CharField(max_length=200)
    author_email = models.EmailField(max_length=254, blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    share = models.ForeignKey(
        PortalShare, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    # A change request on a quote with options carries the client's choices as they were,
    # in words (quotery.quotes.options.choices_summary), so the rep sees what they tried.
    choices_summary = models.TextField(blank=True)

    class Meta:
        db_table = "portal_conversationmessage"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["quote", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class Acceptance(CompanyOwned):
    """A client's typed-name electronic signature of one revision (SECURITY.md 12-15).

    Written once, in the transaction that accepts the quote, and never updated except to
    record the sealed PDF (`pdf_name`, `pdf_sha256`, set once by compare-and-set).
    `signature_hash` is SHA-256 of the previous event's hash followed by the canonical JSON
    of `signed_record()`; the acceptance event that follows it in the chain carries it too.
    """

    quote = models.OneToOneField(
        "quotes.Quote", on_delete=models.PROTECT, related_name="acceptance"
    )
    share = models.ForeignKey(PortalShare, on_delete=models.PROTECT, related_name="+")
    # Which link was used: the share's key at the time (a re-issued link gets a new key).
    link_key = models.CharField(max_length=32)
    revision = models.ForeignKey("quotes.QuoteRevision", on_delete=models.PROTECT, related_name="+")
    revision_number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    signer_name = models.CharField(max_length=200)
    signer_email = models.EmailField(max_length=254)
    consent_text = models.TextField()
    consent_version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    total = models.CharField(max_length=40)  # the accepted total, as in the revision
    currency = models.CharField(max_length=3)
    # The deposit agreed, as in the revision: percent ("30", "0" for none) and amount
    # ("300.00"). Empty on acceptances recorded before deposits existed, whose signed
    # record (and so signature hash) does not name them.
    deposit_percent = models.CharField(max_length=10, blank=True)
    deposit_amount = models.CharField(max_length=40, blank=True)
    # On a quote with options, the client's choices accepted (quotery.quotes.options): the
    # configuration's canonical JSON and its SHA-256; `total` is then that configuration's.
    # Empty for a quote without options, whose signed record does not name them.
    configuration = models.TextField(blank=True)
    configuration_hash = models.CharField(max_length=64, blank=True)
    # The language the client was shown the quote and the consent text in ("en", "de").
    # Empty on acceptances recorded before languages existed, whose signed record (and so
    # signature hash) does not name it.
    language = models.CharField(max_length=8, blank=True)
    prev_hash = models.CharField(max_length=64)
    signature_hash = models.CharField(max_length=64, unique=True)
    event_sequence = models.PositiveIntegerField()
    pdf_name = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "portal_acceptance"

    def __str__(self) -> str:
        return f"{self.quote_id} accepted by {self.signer_email}"

    def signed_record(self) -> dict[str, object]:
        """What the signature hash covers (SECURITY.md 15: strings only, sorted keys)."""
        return {
            "quote": str(self.quote_id),
            "share": str(self.share_id),
            "link_key": self.link_key,
            "revision_number": str(self.revision_number),
            "content_hash": self.content_hash,
            "signer_name": self.signer_name,
            "signer_email": self.signer_email,
            "consent_text": self.consent_text,
            "consent_version": self.consent_version,
            "accepted_at": self.accepted_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "ip": self.ip or "",
            "user_agent": self.user_agent,
            "total": self.total,
            "currency": self.currency,
            **self.deposit_record(),
            **self.configuration_record(),
            **self.language_record(),
        }

    def language_record(self) -> dict[str, str]:
        """The language's part of the signed record: none for an acceptance recorded before
        languages existed, so its signature hash stays what it was."""
        if not self.language:
            return {}
        return {"language": self.language}

    def configuration_record(self) -> dict[str, str]:
        """The choices' part of the signed record: only on a quote with options, so the
        signature hash of any other acceptance stays what it was."""
        if not self.configuration_hash:
            return {}
        return {
            "configuration": self.configuration,
            "configuration_hash": self.configuration_hash,
        }

    def deposit_record(self) -> dict[str, str]:
        """The deposit's part of the signed record: none for an acceptance recorded before
        deposits existed, so its signature hash stays what it was."""
        if not self.deposit_percent:
            return {}
        return {"deposit_percent": self.deposit_percent, "deposit_amount": self.deposit_amount}

    @property
    def has_deposit(self) -> bool:
        return self.deposit_percent not in {"", "0"}

    @property
    def deposit(self) -> Decimal | None:
        """The deposit agreed, as an amount; None when none was."""
        return Decimal(self.deposit_amount) if self.has_deposit else None


class DeclineReason(models.TextChoices):
    PRICE = "price", _("Price")
    TIMING = "timing", _("Timing")
    OTHER_SUPPLIER = "other_supplier", _("Chose another supplier")
    NOT_NEEDED = "not_needed", _("No longer needed")
    OTHER = "other", _("Other")


class Decline(CompanyOwned):
    """A client's "no", with the reason they picked (feeds the Engagement page)."""

    quote = models.OneToOneField("quotes.Quote", on_delete=models.PROTECT, related_name="decline")
    share = models.ForeignKey(PortalShare, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=DeclineReason.choices)
    detail = models.TextField(max_length=2000, blank=True)
    revision_number = models.PositiveIntegerField()
    declined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "portal_decline"

    def __str__(self) -> str:
        return f"{self.quote_id} declined ({self.reason})"
