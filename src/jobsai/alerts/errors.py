"""Typed alert errors, each with a message a person can act on (the API maps them to statuses)."""

from __future__ import annotations

from jobsai.errors import JobsAIError


class AlertError(JobsAIError):
    """Base of the alert errors."""


class AlertRequestError(AlertError):
    """The request cannot make or change an alert as asked (no consent, a bad address, too many alerts): 422."""


class AlertUnavailableError(AlertError):
    """This server is not set up for what was asked (no SMTP server, no public URL): 503."""


class AlertNotFoundError(AlertError):
    """No alert has this link (it was deleted, expired, or the link is mistyped): 404."""


class DeliveryError(AlertError):
    """A message could not be sent. ``permanent``: the server refused the address (a bounce): do not retry."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent
