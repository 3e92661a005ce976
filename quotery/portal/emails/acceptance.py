"""The acceptance emails: to the quote's owner and to the signer (with the accepted PDF)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from quotery.notifications.models import OutboxEmail


def acceptance_rep_email(email: OutboxEmail) -> EmailMultiAlternatives:
    raise NotImplementedError


def acceptance_client_email(email: OutboxEmail) -> EmailMultiAlternatives:
    raise NotImplementedError
