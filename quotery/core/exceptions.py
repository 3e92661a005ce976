"""The one way Quotery fails: an ApplicationError with a message a person understands.

Views and the API map these to a page or a JSON error in one place
(`quotery.core.middleware.ApplicationErrorMiddleware`). Services raise them before writing
anything, or inside a transaction that the raise rolls back.
"""

from __future__ import annotations


class ApplicationError(Exception):
    code = "error"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.field_errors = field_errors or {}


class ValidationFailed(ApplicationError):
    """Input that breaks a rule; `field_errors` names the fields when there are any."""

    code = "invalid"
    http_status = 400


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ApplicationError):
    code = "forbidden"
    http_status = 403


class IllegalTransition(ApplicationError):
    """A state change the quote's lifecycle does not allow."""

    code = "illegal_transition"
    http_status = 409


class QuoteLocked(ApplicationError):
    """An edit of a quote that can no longer change (accepted, closed, declined...)."""

    code = "quote_locked"
    http_status = 409


class QuoteNotAcceptable(ApplicationError):
    code = "quote_not_acceptable"
    http_status = 409


class LinkExpired(ApplicationError):
    code = "link_expired"
    http_status = 410


class RevisionMismatch(ApplicationError):
    """The client acted on a revision that is no longer the latest."""

    code = "revision_mismatch"
    http_status = 409


class ChoicesChanged(ApplicationError):
    """The client's choices on a quote with options changed (in another tab) after the
    page they act from was shown: they must see the new total first."""

    code = "choices_changed"
    http_status = 409


class AlreadyAnswered(QuoteNotAcceptable):
    """The client (or another tab, or a double click) already accepted or declined the quote.
    Views show a friendly page saying so, not an error."""

    code = "already_answered"
    http_status = 409


class TooManyRequests(ApplicationError):
    """More of one kind of request than its limit allows in a window; try again later."""

    code = "too_many_requests"
    http_status = 429
