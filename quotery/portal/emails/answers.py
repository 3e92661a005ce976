"""Emails about the client's answers and the conversation, built at send time."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from quotery.notifications.models import OutboxEmail


def changes_requested_email(email: OutboxEmail) -> EmailMultiAlternatives:
    raise NotImplementedError


def declined_email(email: OutboxEmail) -> EmailMultiAlternatives:
    raise NotImplementedError


def client_message_email(email: OutboxEmail) -> EmailMultiAlternatives:
    raise NotImplementedError


def rep_message_email(email: OutboxEmail) -> EmailMultiAlternatives:
    raise NotImplementedError
