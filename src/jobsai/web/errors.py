"""Errors that only the web layer raises; each maps to one HTTP status (see ``api.error_status``)."""

from __future__ import annotations

from jobsai.errors import JobsAIError


class NotReadyError(JobsAIError):
    """The model, index or ads are still loading (or failed to load): 503."""


class BusyError(JobsAIError):
    """Every match worker stayed busy for the whole request timeout: 503."""


class RateLimitedError(JobsAIError):
    """This client used up its share for now: 429 with ``Retry-After``."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Too many requests; try again in {max(1, round(retry_after))} seconds.")
        self.retry_after = retry_after


class SessionNotFoundError(JobsAIError):
    """The match session is unknown, expired or deleted: 404."""


class NotFoundError(JobsAIError):
    """An ad (or an ad in a session's results) that does not exist: 404."""


class AdminAuthError(JobsAIError):
    """An admin page was asked for without the admin token (or with a wrong one): 401."""


class AdminForbiddenError(JobsAIError):
    """No admin token is configured and the request is not from this machine: 403."""
